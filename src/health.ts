import type { Hub } from './hub.js'
import type { CheckResult } from './connectors/types.js'
import { timedCheck } from './connectors/types.js'
import type { UpstreamObservation } from './http/transport.js'
import { singleFlight } from './lib/single-flight.js'

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

/** Runs `run` at most once at a time and reuses its answer for `ttlMs`. */
function cachedFlight<T>(ttlMs: number, run: () => Promise<T>): () => Promise<T> {
  let cached: { value: T; at: number } | undefined
  const flight = singleFlight(async () => {
    const value = await run()
    cached = { value, at: Date.now() }
    return value
  })
  return async () => (cached && Date.now() - cached.at < ttlMs ? cached.value : flight())
}

/**
 * Readiness = the hub can accept work: the database and Redis answer, each within a
 * short timeout, probed in parallel. National systems are NOT part of it: a DVCQG
 * outage must not take the intake API out of the load balancer while the outbox keeps
 * accepting (their state is in /health/upstreams and the metrics). The result is
 * cached briefly so a storm of probes costs one round of checks.
 */
export function createReadiness(hub: Pick<Hub, 'db' | 'queues' | 'config'>): () => Promise<Readiness> {
  const timeout = hub.config.READY_CHECK_TIMEOUT_MS
  const probes: Record<string, () => Promise<CheckResult>> = {
    database: () => timedCheck(() => withTimeout(hub.db.ping(), timeout, 'database')),
    redis: () => timedCheck(async () => void (await withTimeout(hub.queues.producer.ping(), timeout, 'redis'))),
  }
  return cachedFlight(hub.config.READY_CACHE_MS, async () => {
    const names = Object.keys(probes)
    const results = await Promise.all(names.map((n) => probes[n]!()))
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!]))
    return { ok: results.every((r) => r.ok), checkedAt: new Date().toISOString(), checks }
  })
}

/**
 * Readiness of a worker process (its health listener, WORKER_HEALTH_PORT): the database
 * and Redis answer, and every queue worker it started is running (not closed, not
 * stopped by a lost connection it could not get back).
 */
export function createWorkerReadiness(hub: Pick<Hub, 'db' | 'queues' | 'config'>): () => Promise<Readiness> {
  const base = createReadiness(hub)
  return async () => {
    const r = await base()
    const states = hub.queues.workerStates()
    const stopped = states.filter((s) => !s.running).map((s) => s.queue)
    const workers: CheckResult = {
      ok: states.length > 0 && stopped.length === 0,
      latencyMs: 0,
      detail: states.length === 0 ? 'no queue worker started' : stopped.length ? `not running: ${stopped.join(', ')}` : `${states.length} running`,
    }
    return { ok: r.ok && workers.ok, checkedAt: r.checkedAt, checks: { ...r.checks, workers } }
  }
}

export interface UpstreamHealth {
  state: 'up' | 'down'
  /** The shared transport's circuit breaker (`none` when the upstream has none). */
  breaker: UpstreamObservation['circuit']
  lastSuccessAt?: string
  lastErrorKind?: string
  lastErrorAt?: string
  lastLatencyMs?: number
  p95LatencyMs?: number
  /** The connector's own probe (`check()`), cached. */
  probe: CheckResult & { checkedAt: string }
}

export interface UpstreamsReport {
  checkedAt: string
  upstreams: Record<string, UpstreamHealth>
}

/** Probes are not free for the national side: one round per this long at most. */
const UPSTREAM_PROBE_CACHE_MS = 10_000

/**
 * Per enabled connector: up/down, breaker state, last success, recent latency and
 * last error kind, from what the shared transport saw of its calls plus a cached
 * `check()` probe. Down = the breaker is open, the probe failed, or the latest call
 * failed for a reason that speaks of the upstream's health (timeout, reset, 5xx, 429)
 * after the latest success. Updates the `lgsp_hub_upstream_up` gauge.
 */
export function createUpstreamHealth(hub: Pick<Hub, 'connectors' | 'transports' | 'config' | 'metrics'>): () => Promise<UpstreamsReport> {
  const timeout = hub.config.READY_CHECK_TIMEOUT_MS
  const probeAll = cachedFlight(Math.max(hub.config.READY_CACHE_MS, UPSTREAM_PROBE_CACHE_MS), async () => {
    const ids = [...hub.connectors.keys()]
    const results = await Promise.all(
      ids.map((id) =>
        timedCheck(async () => {
          const res = await withTimeout(hub.connectors.get(id)!.check(), timeout, id)
          if (!res.ok) throw new Error(res.detail ?? `${id} check failed`)
          return res.detail
        }),
      ),
    )
    const checkedAt = new Date().toISOString()
    return new Map(ids.map((id, i) => [id, { ...results[i]!, checkedAt }]))
  })
  return async () => {
    const probes = await probeAll()
    const upstreams: Record<string, UpstreamHealth> = {}
    for (const [id, probe] of probes) {
      const seen = hub.transports.get(id)?.observe()
      const faultLast = seen?.lastFaultAt !== undefined && (seen.lastSuccessAt === undefined || seen.lastFaultAt >= seen.lastSuccessAt)
      const state = !probe.ok || seen?.circuit === 'open' || faultLast ? 'down' : 'up'
      hub.metrics.upstreamUp.labels(id).set(state === 'up' ? 1 : 0)
      upstreams[id] = {
        state,
        breaker: seen?.circuit ?? 'none',
        ...(seen?.lastSuccessAt ? { lastSuccessAt: seen.lastSuccessAt } : {}),
        ...(seen?.lastErrorKind ? { lastErrorKind: seen.lastErrorKind, lastErrorAt: seen.lastErrorAt } : {}),
        ...(seen?.lastLatencyMs !== undefined ? { lastLatencyMs: seen.lastLatencyMs, p95LatencyMs: seen.p95LatencyMs } : {}),
        probe,
      }
    }
    return { checkedAt: new Date().toISOString(), upstreams }
  }
}
