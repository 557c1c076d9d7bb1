import type { HubApp } from '../app.js'
import type { Hub } from '../hub.js'
import dossierRoutes from './v1/dossiers.js'
import adminDossierRoutes from './admin/dossiers.js'
import catalogRoutes from './v1/catalog.js'
import adminCatalogRoutes from './admin/catalog.js'
import warehouseRoutes from './v1/warehouse.js'
import adminWarehouseRoutes from './admin/warehouse.js'
import lookupRoutes from './v1/lookups.js'
import adminAuditRoutes from './admin/audit.js'

/** Registers the v1 and admin routes of every capability (one line each). */
export async function registerRoutes(app: HubApp, _hub: Hub): Promise<void> {
  await app.register(dossierRoutes)
  await app.register(adminDossierRoutes)
  await app.register(catalogRoutes)
  await app.register(adminCatalogRoutes)
  await app.register(warehouseRoutes)
  await app.register(adminWarehouseRoutes)
  await app.register(lookupRoutes)
  await app.register(adminAuditRoutes)
}
