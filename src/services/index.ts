import type { HubConfig } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { HubMetrics } from '../metrics.js'
import type { Db } from '../store/index.js'
import type { QueueRuntime } from '../queue/runtime.js'
import type { Connector } from '../connectors/types.js'
import type { AuditWriter } from '../audit/index.js'
import { DossierService } from './dossiers/service.js'
import { CatalogSyncService } from './catalog/service.js'
import { WarehouseService } from './warehouse/service.js'
import { LookupService } from './lookups/service.js'

export interface ServiceContext {
  config: HubConfig
  logger: Logger
  metrics: HubMetrics
  db: Db
  queues: QueueRuntime
  connectors: Map<string, Connector>
  shutdownSignal: AbortSignal
  /** The one audit trail (batched writes into audit_log, subjects hashed). */
  audit: AuditWriter
}

/** A capability of the hub (dossier sync, catalog sync, …) with optional background work. */
export interface HubService {
  /** Start BullMQ workers and schedulers (worker / all roles only). */
  startWorkers?(): Promise<void>
  /** Stop background loops; workers are closed by the queue runtime. */
  stop?(): Promise<void>
}

export interface Services {
  dossiers: DossierService
  catalog: CatalogSyncService
  warehouse: WarehouseService
  lookups: LookupService
}

export async function createServices(ctx: ServiceContext): Promise<Services> {
  const dossiers = new DossierService(ctx)
  const catalog = new CatalogSyncService(ctx)
  dossiers.setCodeCheck((procedureCode, componentCodes) => catalog.checkDossierCodes(procedureCode, componentCodes))
  return { dossiers, catalog, warehouse: new WarehouseService(ctx), lookups: new LookupService(ctx) }
}
