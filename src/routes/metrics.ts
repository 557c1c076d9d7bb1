import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

/** Prometheus exposition. Holds counts and timings only, never personal data. On the API port it needs the `metrics` grant. */
export default async function metricsRoute(app: FastifyInstance, opts: { registry: Registry }) {
  app.get('/metrics', { logLevel: 'warn', config: { access: 'metrics' }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(opts.registry.contentType)
    return opts.registry.metrics()
  })
}

/**
 * The separate /metrics listener (METRICS_PORT > 0): nothing else on it, no key, so
 * that it can be bound to an address only the scraper reaches (METRICS_HOST).
 */
export async function buildMetricsServer(registry: Registry, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true })
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
  })
  await app.register(metricsRoute, { registry })
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('only /metrics here\n'))
  return app
}
