import { registerConnector } from './connectors/index.js'
import { createDvcqgConnector } from './connectors/dvcqg/index.js'
import { createPopulationConnector } from './connectors/population/index.js'
import { createBusinessRegistryConnector } from './connectors/business-registry/index.js'
import { createTaxConnector } from './connectors/tax/index.js'
import { createBhxhConnector } from './connectors/bhxh/index.js'
import { createCivilStatusConnector } from './connectors/civil-status/index.js'

/**
 * Registers the built-in connectors (one line each). Kept apart from the registry so
 * tests can build a registry without pulling every connector in.
 */
let done = false
export function registerBuiltins(): void {
  if (done) return
  done = true
  registerConnector('dvcqg', createDvcqgConnector)
  registerConnector('population', createPopulationConnector)
  registerConnector('business-registry', createBusinessRegistryConnector)
  registerConnector('tax', createTaxConnector)
  registerConnector('bhxh', createBhxhConnector)
  registerConnector('civil-status', createCivilStatusConnector)
}
