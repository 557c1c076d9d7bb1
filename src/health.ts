import type { Hub } from './hub.js'
import type { CheckResult } from './connectors/types.js'
import { timedCheck } from './connectors/types.js'
import { singleFlight } from './http/auth.js'

export interface Readiness {
  ok: boolean
  checkedAt: string
  checks: Record<string, CheckResult>
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Readiness = the database, Redis and every enabled connector answer, each within a
 * short timeout, all probed in parallel. The result is cached briefly so a storm of
 * probes costs one round of checks.
 */
export function createReadiness(hub: Pick<Hub, 'db' | 'queues' | 'connectors' | 'config'>): () => Promise<Readiness> {
  const timeout = hub.config.READY_CHECK_TIMEOUT_MS
  const probes: Record<string, () => Promise<CheckResult>> = {
    database: () => timedCheck(() => withTimeout(hub.db.ping(), timeout, 'database')),
    redis: () => timedCheck(async () => void (await withTimeout(hub.queues.producer.ping(), timeout, 'redis'))),
  }
  for (const [id, c] of hub.connectors) {
    probes[`connector:${id}`] = async () => {
      const r = await timedCheck(async () => {
        const res = await withTimeout(c.check(), timeout, id)
        if (!res.ok) throw new Error(res.detail ?? `${id} check failed`)
        return res.detail
      })
      return r
    }
  }
  let cached: Readiness | undefined
  let cachedAt = 0
  const run = singleFlight(async () => {
    const names = Object.keys(probes)
    const results = await Promise.all(names.map((n) => probes[n]!()))
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!]))
    cached = { ok: results.every((r) => r.ok), checkedAt: new Date().toISOString(), checks }
    cachedAt = Date.now()
    return cached
  })
  return async () => (cached && Date.now() - cachedAt < hub.config.READY_CACHE_MS ? cached : run())
}
