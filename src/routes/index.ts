import type { HubApp } from './types.js'
import type { Hub } from '../hub.js'
import consoleRoutes from './console.js'
import dossierRoutes from './v1/dossiers.js'
import adminDossierRoutes from './admin/dossiers.js'
import catalogRoutes from './v1/catalog.js'
import adminCatalogRoutes from './admin/catalog.js'
import warehouseRoutes from './v1/warehouse.js'
import adminWarehouseRoutes from './admin/warehouse.js'
import lookupRoutes from './v1/lookups.js'
import adminAuditRoutes from './admin/audit.js'
import adminAuditSubjectRoutes from './admin/audit-subjects.js'
import adminDigitisationRoutes from './admin/digitisation.js'
import documentRoutes from './v1/documents.js'
import adminDocumentRoutes from './admin/documents.js'
import adminReportRoutes from './admin/reports.js'
import adminIndicatorRoutes from './admin/indicators.js'
import consoleSessionRoutes from './console-session.js'
import adminOverviewRoutes from './admin/overview.js'

/** Registers the v1 and admin routes of every capability (one line each). */
export async function registerRoutes(app: HubApp, _hub: Hub): Promise<void> {
  await app.register(consoleRoutes)
  await app.register(dossierRoutes)
  await app.register(adminDossierRoutes)
  await app.register(catalogRoutes)
  await app.register(adminCatalogRoutes)
  await app.register(warehouseRoutes)
  await app.register(adminWarehouseRoutes)
  await app.register(lookupRoutes)
  await app.register(adminAuditRoutes)
  await app.register(adminAuditSubjectRoutes)
  await app.register(adminDigitisationRoutes)
  await app.register(documentRoutes)
  await app.register(adminDocumentRoutes)
  await app.register(adminReportRoutes)
  await app.register(adminIndicatorRoutes)
  await app.register(consoleSessionRoutes)
  await app.register(adminOverviewRoutes)
}
