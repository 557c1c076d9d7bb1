/**
 * Load generator for bench/lookups.ts, in its own process (forked, commands over IPC):
 * a closed loop (`connections` workers, each sending its next request when the previous
 * answers) or an open loop at a fixed rate (requests leave on a schedule whatever the
 * answers; latency from the moment each request left). undici pool, keep-alive.
 */
import { Pool } from 'undici'

export interface RequestSpec {
  path: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
}

/** What the generator is told to do (the request list is cycled; `refresh` names header values rebuilt each second). */
export interface LoadCommand {
  origin: string
  mode: 'closed' | 'open'
  seconds: number
  connections: number
  /** Open loop: requests per second. */
  rate?: number
  requests: RequestSpec[]
  /** Hashed Basic (population): the headers are recomputed each second for this URL (timestamped digest). */
  hashedBasic?: { url: string; user: string; secret: string }
  record: boolean
}

export interface LoadResult {
  requests: number
  errors: number
  statuses: Record<string, number>
  seconds: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  /** Open loop: how late (p99, ms) requests left against their schedule (the generator's own lag). */
  scheduleLagP99?: number
}

const r2 = (x: number) => Math.round(x * 100) / 100
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? NaN

async function hashedBasicHeaders(h: NonNullable<LoadCommand['hashedBasic']>): Promise<Record<string, string>> {
  const { hashedBasicDigest } = await import('../src/outbound-auth/hashed-basic.js')
  const ts = String(Date.now())
  return { timestamp: ts, authorization: `Basic ${Buffer.from(`${h.user}:${hashedBasicDigest(h.url, h.user, ts, h.secret)}`).toString('base64')}` }
}

export async function runLoad(cmd: LoadCommand): Promise<LoadResult> {
  const pool = new Pool(cmd.origin, { connections: cmd.connections, pipelining: 1, keepAliveTimeout: 30_000 })
  let auth: Record<string, string> = cmd.hashedBasic ? await hashedBasicHeaders(cmd.hashedBasic) : {}
  const refresh = cmd.hashedBasic
    ? setInterval(() => {
        void hashedBasicHeaders(cmd.hashedBasic!).then((h) => (auth = h))
      }, 1000)
    : undefined
  const times: number[] = []
  const lags: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  let n = 0
  const one = async () => {
    const spec = cmd.requests[n++ % cmd.requests.length]!
    const t0 = performance.now()
    try {
      const res = await pool.request({ path: spec.path, method: spec.method, headers: { ...spec.headers, ...auth }, body: spec.body })
      await res.body.arrayBuffer()
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
      if (res.statusCode !== 200) errors++
      else if (cmd.record) times.push(performance.now() - t0)
    } catch {
      errors++
      statuses['error'] = (statuses['error'] ?? 0) + 1
    }
  }
  const started = performance.now()
  const until = started + cmd.seconds * 1000
  if (cmd.mode === 'closed') {
    await Promise.all(
      Array.from({ length: cmd.connections }, async () => {
        while (performance.now() < until) await one()
      }),
    )
  } else {
    const interval = 1000 / (cmd.rate ?? 200)
    const inflight = new Set<Promise<void>>()
    let i = 0
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now()
        for (;;) {
          const due = started + i * interval
          if (due > now || due >= until) break
          lags.push(now - due)
          const p = one()
          inflight.add(p)
          void p.finally(() => inflight.delete(p))
          i++
        }
        if (started + i * interval >= until) return done()
        setTimeout(tick, Math.max(0, started + i * interval - performance.now()))
      }
      tick()
    })
    await Promise.all(inflight)
  }
  const elapsed = (performance.now() - started) / 1000
  if (refresh) clearInterval(refresh)
  await pool.close()
  times.sort((a, b) => a - b)
  lags.sort((a, b) => a - b)
  return {
    requests: times.length,
    errors,
    statuses,
    seconds: r2(elapsed),
    rps: r2(times.length / elapsed),
    p50: r2(pct(times, 0.5)),
    p90: r2(pct(times, 0.9)),
    p99: r2(pct(times, 0.99)),
    max: r2(times[times.length - 1] ?? NaN),
    ...(cmd.mode === 'open' ? { scheduleLagP99: r2(pct(lags, 0.99)) } : {}),
  }
}

if (process.send) {
  process.on('message', (cmd: LoadCommand) => {
    runLoad(cmd).then(
      (r) => process.send!({ ok: true, result: r }),
      (e: unknown) => process.send!({ ok: false, error: String((e as Error).stack ?? e) }),
    )
  })
  process.send({ ready: true })
}
