import type { Logger } from '../log.js'
import { createSandboxApp, type Simulator } from './framework.js'

/** Every built-in simulator (one line each). */
export function builtinSimulators(_seed: number): Simulator[] {
  return []
}

export async function createSandbox(seed: number, logger: Logger) {
  return createSandboxApp({ seed, logger, simulators: builtinSimulators(seed) })
}
