import type { HubConfig } from './config/schema.js'
import { createLogger, type Logger } from './log.js'
import { createMetrics, type HubMetrics } from './metrics.js'
import { openDb, openReadDb, migrate, type Db } from './store/index.js'
import { QueueRuntime } from './queue/runtime.js'
import { redisTarget } from './queue/redis.js'
import { loadClients, type ClientRegistry } from './inbound-auth/clients.js'
import { createConnectors } from './connectors/index.js'
import type { Connector, ConnectorContext } from './connectors/types.js'
import { createTransport, type Transport } from './http/transport.js'
import { registerBuiltins } from './builtins.js'
import { createServices, type HubService, type Services } from './services/index.js'
import { AuditWriter, auditWriterOptions } from './audit/index.js'
import { openAuditEvidence } from './audit/evidence/index.js'
import { loadMaps } from './config/maps.js'
import { ConfigError } from './config/load.js'
import type { IndicatorReader } from './services/indicators/types.js'
import { UpstreamCalls } from './services/overview/calls.js'

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
  /** Read endpoints' handle: the DATABASE_READ_URL replica, or `db` itself when unset. */
  readonly readDb: Db
  readonly queues: QueueRuntime
  readonly clients: ClientRegistry
  readonly connectors: Map<string, Connector>
  /** The shared transports by upstream name (what they saw feeds /health/upstreams). */
  readonly transports: ReadonlyMap<string, Transport>
  /** Every upstream call counted cluster-wide for the operator console (Redis per-minute buckets). */
  readonly upstreamCalls: UpstreamCalls
  readonly services: Services
  /** The audit log's writer, verifier and prover. */
  readonly audit: AuditWriter
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
  /** The indicators reports are built from, instead of the hub's own indicator service (tests). */
  indicatorReader?: IndicatorReader
}

/** A boot-time misconfiguration is one ConfigError line naming its variable (exit 78). */
function asConfigError<T>(variable: string, build: () => T): T {
  try {
    return build()
  } catch (e) {
    if (e instanceof ConfigError) throw e
    throw new ConfigError(variable, `config error: ${(e as Error).message.split('\n')[0]}`)
  }
}

export async function createHub(config: HubConfig, role: Role, opts: CreateHubOptions = {}): Promise<Hub> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL, { role })
  if (!config.DATABASE_URL && (role === 'api' || role === 'worker')) {
    throw new ConfigError(
      'DATABASE_URL',
      `config error: role "${role}" needs PostgreSQL: set DATABASE_URL (the embedded PGlite database serves one process; use the "all" role for a single-process hub)`,
    )
  }
  if (config.DATABASE_READ_URL && !config.DATABASE_URL) {
    throw new ConfigError('DATABASE_READ_URL', 'config error: DATABASE_READ_URL is a replica of DATABASE_URL: set DATABASE_URL too (PGlite has no replicas)')
  }
  registerBuiltins()
  const clients = asConfigError(config.CLIENTS_JSON !== undefined ? 'CLIENTS_JSON' : 'CLIENTS_FILE', () =>
    loadClients({ json: config.CLIENTS_JSON, file: config.CLIENTS_FILE, production: config.NODE_ENV === 'production' }),
  )
  if (config.NODE_ENV === 'production' && config.AUDIT_HASH_KEY === DEV_AUDIT_KEY) {
    throw new ConfigError('AUDIT_HASH_KEY', 'config error: AUDIT_HASH_KEY still has its development default: set a long random secret in production')
  }
  const maps = loadMaps(config)
  const redis = redisTarget(config)
  const metrics = createMetrics()
  const db = await openDb(config, role)
  const readDb = openReadDb(config, db, role, (err) =>
    logger.warn({ err: { message: err.message } }, 'read replica unreachable: reads fall back to the primary until it answers'),
  )
  const transports: Transport[] = []
  const upstreamCalls = new UpstreamCalls(config.QUEUE_PREFIX)
  /** By upstream name for /health/upstreams (the connector's transport carries its id). */
  const byUpstream = new Map<string, Transport>()
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
        const ref: { t?: Transport } = {}
        const onBreaker = upstreamCalls.watchBreaker(o.name, () => ref.t?.circuitState ?? 'none')
        const t = (ref.t = createTransport({ ...o, logger: logger.child({ upstream: o.name }), metrics, onCall: upstreamCalls.hook(o.name), onBreaker }))
        transports.push(t)
        byUpstream.set(o.name, t)
        return t
      },
    }
    const enabled = config.CONNECTORS_ENABLED.split(',').filter(Boolean)
    const connectors = createConnectors(ctx, enabled)
    const queues = new QueueRuntime(redis, config.QUEUE_PREFIX, logger)
    upstreamCalls.attach(queues.producer)
    const shutdown = new AbortController()
    const evidence = asConfigError('AUDIT_SIGNING_KEY_FILE', () => openAuditEvidence(config))
    if (evidence.generatedKey)
      logger.warn({ file: evidence.generatedKey }, 'audit checkpoint key generated for development; set AUDIT_SIGNING_KEY_FILE in production')
    const audit = new AuditWriter(
      db,
      config.AUDIT_HASH_KEY,
      (err, rows) => logger.error({ err: { message: err.message }, rows }, 'audit write failed'),
      auditWriterOptions(config, evidence, (r) => logger.info(r, 'audit segments archived')),
    )
    const services = await createServices(
      { config, logger, metrics, db, readDb, queues, connectors, shutdownSignal: shutdown.signal, audit, maps, upstreamCalls },
      { indicatorReader: opts.indicatorReader },
    )
    let closed = false
    return {
      config,
      role,
      logger,
      metrics,
      db,
      readDb,
      queues,
      clients,
      connectors,
      transports: byUpstream,
      upstreamCalls,
      services,
      audit,
      shutdownSignal: shutdown.signal,
      async startWorkers() {
        audit.startRetention()
        for (const s of Object.values(services) as HubService[]) await s.startWorkers?.()
      },
      async close() {
        if (closed) return
        closed = true
        shutdown.abort()
        for (const s of Object.values(services) as HubService[]) await s.stop?.()
        await audit.close()
        await upstreamCalls.close()
        await queues.close()
        for (const c of connectors.values()) await c.close?.()
        for (const t of transports) t.close()
        if (readDb !== db) await readDb.close()
        await db.close()
      },
    }
  } catch (e) {
    if (readDb !== db) await readDb.close().catch(() => undefined)
    await db.close().catch(() => undefined)
    throw e
  }
}
