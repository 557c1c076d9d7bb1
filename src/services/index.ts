import type { ServiceContext } from './context.js'
import { DossierService } from './dossiers/index.js'
import { CatalogSyncService } from './catalog/index.js'
import { WarehouseService } from './warehouse/index.js'
import { LookupService } from './lookups/index.js'
import { DigitisationService } from './digitisation/index.js'
import { DocumentService } from './documents/index.js'
import { ImportService } from './digitisation/import/index.js'
import { ReportService } from './indicators/reports/index.js'
import { PortalCheckService } from './indicators/portal-check/index.js'
import type { IndicatorReader } from './indicators/types.js'
import { IndicatorService } from './indicators/index.js'
import { OverviewService } from './overview/index.js'

export interface Services {
  dossiers: DossierService
  catalog: CatalogSyncService
  warehouse: WarehouseService
  lookups: LookupService
  digitisation: DigitisationService
  documents: DocumentService
  /** Backlog digitisation: bulk imports through the warehouse intake. */
  imports: ImportService
  /** Service-quality indicators (issue 14) from the per-dossier facts. */
  indicators: IndicatorService
  /** Monthly and quarterly indicator reports (CSV, XLSX) on a schedule. */
  reports: ReportService
  /** The portal spot-check: do DVCQG's records match what the hub delivered? */
  portalCheck: PortalCheckService
  /** The operator console's overview (issue 15). */
  overview: OverviewService
}

export interface CreateServicesOptions {
  /** The indicators the reports are built from (tests give a fake one); default: the hub's indicator service. */
  indicatorReader?: IndicatorReader
}

export async function createServices(ctx: ServiceContext, opts: CreateServicesOptions = {}): Promise<Services> {
  // Capabilities read each other only through ports: CatalogReader (dossier code check, reuse
  // codes) and DossierReader (a dossier's agency, for warehouse usage records).
  const catalog = new CatalogSyncService(ctx)
  const digitisation = new DigitisationService(ctx)
  const dossiers = new DossierService(ctx, catalog, digitisation)
  const warehouse = new WarehouseService(ctx, catalog, dossiers, digitisation)
  const indicators = new IndicatorService(ctx)
  const portalCheck = new PortalCheckService(ctx)
  // The spot-check's latest answer is shown beside DOSSIER_SYNC.
  indicators.setPortalConfirmation((agency) => portalCheck.latestConfirmation(agency))
  return {
    dossiers,
    catalog,
    warehouse,
    lookups: new LookupService(ctx, (code) => indicators.lookupMade(code)),
    digitisation,
    documents: new DocumentService(ctx),
    imports: new ImportService(ctx, warehouse.intake),
    indicators,
    reports: new ReportService(ctx, opts.indicatorReader ?? indicators),
    portalCheck,
    overview: new OverviewService(ctx, (limit) => catalog.runs(limit)),
  }
}

export type { HubService, ServiceContext } from './context.js'
