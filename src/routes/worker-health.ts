import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Readiness } from '../health.js'
import metricsRoute from './metrics.js'
import { readinessAnswer } from './health.js'

/**
 * The worker role's own listener (WORKER_HEALTH_PORT > 0): what an orchestrator probes and
 * Prometheus scrapes in a process that serves no API. No key: bind it (WORKER_HEALTH_HOST)
 * where only the probe and the scraper reach it.
 * - `/health/live`: the process answers;
 * - `/health/ready`: database and Redis answer and every queue worker runs (503 names what does not);
 * - `/metrics`: this process's counters (pushes, fetches, deliveries happen here, not in the API).
 */
export async function buildWorkerHealthServer(readiness: () => Promise<Readiness>, registry: Registry, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true })
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
  })
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'ok' as const }))
  app.get('/health/ready', { logLevel: 'warn' }, async (request, reply) => {
    return readinessAnswer(request, reply, await readiness())
  })
  await app.register(metricsRoute, { registry })
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('only /health/live, /health/ready and /metrics here\n'))
  return app
}
