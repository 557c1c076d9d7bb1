import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HubError, fieldError } from '../errors.js'
import { MAX_DEPTH, TEXT_RULES, findTextViolation } from '../validation/text.js'
import { sendProblem } from './errors.js'

/** The parts of a request the walk covers, with the pointer prefix of their fields. */
const PARTS = [
  ['body', '/body'],
  ['query', '/querystring'],
  ['params', '/params'],
  ['headers', '/headers'],
] as const

/**
 * Refuses a request holding a NUL/C0 control, an unpaired surrogate or a nesting deeper
 * than MAX_DEPTH in any string of its body, query, params or headers (400 naming the field).
 * Throws the HubError; callers that rebuild the body (multipart) call it again.
 */
export function assertRequestText(request: FastifyRequest): void {
  for (const [part, root] of PARTS) {
    const v = findTextViolation(request[part], root)
    if (!v) continue
    const message = v.rule === 'depth' ? `must not nest deeper than ${MAX_DEPTH} levels` : `must ${TEXT_RULES[v.rule]}`
    throw fieldError(v.field, `${v.field} ${message}`, `HUB_TEXT_${v.rule.toUpperCase()}`)
  }
}

/** The first number that is not finite in a value, with its pointer (depth bounded by the text walk before). */
function findNonFinite(v: unknown, at: string): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : at
  if (v === null || typeof v !== 'object') return undefined
  for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    const found = findNonFinite(x, `${at}/${k}`)
    if (found) return found
  }
  return undefined
}

/**
 * Refuses a number that is not finite in the validated body, query or params. ajv's type
 * coercion turns `1e999` (query) into Infinity and lets it through `type: integer` and even
 * `maximum`; JSON.parse does the same in a body. Found by the fuzz test (a 500 downstream).
 */
export function assertFiniteNumbers(request: FastifyRequest): void {
  for (const [part, root] of PARTS) {
    if (part === 'headers') continue
    const field = findNonFinite(request[part], root)
    if (field) throw fieldError(field, `${field} must be a finite number`, 'type')
  }
}

/**
 * The input edge, registered before authentication: an over-long request target is
 * answered 414 before anything else runs, every string of a request meets the one
 * text rule before schema validation (src/validation/text.ts), and every number after it
 * is finite, so no route can forget either.
 */
export default fp(
  async function inputPlugin(app: FastifyInstance, opts: { maxUrlLength: number }) {
    app.addHook('onRequest', async (request, reply) => {
      const length = request.raw.url?.length ?? 0
      if (length > opts.maxUrlLength) {
        return sendProblem(
          request,
          reply,
          new HubError('HUB_ERR_URI_TOO_LONG', `the request target has ${length} characters; the limit is ${opts.maxUrlLength}`, {
            errors: [{ field: '/url', message: 'too long' }],
          }),
        )
      }
    })
    // A callback hook: no promise per request; a violation is passed on as the error.
    app.addHook('preValidation', (request, _reply, done) => {
      try {
        assertRequestText(request)
      } catch (e) {
        return done(e as Error)
      }
      done()
    })
    app.addHook('preHandler', (request, _reply, done) => {
      try {
        assertFiniteNumbers(request)
      } catch (e) {
        return done(e as Error)
      }
      done()
    })
  },
  { name: 'hub-input', dependencies: ['hub-errors'] },
)
