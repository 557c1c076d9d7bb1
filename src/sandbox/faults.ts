import { hashLabel, mulberry32 } from './random.js'

/**
 * Fault injection for simulated national endpoints, set per simulator and operation
 * at runtime and reproducible by seed: each (simulator, operation) pair draws from its
 * own seeded random stream, so the same seed and the same request order give the
 * same faults.
 */

export interface FaultSpec {
  /** Added latency on every call (ms). */
  latencyMs?: number
  /** Extra uniform random latency 0..latencyJitterMs. */
  latencyJitterMs?: number
  /** Share of calls answered with `errorStatus` (default 503). */
  errorRate?: number
  errorStatus?: number
  /** Share of calls answered 429 with `Retry-After: retryAfterSec` (default 1). */
  rate429?: number
  retryAfterSec?: number
  /** Share of calls that never answer (the client must time out). */
  hangRate?: number
  /** Share of calls whose connection is reset. */
  resetRate?: number
  /** Share of calls answered 200 with a malformed body. */
  malformedRate?: number
  /** Share of calls told their session/token expired (simulator-specific answer). */
  expiredSessionRate?: number
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: '429'; retryAfterSec: number }
  | { kind: 'error'; status: number }
  | { kind: 'malformed' }
  | { kind: 'expired_session' }

export class FaultInjector {
  private readonly specs = new Map<string, FaultSpec>()
  private readonly streams = new Map<string, () => number>()

  constructor(private seed: number) {}

  private key(sim: string, op: string) {
    return `${sim}/${op}`
  }

  /** `op` may be `*` for every operation of the simulator. */
  set(sim: string, op: string, spec: FaultSpec): void {
    this.specs.set(this.key(sim, op), spec)
  }

  clear(sim?: string): void {
    if (!sim) this.specs.clear()
    else for (const k of [...this.specs.keys()]) if (k.startsWith(`${sim}/`)) this.specs.delete(k)
  }

  reseed(seed: number): void {
    this.seed = seed
    this.streams.clear()
  }

  list(): Record<string, FaultSpec> {
    return Object.fromEntries(this.specs)
  }

  spec(sim: string, op: string): FaultSpec | undefined {
    return this.specs.get(this.key(sim, op)) ?? this.specs.get(this.key(sim, '*'))
  }

  private rng(sim: string, op: string): () => number {
    const k = this.key(sim, op)
    let r = this.streams.get(k)
    if (!r) {
      r = mulberry32(this.seed ^ hashLabel(k))
      this.streams.set(k, r)
    }
    return r
  }

  /** Draws the fate of one call and its added latency. */
  decide(sim: string, op: string): { decision: FaultDecision; delayMs: number } {
    const s = this.spec(sim, op)
    if (!s) return { decision: { kind: 'none' }, delayMs: 0 }
    const rng = this.rng(sim, op)
    const delayMs = (s.latencyMs ?? 0) + (s.latencyJitterMs ? rng() * s.latencyJitterMs : 0)
    let r = rng()
    const pick = (rate: number | undefined) => {
      if (!rate) return false
      if (r < rate) return true
      r -= rate
      return false
    }
    let decision: FaultDecision = { kind: 'none' }
    if (pick(s.hangRate)) decision = { kind: 'hang' }
    else if (pick(s.resetRate)) decision = { kind: 'reset' }
    else if (pick(s.rate429)) decision = { kind: '429', retryAfterSec: s.retryAfterSec ?? 1 }
    else if (pick(s.errorRate)) decision = { kind: 'error', status: s.errorStatus ?? 503 }
    else if (pick(s.malformedRate)) decision = { kind: 'malformed' }
    else if (pick(s.expiredSessionRate)) decision = { kind: 'expired_session' }
    return { decision, delayMs }
  }
}
