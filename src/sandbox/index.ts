import type { Logger } from '../log.js'
import { createSandboxApp, type Simulator } from './framework.js'
import { DvcqgSimulator } from './dvcqg/index.js'

export interface SandboxSimulators {
  dvcqg: DvcqgSimulator
  all: Simulator[]
}

/** Every built-in simulator (one line each). */
export function builtinSimulators(_seed: number): SandboxSimulators {
  const dvcqg = new DvcqgSimulator()
  return { dvcqg, all: [dvcqg] }
}

export async function createSandbox(seed: number, logger: Logger) {
  const sims = builtinSimulators(seed)
  const { app, kit } = await createSandboxApp({ seed, logger, simulators: sims.all })
  return { app, kit, sims }
}
