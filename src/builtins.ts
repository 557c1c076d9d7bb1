import { registerConnector } from './connectors/index.js'
import { createDvcqgConnector } from './connectors/dvcqg/index.js'
import { LOOKUP_CONNECTORS } from './connectors/lookups.js'
import { createVdxpConnector } from './connectors/vdxp/index.js'

/**
 * Registers the built-in connectors: DVCQG, and every lookup connector listed in
 * src/connectors/lookups.ts. Kept apart from the registry so tests can build a
 * registry without pulling every connector in.
 */
let done = false
export function registerBuiltins(): void {
  if (done) return
  done = true
  registerConnector('dvcqg', createDvcqgConnector)
  registerConnector('vdxp', createVdxpConnector)
  for (const lookup of LOOKUP_CONNECTORS) registerConnector(lookup.id, lookup.connector)
}
