import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

/** Prometheus exposition. Holds counts and timings only, never personal data. */
export default async function metricsRoute(app: FastifyInstance, opts: { registry: Registry }) {
  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_req, reply) => {
    reply.type(opts.registry.contentType)
    return opts.registry.metrics()
  })
}
