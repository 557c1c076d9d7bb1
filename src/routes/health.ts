import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { HubError } from '../errors.js'
import { sendProblem } from '../plugins/errors.js'
import type { Readiness } from '../health.js'

const Check = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), detail: Type.Optional(Type.String()) })

export default async function healthRoutes(app: FastifyInstance, opts: { readiness: () => Promise<Readiness> }) {
  app.get(
    '/health/live',
    { logLevel: 'warn', config: { access: 'public' }, schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/health/ready',
    {
      logLevel: 'warn',
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Database, Redis and enabled connectors answer (503 names what does not)',
        response: { 200: Type.Object({ status: Type.Literal('ready'), checkedAt: Type.String(), checks: Type.Record(Type.String(), Check) }) },
      },
    },
    async (request, reply) => {
      const r = await opts.readiness()
      if (r.ok) return { status: 'ready' as const, checkedAt: r.checkedAt, checks: r.checks }
      const down = Object.entries(r.checks).filter(([, c]) => !c.ok).map(([n]) => n)
      return sendProblem(request, reply, new HubError('HUB_ERR_DEPENDENCY_DOWN', `not ready: ${down.join(', ')} unavailable`, { retryAfter: 5, extra: { down, checks: r.checks } }))
    },
  )
}
