import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { ClientRegistry, SERVICES, type Client, type ServiceName } from './clients.js'
import { HubError } from '../errors.js'
import { sendProblem } from '../plugins/errors.js'
import { ConsoleSessions, sameToken, type ConsoleSession } from './session.js'

/** What a route requires: a service grant, an operator role (`admin`, `admin:read`), `metrics`, or nothing (`public`). */
export type Access = ServiceName | 'public'
export const ACCESS: ReadonlySet<string> = new Set<string>([...SERVICES, 'public'])

/** One row of the route table as the access check sees it. */
export interface RouteAccess {
  method: string
  url: string
  access: Access | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a client needs to call this route. Every route declares it (deny by default; startup fails without it). */
    access?: Access
  }
  interface FastifyRequest {
    client?: Client
    /** The operator console session the client came with (its cookie was the credential). */
    consoleSession?: ConsoleSession
  }
  interface FastifyInstance {
    /** Operator console sessions (when the hub has them): the sign-in routes use them. */
    consoleSessions?: ConsoleSessions
    /** Every registered route with its declared access (tests and docs enumerate it). */
    routeAccess(): RouteAccess[]
  }
}

export type CredentialScheme = 'api-key' | 'bearer' | 'basic'

/** The presented credential and how it came: `x-api-key`, `Authorization: Bearer <key>` or Basic `<client>:<key>` (browsers). */
export function presentedCredential(request: FastifyRequest): { key: string; scheme: CredentialScheme } | undefined {
  const h = request.headers['x-api-key']
  if (typeof h === 'string' && h) return { key: h, scheme: 'api-key' }
  const auth = request.headers.authorization
  if (!auth) return undefined
  const [scheme, value] = auth.split(' ', 2)
  if (!value) return undefined
  if (/^bearer$/i.test(scheme ?? '')) return { key: value, scheme: 'bearer' }
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    return i >= 0 ? { key: decoded.slice(i + 1), scheme: 'basic' } : undefined
  }
  return undefined
}

/** The presented key, however it came. */
export function presentedKey(request: FastifyRequest): string | undefined {
  return presentedCredential(request)?.key
}

const headerValue = (h: string | string[] | undefined) => (typeof h === 'string' ? h : undefined)

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** application/json or application/<anything>+json, parameters ignored. */
function isJsonType(type: string): boolean {
  const essence = (type.split(';', 1)[0] ?? '').trim().toLowerCase()
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'))
}

/**
 * CSRF for credentials a browser attaches by itself (Basic; later cookies): a state
 * change must prove it was not sent by a page of another site. Custom headers and a
 * JSON content type force a CORS preflight the hub never grants; `sec-fetch-site` and
 * `Origin` are set by the browser and cannot be forged by a page. Returns why it is refused.
 */
export function csrfRefusal(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site']
  if (site === 'cross-site' || site === 'same-site') return `a ${site} request may not change state`
  const origin = request.headers.origin
  if (origin !== undefined && !sameOrigin(origin, request.headers.host)) return 'the Origin does not match the Host'
  const type = request.headers['content-type']
  if (typeof type === 'string' && isJsonType(type)) return undefined
  if (request.headers['x-requested-with'] !== undefined) return undefined
  if (site === 'same-origin') return undefined
  return 'send application/json or the x-requested-with header'
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase()
  } catch {
    return false // 'null' (sandboxed frames, file:) and anything unparsable
  }
}

/** Routes people open in a browser (dashboard, operator reads, /metrics): a 401 invites Basic auth. */
const invitesBasic = (access: Access | undefined) => access === 'admin' || access === 'admin:read' || access === 'metrics'

/** Routes a console session cookie is a credential for: the operators' API under /admin/ (never /v1, /metrics). */
export const acceptsSession = (routeUrl: string | undefined) => routeUrl?.startsWith('/admin/') === true

/**
 * Inbound authentication and authorisation, decided on the matched route only: its
 * `config.access` (never the URL text, which the router decodes and normalises). A
 * route without a declaration makes startup fail; unmatched requests go on to the 404
 * handler. An unknown or missing key is a 401, a known client lacking the grant a 403,
 * a forgeable state change (see csrfRefusal) a 403 HUB_ERR_CSRF. The client id is
 * bound to the request logger so every log line carries it.
 */
export default fp(
  async function authPlugin(app: FastifyInstance, opts: { clients: ClientRegistry; sessions?: ConsoleSessions; onReject?: (status: number) => void }) {
    // Kept by reference: hooks of inner scopes (dashboard, docs) set `config.access` after this one ran.
    const routes: RouteOptions[] = []
    app.decorateRequest('client', undefined)
    app.decorateRequest('consoleSession', undefined)
    app.decorate('consoleSessions', opts.sessions)
    // The session plugin's request hook must run before this plugin's: register it first.
    if (opts.sessions) await opts.sessions.register(app)
    app.decorate('routeAccess', () =>
      routes.flatMap((r) => [r.method].flat().map((method) => ({ method, url: r.url, access: (r.config as { access?: Access } | undefined)?.access }))),
    )
    app.addHook('onRoute', (route) => {
      routes.push(route)
    })
    app.addHook('onReady', async () => {
      for (const r of app.routeAccess()) {
        if (r.access === undefined) throw new Error(`route ${r.method} ${r.url} declares no access: add config: { access: <service> | 'public' }`)
        if (!ACCESS.has(r.access)) throw new Error(`route ${r.method} ${r.url} declares an unknown access "${String(r.access)}"`)
      }
    })

    const refuse = (request: FastifyRequest, reply: FastifyReply, err: HubError) => {
      opts.onReject?.(err.status)
      return sendProblem(request, reply, err)
    }

    app.addHook('onRequest', async (request, reply) => {
      // No route matched: the 404 handler answers, without data.
      if (request.is404) return
      const access = request.routeOptions.config.access
      if (access === 'public') return
      const credential = presentedCredential(request)
      let client = credential ? opts.clients.authenticate(credential.key) : undefined
      // No key: on an operator route, the console session cookie stands for its client (a key, when sent, wins).
      let session: ConsoleSession | undefined
      if (!credential && opts.sessions && acceptsSession(request.routeOptions.url)) {
        let found: Awaited<ReturnType<ConsoleSessions['fromRequest']>>
        try {
          found = await opts.sessions.fromRequest(request, reply)
        } catch (e) {
          request.log.warn({ err: { type: (e as Error).name, message: (e as Error).message } }, 'console session store unavailable')
          return refuse(request, reply, new HubError('HUB_ERR_DEPENDENCY_DOWN', 'the session store is unavailable; retry or use an API key'))
        }
        if (found) {
          client = found.client
          session = found.session
          request.consoleSession = session
        }
      }
      if (!client) {
        // A console page (it sent its cookie) handles a 401 itself: no browser Basic prompt over it.
        if (invitesBasic(access) && !ConsoleSessions.presented(request)) reply.header('www-authenticate', 'Basic realm="lgsp-hub operators", charset="UTF-8"')
        return refuse(
          request,
          reply,
          new HubError('HUB_ERR_UNAUTHENTICATED', credential ? 'unknown API key' : 'send an API key in x-api-key (or Authorization: Bearer)'),
        )
      }
      request.client = client
      // Bind the client to the request's own child logger (no second child per request).
      ;(request.log as unknown as { setBindings(b: Record<string, unknown>): void }).setBindings({ clientId: client.id })
      if (access === undefined || !ClientRegistry.allows(client, access)) {
        return refuse(request, reply, new HubError('HUB_ERR_FORBIDDEN', `client ${client.id} is not granted ${access ?? 'this route'}`))
      }
      if (session) {
        // A cookie is sent by the browser on its own: a state change must echo the session's CSRF token.
        if (!SAFE_METHODS.has(request.method) && !sameToken(headerValue(request.headers['x-csrf-token']), session.csrfToken)) {
          const why = "send the console session's CSRF token in x-csrf-token"
          return refuse(request, reply, new HubError('HUB_ERR_CSRF', why, { errors: [{ field: '/headers/x-csrf-token', message: why, rule: 'csrf' }] }))
        }
        return
      }
      if (credential!.scheme === 'basic' && !SAFE_METHODS.has(request.method)) {
        const why = csrfRefusal(request)
        if (why) return refuse(request, reply, new HubError('HUB_ERR_CSRF', why, { errors: [{ field: '/headers/content-type', message: why, rule: 'csrf' }] }))
      }
    })
  },
  { name: 'hub-auth', dependencies: ['hub-errors'] },
)
