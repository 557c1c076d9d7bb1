import type { Logger } from '../log.js'
import { createSandboxApp, type Simulator } from './framework.js'
import { DvcqgSimulator } from './dvcqg/index.js'
import { lookupSimulators, type LookupSimulators } from './lookups/index.js'

export interface SandboxSimulators {
  dvcqg: DvcqgSimulator
  lookups: LookupSimulators
  all: Simulator[]
}

/** Every built-in simulator (one line each). */
export function builtinSimulators(seed: number): SandboxSimulators {
  const dvcqg = new DvcqgSimulator()
  const lookups = lookupSimulators(seed)
  return { dvcqg, lookups, all: [dvcqg, lookups.population, lookups.businessRegistry, lookups.tax, lookups.bhxh, lookups.civilStatus] }
}

export async function createSandbox(seed: number, logger: Logger) {
  const sims = builtinSimulators(seed)
  const { app, kit } = await createSandboxApp({ seed, logger, simulators: sims.all })
  return { app, kit, sims }
}
