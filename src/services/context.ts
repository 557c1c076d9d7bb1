import type { HubConfig } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { HubMetrics } from '../metrics.js'
import type { Db } from '../store/index.js'
import type { QueueRuntime } from '../queue/runtime.js'
import type { Connector } from '../connectors/types.js'
import type { AuditWriter } from '../audit/index.js'
import type { HubMaps } from '../config/maps.js'
import { HubError } from '../errors.js'
import type { UpstreamCalls } from './overview/calls.js'

/** What every capability is built from (its own module: capabilities and the composition root both import it, neither imports the other). */
export interface ServiceContext {
  config: HubConfig
  logger: Logger
  metrics: HubMetrics
  db: Db
  /** Read endpoints' handle (catalog, warehouse reuse, indicators): the DATABASE_READ_URL replica, or `db` when unset. Never for writes, nor for a read that must see a write just made. */
  readDb: Db
  queues: QueueRuntime
  connectors: Map<string, Connector>
  shutdownSignal: AbortSignal
  /** The one audit trail (durable writes into audit_log, subjects hashed). */
  audit: AuditWriter
  /** Status and procedure-code maps, loaded and checked at boot (src/config/maps.ts). */
  maps: HubMaps
  /** Upstream calls counted cluster-wide (operator console overview); absent in tests that build services alone. */
  upstreamCalls?: UpstreamCalls
}

/** A capability of the hub (dossier sync, catalog sync, …) with optional background work. */
export interface HubService {
  /** Start BullMQ workers and schedulers (worker / all roles only). */
  startWorkers?(): Promise<void>
  /** Stop background loops; workers are closed by the queue runtime. */
  stop?(): Promise<void>
}

/**
 * The enabled connector `id`, or the one answer for a national system this hub does
 * not talk to: 503 HUB_ERR_CONNECTOR_DISABLED naming it (an operator's setting, not a bug).
 */
export function requireConnector<C extends Connector>(connectors: ReadonlyMap<string, Connector>, id: string): C {
  const c = connectors.get(id)
  if (!c)
    throw new HubError('HUB_ERR_CONNECTOR_DISABLED', `the ${id} connector is not enabled on this hub (CONNECTORS_ENABLED)`, {
      retryAfter: 60,
      extra: { upstream: id },
    })
  return c as C
}
