import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ClientRegistry, type Client, type ServiceName } from '../auth/clients.js'
import { HubError } from '../errors.js'
import { sendProblem } from './errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The service a client must be granted to call this route (deny by default). */
    service?: ServiceName
  }
  interface FastifyRequest {
    client?: Client
  }
}

const PROTECTED = /^\/(v1|admin)(\/|$|\?)/

/** The presented credential: `x-api-key`, `Authorization: Bearer <key>` or Basic `<client>:<key>` (browsers). */
export function presentedKey(request: FastifyRequest): string | undefined {
  const h = request.headers['x-api-key']
  if (typeof h === 'string' && h) return h
  const auth = request.headers.authorization
  if (!auth) return undefined
  const [scheme, value] = auth.split(' ', 2)
  if (!value) return undefined
  if (/^bearer$/i.test(scheme ?? '')) return value
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    return i >= 0 ? decoded.slice(i + 1) : undefined
  }
  return undefined
}

/**
 * Inbound authentication for every /v1 and /admin route: an unknown or missing key
 * is a 401, a known client calling a service it was not granted a 403. The client
 * id is bound to the request logger so every log line carries it.
 */
export default fp(
  async function authPlugin(app: FastifyInstance, opts: { clients: ClientRegistry; onReject?: (status: number) => void }) {
    app.decorateRequest('client', undefined)
    app.addHook('onRequest', async (request, reply) => {
      if (!PROTECTED.test(request.url)) return
      const key = presentedKey(request)
      const client = key ? opts.clients.authenticate(key) : undefined
      if (!client) {
        opts.onReject?.(401)
        if (request.url.startsWith('/admin')) reply.header('www-authenticate', 'Basic realm="lgsp-hub operators", charset="UTF-8"')
        return sendProblem(request, reply, new HubError('HUB_ERR_UNAUTHENTICATED', key ? 'unknown API key' : 'send an API key in x-api-key (or Authorization: Bearer)'))
      }
      request.client = client
      // Bind the client to the request's own child logger (no second child per request).
      ;(request.log as unknown as { setBindings(b: Record<string, unknown>): void }).setBindings({ clientId: client.id })
      // Unmatched URLs fall through to the 404 handler once authenticated.
      if (request.routeOptions.url === undefined) return
      const service = request.routeOptions.config.service ?? (request.url.startsWith('/admin') ? 'admin' : undefined)
      if (!service || !ClientRegistry.allows(client, service)) {
        opts.onReject?.(403)
        return sendProblem(request, reply, new HubError('HUB_ERR_FORBIDDEN', `client ${client.id} is not granted the ${service ?? 'requested'} service`))
      }
    })
  },
  { name: 'hub-auth', dependencies: ['hub-errors'] },
)
