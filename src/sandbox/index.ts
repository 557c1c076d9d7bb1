import type { Logger } from 'pino'
import { createSandboxApp, type Simulator } from './framework.js'
import { DvcqgSimulator } from './dvcqg/index.js'
import { CatalogSimulator } from './dvcqg/catalog/simulator.js'
import { WarehouseSimulator } from './dvcqg/warehouse/index.js'
import { lookupSimulators, type LookupSimulators } from './lookups/index.js'
import { VdxpSimulator } from './vdxp/index.js'
import { PkiSimulator } from './pki/ca-server.js'

export interface SandboxSimulators {
  dvcqg: DvcqgSimulator
  catalog: CatalogSimulator
  warehouse: WarehouseSimulator
  /** The agency CA's CRL and OCSP responder (the warehouse's signers). */
  pki: PkiSimulator
  lookups: LookupSimulators
  vdxp: VdxpSimulator
  all: Simulator[]
}

export interface SandboxOptions {
  /** Procedures in the seeded national catalog (default 2,000). */
  catalogSize?: number
  /** Seeded warehouse owners (SANDBOX_WAREHOUSE_OWNERS). */
  warehouseOwners?: number
  /** Where to write the warehouse signing root (PEM) at start-up, for a hub that trusts it on a first run. */
  trustAnchorsFile?: string
}

/** Every built-in simulator (one line each). */
export function builtinSimulators(seed: number, opts: SandboxOptions = {}): SandboxSimulators {
  const dvcqg = new DvcqgSimulator()
  const catalog = new CatalogSimulator(dvcqg, { seed, size: opts.catalogSize ?? 2000 })
  const warehouse = new WarehouseSimulator(seed, { owners: opts.warehouseOwners }).install(dvcqg)
  const lookups = lookupSimulators(seed)
  const vdxp = new VdxpSimulator()
  const pki = new PkiSimulator(() => warehouse.pki)
  return {
    dvcqg,
    catalog,
    warehouse,
    pki,
    lookups,
    vdxp,
    all: [dvcqg, catalog, warehouse, pki, lookups.population, lookups.businessRegistry, lookups.tax, lookups.bhxh, lookups.civilStatus, vdxp],
  }
}

export async function createSandbox(seed: number, logger: Logger, opts: SandboxOptions = {}) {
  const sims = builtinSimulators(seed, opts)
  const { app, kit } = await createSandboxApp({ seed, logger, simulators: sims.all })
  // Signers' certificates name the sandbox's own CRL and OCSP URLs, known once it listens.
  app.addHook('onListen', function (done) {
    const addr = this.server.address()
    if (addr && typeof addr === 'object') {
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
      sims.warehouse.setRevocationBaseUrl(`http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`)
    }
    if (opts.trustAnchorsFile) sims.warehouse.exportTrustAnchors(opts.trustAnchorsFile)
    done()
  })
  return { app, kit, sims }
}
