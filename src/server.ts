import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { HubConfig } from './config/schema.js'
import { createHub, type Hub, type Role } from './hub.js'
import { buildApp } from './app.js'
import { buildMetricsServer } from './routes/metrics.js'
import { buildWorkerHealthServer } from './routes/worker-health.js'
import { createWorkerReadiness } from './health.js'
import { createSandbox } from './sandbox/index.js'
import { createLogger, type Logger } from './log.js'
import { openDb, migrate } from './store/index.js'
import { sandboxTrustAnchorsPath } from './documents/trust-anchors.js'
import { startTracing, type Tracing } from './telemetry/tracing.js'

export interface Running {
  hub?: Hub
  api?: FastifyInstance
  /** The separate /metrics listener (METRICS_PORT > 0, API roles), or the worker role's health listener (WORKER_HEALTH_PORT > 0). */
  metrics?: FastifyInstance
  sandbox?: FastifyInstance
  /** Orderly stop: HTTP first (no new work), then workers (finish or release jobs), then connections. */
  close(): Promise<void>
}

/**
 * Starts one role. `all` = sandbox + api + worker in one process, for a first run on
 * the embedded defaults. Returns what it started so tests can drive and stop it.
 */
export async function startRole(role: Role, config: HubConfig, logger: Logger = createLogger(config.LOG_LEVEL, { role })): Promise<Running> {
  if (role === 'migrate') {
    const db = await openDb(config, 'migrate')
    try {
      const applied = await migrate(db)
      logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date')
    } finally {
      await db.close()
    }
    return { close: async () => undefined }
  }

  let sandbox: FastifyInstance | undefined
  if (role === 'sandbox' || role === 'all') {
    const sb = await createSandbox(config.SANDBOX_SEED, logger.child({ component: 'sandbox' }, { level: role === 'all' ? 'warn' : config.LOG_LEVEL }), {
      catalogSize: config.SANDBOX_CATALOG_SIZE,
      warehouseOwners: config.SANDBOX_WAREHOUSE_OWNERS,
      // First run: the sandbox writes its signing root where the hub looks by default (see WAREHOUSE_TRUST_ANCHORS_FILE).
      trustAnchorsFile: sandboxTrustAnchorsPath(config),
    })
    sandbox = sb.app
    await sandbox.listen({ host: config.SANDBOX_HOST, port: config.SANDBOX_PORT })
    logger.info({ url: `http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}` }, 'sandbox (simulated national systems) listening')
    if (role === 'sandbox') return { sandbox, close: () => sandbox!.close() }
  }

  // Process-wide, before anything builds spans: off (nothing registered) without OTEL_EXPORTER_OTLP_ENDPOINT.
  const tracing = processTracing(config, role)
  let hub: Hub
  try {
    hub = await createHub(config, role, { logger })
  } catch (e) {
    await tracing?.shutdown()
    await sandbox?.close()
    throw e
  }
  let api: FastifyInstance | undefined
  let metrics: FastifyInstance | undefined
  if (role === 'api' || role === 'all') {
    try {
      api = await buildApp(hub)
      await api.listen({ host: config.HOST, port: config.PORT })
      if (config.METRICS_PORT > 0) {
        metrics = await buildMetricsServer(hub.metrics.registry, logger.child({ component: 'metrics' }))
        await metrics.listen({ host: config.METRICS_HOST, port: config.METRICS_PORT })
        logger.info({ url: `http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics` }, 'metrics listening')
      }
    } catch (e) {
      await metrics?.close()
      await api?.close()
      await hub.close()
      await sandbox?.close()
      throw e
    }
  }
  if (role === 'worker' || role === 'all') await hub.startWorkers()
  if (role === 'worker' && config.WORKER_HEALTH_PORT > 0) {
    try {
      metrics = await buildWorkerHealthServer(createWorkerReadiness(hub), hub.metrics.registry, logger.child({ component: 'worker-health' }))
      await metrics.listen({ host: config.WORKER_HEALTH_HOST, port: config.WORKER_HEALTH_PORT })
      logger.info({ url: `http://${config.WORKER_HEALTH_HOST}:${config.WORKER_HEALTH_PORT}/health/ready` }, 'worker health listening')
    } catch (e) {
      await metrics?.close()
      await hub.close()
      throw e
    }
  }
  logger.info({ role }, 'lgsp-hub started')
  return {
    hub,
    api,
    metrics,
    sandbox,
    async close() {
      await api?.close()
      await metrics?.close()
      await hub.close()
      await sandbox?.close()
      await tracing?.shutdown()
    },
  }
}

function processTracing(config: HubConfig, role: Role): Tracing | undefined {
  return startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME, role, sampleRatio: config.TRACE_SAMPLE_RATIO })
}

/** Runs a role until SIGTERM/SIGINT, then shuts down within SHUTDOWN_TIMEOUT_MS (exit 0; 1 on timeout). */
export async function runRole(role: Role, config: HubConfig): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL, { role })
  const running = await startRole(role, config, logger)
  if (role === 'migrate') return
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: { error: (m: unknown) => logger.error(String(m)) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down')
    else logger.info({ signal }, 'shutting down')
    await running.close()
    logger.info('stopped')
  })
}
