import type { FastifyRequest } from 'fastify'
import { fieldError } from '../../errors.js'

/**
 * A preHandler refusing non-finite numbers in the query: ajv's type coercion turns `1e999`
 * into Infinity and then lets it through `type: integer` and `maximum` (found by the fuzz
 * test). The field is named, as ajv would.
 */
export function finiteQuery(...fields: string[]) {
  return async (request: FastifyRequest) => {
    const q = (request.query ?? {}) as Record<string, unknown>
    for (const f of fields) {
      const v = q[f]
      if (typeof v === 'number' && !Number.isFinite(v)) throw fieldError(`/querystring/${f}`, 'must be a finite integer', 'type')
    }
  }
}
