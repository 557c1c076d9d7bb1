import { registerConnector } from './connectors/index.js'
import { createDvcqgConnector } from './connectors/dvcqg/index.js'

/**
 * Registers the built-in connectors (one line each). Kept apart from the registry so
 * tests can build a registry without pulling every connector in.
 */
let done = false
export function registerBuiltins(): void {
  if (done) return
  done = true
  registerConnector('dvcqg', createDvcqgConnector)
}
