import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { HubError } from '../errors.js'
import { sendProblem } from '../plugins/errors.js'
import type { Readiness, UpstreamsReport } from '../health.js'

const Check = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), detail: Type.Optional(Type.String()) })

const Upstream = Type.Object({
  state: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  breaker: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open'), Type.Literal('none')]),
  lastSuccessAt: Type.Optional(Type.String()),
  lastErrorKind: Type.Optional(Type.String()),
  lastErrorAt: Type.Optional(Type.String()),
  lastLatencyMs: Type.Optional(Type.Number()),
  p95LatencyMs: Type.Optional(Type.Number()),
  probe: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), detail: Type.Optional(Type.String()), checkedAt: Type.String() }),
})

/** `/health/ready`'s answer (API and worker listeners): the checks, or 503 naming what is down. */
export function readinessAnswer(request: FastifyRequest, reply: FastifyReply, r: Readiness) {
  if (r.ok) return { status: 'ready' as const, checkedAt: r.checkedAt, checks: r.checks }
  const down = Object.entries(r.checks)
    .filter(([, c]) => !c.ok)
    .map(([n]) => n)
  return sendProblem(
    request,
    reply,
    new HubError('HUB_ERR_DEPENDENCY_DOWN', `not ready: ${down.join(', ')} unavailable`, { retryAfter: 5, extra: { down, checks: r.checks } }),
  )
}

export default async function healthRoutes(app: FastifyInstance, opts: { readiness: () => Promise<Readiness>; upstreams: () => Promise<UpstreamsReport> }) {
  app.get(
    '/health/live',
    {
      logLevel: 'warn',
      config: { access: 'public' },
      schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/health/ready',
    {
      logLevel: 'warn',
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'The hub can accept work: database and Redis answer (503 names what does not). National systems are in /health/upstreams',
        response: { 200: Type.Object({ status: Type.Literal('ready'), checkedAt: Type.String(), checks: Type.Record(Type.String(), Check) }) },
      },
    },
    async (request, reply) => {
      return readinessAnswer(request, reply, await opts.readiness())
    },
  )
  app.get(
    '/health/upstreams',
    {
      logLevel: 'warn',
      config: { access: 'admin:read' },
      schema: {
        tags: ['health'],
        summary: 'Per enabled national system: up/down, breaker state, last success, recent latency, last error kind',
        response: { 200: Type.Object({ checkedAt: Type.String(), upstreams: Type.Record(Type.String(), Upstream) }) },
      },
    },
    async () => opts.upstreams(),
  )
}
