import type { FastifyRequest } from 'fastify'
import type { HubApp } from '../types.js'
import { PurposeHeaders } from '../../../schemas/v1/lookups.js'
import { LOOKUP_ENDPOINTS } from '../../connectors/lookups.js'
import type { LookupCall } from '../../services/lookups/index.js'
import { ProblemSchema } from '../problem.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 502: ProblemSchema, 503: ProblemSchema, 504: ProblemSchema }
const call = (request: FastifyRequest): LookupCall => {
  const p = request.headers['x-purpose']
  return { clientId: request.client!.id, requestId: request.id, purpose: typeof p === 'string' ? p : undefined }
}
/** The mappings' types are readonly; the reply schemas (which fast-json-stringify enforces) describe the same shapes. */
const sent = <T>(p: Promise<T>) => p as Promise<never>
const DESCRIPTION =
  'Requires the x-purpose header (audited with the client, the hashed subject, the outcome and the latency). ' +
  'Identifiers are validated before anything is sent (400 naming the rule in errors[].rule); an unknown subject is 404 ' +
  'HUB_ERR_UPSTREAM_NOT_FOUND; an upstream that is down, times out or whose circuit is open answers 503/504 with Retry-After; ' +
  'a national system not enabled on this hub answers 503 HUB_ERR_CONNECTOR_DISABLED.'

/** Identity and registry lookups: one thin route per endpoint its connector declares (src/connectors/<id>/lookup.ts). */
export default async function lookupRoutes(app: HubApp) {
  const lookups = app.hub.services.lookups
  for (const { def, endpoint: e } of LOOKUP_ENDPOINTS) {
    app.route({
      method: e.method,
      url: e.url,
      config: { access: e.service },
      schema: {
        tags: ['lookups'],
        summary: e.summary,
        description: DESCRIPTION,
        headers: PurposeHeaders,
        ...(e.params ? { params: e.params } : {}),
        ...(e.body ? { body: e.body } : {}),
        response: { 200: e.reply, ...errors },
      },
      handler: (request) => sent(lookups.lookup(def, e, { params: request.params, body: request.body }, call(request))),
    })
  }
}
