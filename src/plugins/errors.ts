import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HubError, problem, type FieldError } from '../errors.js'
import { MappingError } from '../mappings/errors.js'

interface AjvLikeError {
  instancePath?: string
  keyword?: string
  message?: string
  params?: Record<string, unknown>
  parentSchema?: { description?: string }
}

/** Fastify/ajv validation errors → problem+json field list. */
export function validationFields(context: string | undefined, errors: AjvLikeError[]): FieldError[] {
  return errors.map((e) => {
    let field = `/${context ?? 'body'}${e.instancePath ?? ''}`
    const p = e.params ?? {}
    if (e.keyword === 'required' && p['missingProperty']) field += `/${String(p['missingProperty'])}`
    if (e.keyword === 'additionalProperties' && p['additionalProperty']) field += `/${String(p['additionalProperty'])}`
    // A pattern's regex means little to a caller: say what the field should be instead.
    const described = e.keyword === 'pattern' && e.parentSchema?.description ? `must be ${e.parentSchema.description}` : undefined
    const message =
      e.keyword === 'additionalProperties' ? 'is not an allowed property' : e.keyword === 'required' ? 'is required' : (described ?? e.message ?? 'is invalid')
    return { field, message, rule: e.keyword }
  })
}

/** Converts anything thrown in a request into a HubError. */
export function toHubError(err: unknown): HubError {
  if (err instanceof HubError) return err
  if (err instanceof MappingError) {
    return new HubError('HUB_ERR_MAPPING', err.message, { errors: [{ field: `/body/${err.field}`, message: err.message, rule: err.code }] })
  }
  const fe = err as FastifyError & { validation?: AjvLikeError[]; validationContext?: string }
  if (fe.validation) {
    const errors = validationFields(fe.validationContext, fe.validation)
    const first = errors[0]
    return new HubError('HUB_ERR_VALIDATION', first ? `${first.field} ${first.message}` : 'invalid request', { errors })
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', 'request body exceeds the configured limit', { errors: [{ field: '/body', message: 'too large' }] })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HubError('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', 'send application/json', { errors: [{ field: '/headers/content-type', message: 'unsupported' }] })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HubError('HUB_ERR_VALIDATION', 'the body is not valid JSON', { errors: [{ field: '/body', message: 'is not valid JSON', rule: 'json' }] })
  }
  if (fe.statusCode === 400 && fe.message) return new HubError('HUB_ERR_VALIDATION', fe.message, { errors: [{ field: '/body', message: fe.message }] })
  // A static file route refusing a path (e.g. `..` segments) is answered as if nothing were there.
  if (fe.statusCode === 404 || fe.statusCode === 403) return new HubError('HUB_ERR_NOT_FOUND')
  if (fe.statusCode === 429) return new HubError('HUB_ERR_RATE_LIMITED')
  return new HubError('HUB_ERR_INTERNAL', 'internal error', { cause: err })
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: HubError) {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter))
  const body = problem(err, request.url.split('?')[0])
  // 5xx details stay in the log, tied to the request id.
  if (err.code === 'HUB_ERR_INTERNAL') body.detail = `internal error; reference ${request.id}`
  return reply.code(err.status).type('application/problem+json').send(body)
}

/** One error handler for the whole app: everything leaves as RFC 9457 problem+json. */
export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((err, request, reply) => {
      const hubErr = toHubError(err)
      if (hubErr.status >= 500) request.log.error({ err, code: hubErr.code }, 'request failed')
      else request.log.info({ code: hubErr.code, status: hubErr.status, fields: hubErr.errors?.map((e) => e.field) }, 'request refused')
      return sendProblem(request, reply, hubErr)
    })
    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, new HubError('HUB_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
    )
  },
  { name: 'hub-errors' },
)
