import type { HubConfig } from './config/schema.js'
import { createLogger, type Logger } from './log.js'
import { createMetrics, type HubMetrics } from './metrics.js'
import { openDb, migrate, type Db } from './store/index.js'
import { QueueRuntime } from './queue/runtime.js'
import { loadClients, type ClientRegistry } from './auth/clients.js'
import { createConnectors } from './connectors/index.js'
import type { Connector, ConnectorContext } from './connectors/types.js'
import { createTransport, type Transport } from './http/transport.js'
import { registerBuiltins } from './builtins.js'
import { createServices, type HubService, type Services } from './services/index.js'
import { AuditWriter } from './audit/index.js'

/** The shipped development default of AUDIT_HASH_KEY (refused in production). */
export const DEV_AUDIT_KEY = 'dev-audit-key-change-me'

export type Role = 'api' | 'worker' | 'all' | 'sandbox' | 'migrate'

/**
 * The composition root: everything a role needs, built once from configuration.
 * Processes hold no state of their own: Redis holds the work, the database the truth.
 */
export interface Hub {
  readonly config: HubConfig
  readonly role: Role
  readonly logger: Logger
  readonly metrics: HubMetrics
  readonly db: Db
  readonly queues: QueueRuntime
  readonly clients: ClientRegistry
  readonly connectors: Map<string, Connector>
  readonly services: Services
  /** Aborted when shutdown starts: long-running work stops at its next safe point. */
  readonly shutdownSignal: AbortSignal
  /** Starts the background workers of every service (worker and all roles). */
  startWorkers(): Promise<void>
  close(): Promise<void>
}

export interface CreateHubOptions {
  logger?: Logger
  /** Apply migrations at start-up (default true). */
  migrate?: boolean
}

export async function createHub(config: HubConfig, role: Role, opts: CreateHubOptions = {}): Promise<Hub> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL, { role })
  if (!config.DATABASE_URL && (role === 'api' || role === 'worker')) {
    throw new Error(`role "${role}" needs PostgreSQL: set DATABASE_URL (the embedded PGlite database serves one process; use the "all" role for a single-process hub)`)
  }
  registerBuiltins()
  const clients = loadClients({ json: config.CLIENTS_JSON, file: config.CLIENTS_FILE, production: config.NODE_ENV === 'production' })
  if (config.NODE_ENV === 'production' && config.AUDIT_HASH_KEY === DEV_AUDIT_KEY) {
    throw new Error('AUDIT_HASH_KEY still has its development default: set a long random secret in production')
  }
  const metrics = createMetrics()
  const db = await openDb(config, role)
  const transports: Transport[] = []
  try {
    if (opts.migrate !== false) {
      const applied = await migrate(db)
      if (applied.length) logger.info({ applied }, 'migrations applied')
    }
    const ctx: ConnectorContext = {
      config,
      logger,
      metrics,
      transport: (o) => {
        const t = createTransport({ ...o, logger: logger.child({ upstream: o.name }), metrics })
        transports.push(t)
        return t
      },
    }
    const enabled = config.CONNECTORS_ENABLED.split(',').filter(Boolean)
    const connectors = createConnectors(ctx, enabled)
    const queues = new QueueRuntime(config.REDIS_URL, config.QUEUE_PREFIX, logger)
    const shutdown = new AbortController()
    const audit = new AuditWriter(db, config.AUDIT_HASH_KEY, (err, rows) => logger.error({ err: { message: err.message }, rows }, 'audit rows not written yet; retrying'))
    const services = await createServices({ config, logger, metrics, db, queues, connectors, shutdownSignal: shutdown.signal, audit })
    let closed = false
    return {
      config,
      role,
      logger,
      metrics,
      db,
      queues,
      clients,
      connectors,
      services,
      shutdownSignal: shutdown.signal,
      async startWorkers() {
        for (const s of Object.values(services) as HubService[]) await s.startWorkers?.()
      },
      async close() {
        if (closed) return
        closed = true
        shutdown.abort()
        for (const s of Object.values(services) as HubService[]) await s.stop?.()
        await audit.close()
        await queues.close()
        for (const c of connectors.values()) await c.close?.()
        for (const t of transports) t.close()
        await db.close()
      },
    }
  } catch (e) {
    await db.close().catch(() => undefined)
    throw e
  }
}
