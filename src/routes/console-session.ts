import { Type } from '@sinclair/typebox'
import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { HubApp } from './types.js'
import { HubError } from '../errors.js'
import { ProblemSchema } from './problem.js'
import { csrfRefusal } from '../inbound-auth/plugin.js'
import { consoleRole, sameToken, type ConsoleRole, type ConsoleSession, type ConsoleSessions } from '../inbound-auth/session.js'
import type { AuditEntry } from '../audit/index.js'

export const SESSION_PATH = '/console/api/session'

const SessionBody = Type.Object(
  {
    client: Type.String(),
    role: Type.Union([Type.Literal('admin'), Type.Literal('admin:read')]),
    csrfToken: Type.String(),
    idleSeconds: Type.Integer(),
    locale: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

const problems = { 401: ProblemSchema, 403: ProblemSchema, 429: ProblemSchema, 503: ProblemSchema }
/** One generic refusal: it never tells an unknown key from a key without an operator role. */
const refused = () => new HubError('HUB_ERR_UNAUTHENTICATED', 'this key does not open the operator console')
const noSession = () => new HubError('HUB_ERR_UNAUTHENTICATED', 'no live console session: sign in')

/**
 * Operator console sign-in, session and sign-out (docs/console-api.md). Declared `public`:
 * these routes are the sign-in itself and decide on the key or the cookie they are given.
 * Sign-in is limited per address (CONSOLE_SIGNIN_PER_MINUTE) and every sign-in, failed
 * sign-in and sign-out is an audited operator action (the key itself is never logged nor stored).
 */
export default async function consoleSessionRoutes(app: HubApp) {
  const sessions = app.consoleSessions
  if (!sessions) return
  const hub = app.hub
  const audit = (request: FastifyRequest, status: number, clientId: string, event: string, role?: string) => {
    const entry: AuditEntry = {
      clientId,
      requestId: request.id,
      service: 'admin',
      action: `${request.method} ${SESSION_PATH}`,
      outcome: status < 400 ? 'done' : 'refused',
      status,
      detail: { event, role: role ?? 'none', address: normalizeIP(request.ip) },
    }
    return hub.services.lookups.audit
      .write(entry)
      .catch((e: Error) => request.log.error({ err: { type: e.name, message: String(e.message).slice(0, 200) }, event }, 'console sign-in event NOT audited'))
  }
  const answer = (s: ConsoleSession, clientId: string, role: ConsoleRole) => ({
    client: clientId,
    role,
    csrfToken: s.csrfToken,
    idleSeconds: sessions.idleSeconds,
  })

  app.post(
    SESSION_PATH,
    {
      config: { access: 'public' },
      schema: {
        tags: ['admin'],
        summary: 'Operator console: sign in with an operator key (sets the session cookie)',
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }),
        response: { 200: SessionBody, ...problems },
      },
    },
    async (request, reply) => {
      const why = csrfRefusal(request)
      if (why) throw new HubError('HUB_ERR_CSRF', why, { errors: [{ field: '/headers/content-type', message: why, rule: 'csrf' }] })
      const limit = await sessions.signIns.attempt(normalizeIP(request.ip), hub.config.CONSOLE_SIGNIN_PER_MINUTE)
      if (!limit.allowed) {
        hub.metrics.edgeRejections.labels('rate_limit_signin').inc()
        throw new HubError('HUB_ERR_RATE_LIMITED', `too many sign-in attempts from this address; retry in ${limit.retryAfter} s`, {
          retryAfter: limit.retryAfter,
          extra: { limit: hub.config.CONSOLE_SIGNIN_PER_MINUTE, scope: 'signin' },
        })
      }
      const client = hub.clients.authenticate(request.body.key)
      const role = client && consoleRole(client)
      if (!client || !role) {
        await audit(request, 401, client?.id ?? 'unknown', 'sign-in-failed')
        throw refused()
      }
      const session = await sessions.signIn(request, reply, client.id)
      reply.header('cache-control', 'no-store')
      await audit(request, 200, client.id, 'sign-in', role)
      return answer(session, client.id, role)
    },
  )

  app.get(
    SESSION_PATH,
    {
      config: { access: 'public' },
      schema: { tags: ['admin'], summary: 'Operator console: the live session (its CSRF token) or 401', response: { 200: SessionBody, ...problems } },
    },
    async (request, reply) => {
      const found = await live(sessions, request, reply)
      reply.header('cache-control', 'no-store')
      return answer(found.session, found.client.id, found.role)
    },
  )

  app.delete(
    SESSION_PATH,
    {
      config: { access: 'public' },
      schema: {
        tags: ['admin'],
        summary: 'Operator console: sign out (needs x-csrf-token); the session ends on every API process',
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply: FastifyReply) => {
      const found = await live(sessions, request, reply)
      const token = request.headers['x-csrf-token']
      if (!sameToken(typeof token === 'string' ? token : undefined, found.session.csrfToken)) {
        await audit(request, 403, found.client.id, 'sign-out-refused', found.role)
        const why = "send the console session's CSRF token in x-csrf-token"
        throw new HubError('HUB_ERR_CSRF', why, { errors: [{ field: '/headers/x-csrf-token', message: why, rule: 'csrf' }] })
      }
      await sessions.signOut(request, reply)
      await audit(request, 204, found.client.id, 'sign-out', found.role)
      return reply.code(204).send()
    },
  )
}

async function live(sessions: ConsoleSessions, request: FastifyRequest, reply: FastifyReply) {
  let found: Awaited<ReturnType<ConsoleSessions['fromRequest']>>
  try {
    found = await sessions.fromRequest(request, reply)
  } catch {
    throw new HubError('HUB_ERR_DEPENDENCY_DOWN', 'the session store is unavailable')
  }
  if (!found) throw noSession()
  return found
}
