import type { Redis } from 'ioredis'

/** Upper bounds (ms) of the latency buckets; the last bucket is everything slower. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const
/** Minutes of per-minute buckets kept in Redis (the overview reads the last WINDOW_MINUTES). */
const KEEP_MINUTES = 20
export const WINDOW_MINUTES = 15
/** A published breaker state older than this is not shown (its process is gone). */
const BREAKER_TTL_S = 120

export type BreakerState = 'closed' | 'open' | 'half-open'

interface Bucket {
  calls: number
  errors: number
  buckets: number[]
  lastOkAt: number
}

export interface SystemWindow {
  calls: number
  errors: number
  /** Upper bound of the latency bucket holding the 95th percentile; null without calls. */
  p95Ms: number | null
  lastSuccessAt: number | null
  breaker: { state: BreakerState; at: number } | undefined
}

const bucketOf = (ms: number) => {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i
  return LATENCY_BOUNDS_MS.length
}

/**
 * Every upstream call of every process, counted for the operator console. Calls are
 * counted in memory (no I/O on the call path) and flushed every `flushMs` into Redis
 * per-minute hashes `<prefix>:console:calls:<system>:<minute>` (calls, errors, latency
 * buckets; pipelined; kept KEEP_MINUTES), so any API process reads the whole cluster's
 * numbers. Breaker states are published per system, latest wins, with their time, on each
 * change and each flush. Bounded keys: systems × KEEP_MINUTES, one breaker key per system.
 */
export class UpstreamCalls {
  private redis?: Redis
  private pending = new Map<string, Bucket>()
  private readonly breakers = new Map<string, () => BreakerState | 'none'>()
  private timer?: NodeJS.Timeout
  private flushing?: Promise<void>

  constructor(
    private readonly prefix: string,
    private readonly flushMs = 2000,
  ) {}

  private key(system: string, minute: number) {
    return `${this.prefix}:console:calls:${system}:${minute}`
  }
  private lastOkKey(system: string) {
    return `${this.prefix}:console:lastok:${system}`
  }
  private breakerKey(system: string) {
    return `${this.prefix}:console:breaker:${system}`
  }

  /** Starts flushing into `redis` (the hub's shared connection). */
  attach(redis: Redis): void {
    this.redis = redis
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.flushMs)
    this.timer.unref()
  }

  /** The transport hook of `system`. */
  hook(system: string): (c: { ok: boolean; ms: number }) => void {
    return (c) => this.record(system, c.ok, c.ms)
  }

  /** Publishes `system`'s breaker: its state now (`current`) on every flush, and each change at once. */
  watchBreaker(system: string, current: () => BreakerState | 'none'): () => void {
    this.breakers.set(system, current)
    return () => void this.flush().catch(() => undefined)
  }

  record(system: string, ok: boolean, ms: number, now = Date.now()): void {
    const minute = Math.floor(now / 60_000)
    const k = `${system}\u0000${minute}`
    let b = this.pending.get(k)
    if (!b) this.pending.set(k, (b = { calls: 0, errors: 0, buckets: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0), lastOkAt: 0 }))
    b.calls++
    if (!ok) b.errors++
    else b.lastOkAt = Math.max(b.lastOkAt, now)
    b.buckets[bucketOf(ms)]!++
  }

  /** Writes what was counted since the last flush (one pipeline); concurrent callers share one flush. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing
    this.flushing = this.doFlush().finally(() => (this.flushing = undefined))
    return this.flushing
  }

  private async doFlush(): Promise<void> {
    const redis = this.redis
    if (!redis) return
    const batch = this.pending
    this.pending = new Map()
    const p = redis.pipeline()
    for (const [k, b] of batch) {
      const [system, minute] = k.split('\u0000') as [string, string]
      const key = this.key(system, Number(minute))
      p.hincrby(key, 'calls', b.calls)
      if (b.errors) p.hincrby(key, 'errors', b.errors)
      b.buckets.forEach((n, i) => n && p.hincrby(key, `b${i}`, n))
      p.expire(key, KEEP_MINUTES * 60)
      // Latest success wins across processes: only a later time replaces the stored one.
      if (b.lastOkAt)
        p.eval(
          "local v = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1], 'EX', 86400) end return 1",
          1,
          this.lastOkKey(system),
          String(b.lastOkAt),
        )
    }
    const now = Date.now()
    for (const [system, current] of this.breakers) {
      const state = current()
      if (state !== 'none') p.set(this.breakerKey(system), JSON.stringify({ state, at: now }), 'EX', BREAKER_TTL_S)
    }
    if (p.length === 0) return
    try {
      await p.exec()
    } catch (e) {
      // Counted again next time rather than lost (a Redis blip).
      for (const [k, b] of batch) {
        const into = this.pending.get(k)
        if (!into) this.pending.set(k, b)
        else {
          into.calls += b.calls
          into.errors += b.errors
          into.lastOkAt = Math.max(into.lastOkAt, b.lastOkAt)
          b.buckets.forEach((n, i) => (into.buckets[i]! += n))
        }
      }
      throw e
    }
  }

  /** The last `minutes` minutes (this one included) of each system, the whole cluster's, read in one pipeline. */
  async window(systems: readonly string[], minutes = WINDOW_MINUTES, now = Date.now()): Promise<Map<string, SystemWindow>> {
    const out = new Map<string, SystemWindow>()
    const redis = this.redis
    if (!redis) return out
    const minute = Math.floor(now / 60_000)
    const p = redis.pipeline()
    for (const s of systems) {
      for (let m = minute - minutes + 1; m <= minute; m++) p.hgetall(this.key(s, m))
      p.get(this.lastOkKey(s))
      p.get(this.breakerKey(s))
    }
    const replies = (await p.exec()) ?? []
    let i = 0
    for (const s of systems) {
      let calls = 0
      let errors = 0
      const buckets = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0)
      for (let m = 0; m < minutes; m++) {
        const h = (replies[i++]?.[1] ?? {}) as Record<string, string>
        calls += Number(h['calls'] ?? 0)
        errors += Number(h['errors'] ?? 0)
        for (let b = 0; b < buckets.length; b++) buckets[b]! += Number(h[`b${b}`] ?? 0)
      }
      const lastOk = replies[i++]?.[1] as string | null
      const breakerRaw = replies[i++]?.[1] as string | null
      let breaker: SystemWindow['breaker']
      try {
        breaker = breakerRaw ? (JSON.parse(breakerRaw) as { state: BreakerState; at: number }) : undefined
      } catch {
        breaker = undefined
      }
      out.set(s, { calls, errors, p95Ms: p95(buckets, calls), lastSuccessAt: lastOk ? Number(lastOk) : null, breaker })
    }
    return out
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.flush().catch(() => undefined)
  }
}

/** The upper bound of the bucket holding the 95th percentile call (the slowest bucket: its lower bound). */
function p95(buckets: number[], calls: number): number | null {
  if (!calls) return null
  const rank = Math.ceil(calls * 0.95)
  let seen = 0
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!
    if (seen >= rank) return i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!
  }
  return null
}
