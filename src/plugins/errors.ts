import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HubError, problem, type FieldError, type HubErrorCode } from '../errors.js'
import { MappingError } from '../mappings/shared/errors.js'
import { HUB_FORMATS } from '../validation/text.js'
import { isDatabaseUnavailable } from '../store/errors.js'

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
    const described =
      e.keyword === 'pattern' && e.parentSchema?.description
        ? `must be ${e.parentSchema.description}`
        : e.keyword === 'format' && Object.hasOwn(HUB_FORMATS, String(p['format']))
          ? HUB_FORMATS[String(p['format']) as keyof typeof HUB_FORMATS].message
          : undefined
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
  const one = (code: HubErrorCode, field: string, message: string, rule?: string) =>
    new HubError(code, message, { errors: [{ field, message, ...(rule ? { rule } : {}) }] })
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return one('HUB_ERR_PAYLOAD_TOO_LARGE', '/body', 'request body exceeds the configured limit')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return one('HUB_ERR_UNSUPPORTED_MEDIA_TYPE', '/headers/content-type', 'send application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HubError('HUB_ERR_VALIDATION', 'the body is not valid JSON', { errors: [{ field: '/body', message: 'is not valid JSON', rule: 'json' }] })
    // Framework errors (app.ts frameworkErrors): the messages echo the URL, so they are replaced.
    case 'FST_ERR_BAD_URL':
      return one('HUB_ERR_VALIDATION', '/url', 'the request path is not a valid URL (bad percent-encoding?)', 'url')
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return one('HUB_ERR_URI_TOO_LONG', '/url', 'a path segment of the request is too long', 'url')
    // @fastify/multipart limits (src/routes/v1/warehouse.ts); the messages never echo field values.
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return one(
        'HUB_ERR_PAYLOAD_TOO_LARGE',
        '/body',
        `the multipart body has too many ${fe.code === 'FST_FILES_LIMIT' ? 'files' : fe.code === 'FST_FIELDS_LIMIT' ? 'fields' : 'parts'}`,
        'HUB_MULTIPART_LIMIT',
      )
    case 'FST_REQ_FILE_TOO_LARGE':
      return one('HUB_ERR_PAYLOAD_TOO_LARGE', '/body/file', 'the file exceeds the configured limit', 'HUB_MULTIPART_LIMIT')
    case 'FST_PROTO_VIOLATION':
      return one('HUB_ERR_VALIDATION', '/body', 'a multipart field name is not allowed', 'HUB_MULTIPART_FORMAT')
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return one('HUB_ERR_VALIDATION', '/headers/content-type', 'the body is not a valid multipart/form-data body', 'HUB_MULTIPART_FORMAT')
  }
  // Any other client error of the framework or a plugin keeps its 4xx with a stable code
  // and a fixed message (theirs may quote the request).
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 0
  const byStatus: Partial<Record<number, HubErrorCode>> = {
    401: 'HUB_ERR_UNAUTHENTICATED',
    // A static file route refusing a path (e.g. `..` segments) is answered as if nothing were there.
    403: 'HUB_ERR_NOT_FOUND',
    404: 'HUB_ERR_NOT_FOUND',
    409: 'HUB_ERR_CONFLICT',
    408: 'HUB_ERR_REQUEST_TIMEOUT',
    413: 'HUB_ERR_PAYLOAD_TOO_LARGE',
    414: 'HUB_ERR_URI_TOO_LONG',
    415: 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE',
    429: 'HUB_ERR_RATE_LIMITED',
    431: 'HUB_ERR_HEADERS_TOO_LARGE',
  }
  const mapped = byStatus[status]
  if (mapped) return new HubError(mapped)
  if (status >= 400 && status < 500)
    return one(
      'HUB_ERR_VALIDATION',
      '/',
      `the request was refused (${typeof fe.code === 'string' ? fe.code : status})`,
      typeof fe.code === 'string' ? fe.code : undefined,
    )
  // The database stopped, restarting or failing over: the caller retries (the pool reconnects by itself).
  if (isDatabaseUnavailable(err)) return new HubError('HUB_ERR_DEPENDENCY_DOWN', 'the database is unavailable; retry later', { retryAfter: 5, cause: err })
  return new HubError('HUB_ERR_INTERNAL', 'internal error', { cause: err })
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: HubError) {
  if (err.retryAfter !== undefined) reply.header('retry-after', String(err.retryAfter))
  // A path beyond a few KB (a 414, an attack) is not echoed back.
  const path = request.url.split('?')[0] ?? ''
  const body = problem(err, path.length <= 2048 ? path : undefined)
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
    // A plugin answering a client error its own way (the queue dashboard's {"error": …})
    // still leaves as problem+json with a stable code.
    // A callback hook: answers below 400 (nearly all) pass without a promise per request.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (reply.statusCode < 400) return done(null, payload)
      try {
        done(null, asProblem(request, reply, payload))
      } catch (e) {
        done(e as Error)
      }
    })
    function asProblem(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
      if (String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')) return payload
      if (payload !== null && payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
      let parsed: { message?: unknown; error?: unknown; code?: unknown } | undefined
      try {
        parsed = JSON.parse(String(payload ?? '')) as typeof parsed
      } catch {
        parsed = undefined
      }
      // Already a problem body (built by toHubError for a plugin's own handler): only the type was missing.
      if (typeof parsed?.code === 'string' && parsed.code.startsWith('HUB_ERR_')) {
        reply.header('content-type', 'application/problem+json; charset=utf-8')
        return payload
      }
      const err = toHubError({ statusCode: reply.statusCode })
      const detail = parsed?.message ?? parsed?.error
      const body = problem(err, request.url.split('?')[0])
      if (typeof detail === 'string' && detail.length <= 200 && err.status < 500) body.detail = detail
      else if (err.status >= 500) body.detail = `internal error; reference ${request.id}`
      body.status = reply.statusCode
      reply.header('content-type', 'application/problem+json; charset=utf-8')
      reply.removeHeader('content-length')
      return JSON.stringify(body)
    }
    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, new HubError('HUB_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
    )
  },
  { name: 'hub-errors' },
)
