import type { Logger } from '../log.js'
import { createSandboxApp, type Simulator } from './framework.js'
import { DvcqgSimulator } from './dvcqg/index.js'
import { CatalogSimulator } from './dvcqg/catalog/simulator.js'
import { WarehouseSimulator } from './dvcqg/warehouse/index.js'
import { lookupSimulators, type LookupSimulators } from './lookups/index.js'

export interface SandboxSimulators {
  dvcqg: DvcqgSimulator
  catalog: CatalogSimulator
  warehouse: WarehouseSimulator
  lookups: LookupSimulators
  all: Simulator[]
}

export interface SandboxOptions {
  /** Procedures in the seeded national catalog (default 2,000). */
  catalogSize?: number
  /** Seeded warehouse owners (SANDBOX_WAREHOUSE_OWNERS). */
  warehouseOwners?: number
}

/** Every built-in simulator (one line each). */
export function builtinSimulators(seed: number, opts: SandboxOptions = {}): SandboxSimulators {
  const dvcqg = new DvcqgSimulator()
  const catalog = new CatalogSimulator(dvcqg, { seed, size: opts.catalogSize ?? 2000 })
  const warehouse = new WarehouseSimulator(seed, { owners: opts.warehouseOwners }).install(dvcqg)
  const lookups = lookupSimulators(seed)
  return {
    dvcqg,
    catalog,
    warehouse,
    lookups,
    all: [dvcqg, catalog, warehouse, lookups.population, lookups.businessRegistry, lookups.tax, lookups.bhxh, lookups.civilStatus],
  }
}

export async function createSandbox(seed: number, logger: Logger, opts: SandboxOptions = {}) {
  const sims = builtinSimulators(seed, opts)
  const { app, kit } = await createSandboxApp({ seed, logger, simulators: sims.all })
  return { app, kit, sims }
}
