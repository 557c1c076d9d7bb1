import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'

interface Sys {
  system: string
  enabled: boolean
  breaker: string
  calls: number
  errors: number
  errorRate: number | null
  p95Ms: number | null
  lastSuccessAt: string | null
  windowMinutes: number
}
interface Overview {
  at: string
  systems: Sys[]
  statusSync: {
    series: { at: string; accepted: number; delivered: number; backlog: number }[]
    backlog: number
    oldestReadyAgeSeconds: number | null
    retryWaiting: { dossiers: number; oldestAgeSeconds: number | null }
    parked: number
  }
  catalog: { lastRun: unknown }
  warehouse: { mirror: Record<string, number>; push: Record<string, number> }
  documents: { awaitingAck: number; failed: number }
}

const VIEW = { 'x-api-key': KEYS.viewer }
const N = 8 // dossiers created
const REJECTED = [2, 5, 7] // of them, refused by DVCQG (parked)

/** Calls and failed calls to `upstream` as the Prometheus histogram (a separate record of the same calls) counted them. */
async function promCalls(t: TestHub, upstream: string): Promise<{ calls: number; errors: number }> {
  const text = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
  let calls = 0
  let errors = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith('lgsp_hub_upstream_request_duration_seconds_count{') || !line.includes(`upstream="${upstream}"`)) continue
    const n = Number(line.slice(line.lastIndexOf(' ') + 1))
    calls += n
    if (!line.includes('outcome="ok"')) errors += n
  }
  return { calls, errors }
}

describe('GET /admin/overview (issue 15)', () => {
  let t: TestHub
  let other: TestHub | undefined
  const overview = async (base = t.url) => {
    const res = await fetch(`${base}/admin/overview`, { headers: VIEW })
    expect(res.status).toBe(200)
    return (await res.json()) as Overview
  }

  beforeAll(async () => {
    t = await startTestHub()
    for (const i of REJECTED)
      await fetch(`${t.sandbox.url}/dvcqg/_sandbox/rejections/${dossierCode(i)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Mã thủ tục không tồn tại trong CSDL TTHC' }),
      })
    for (let i = 1; i <= N; i++) {
      const res = await fetch(`${t.url}/v1/dossiers`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
        body: JSON.stringify(dossierBody(i, `ov-${i}`)),
      })
      expect(res.status).toBe(202)
    }
    await waitFor(async () => {
      const { rows } = await t.hub.db.query<{ n: string }>(`SELECT count(*) AS n FROM dossiers WHERE state = 'parked' OR delivered_seq = last_seq`)
      return Number(rows[0]?.n) === N
    }, 30_000)
  })
  afterAll(async () => {
    await other?.close()
    await t?.close()
  })

  it('status sync: accepted, delivered and parked as created; no backlog once settled', async () => {
    const o = await overview()
    const s = o.statusSync
    expect(s.parked).toBe(REJECTED.length)
    expect(s.backlog).toBe(0)
    expect(s.oldestReadyAgeSeconds).toBeNull()
    expect(s.retryWaiting).toEqual({ dossiers: 0, oldestAgeSeconds: null })
    // 6 hours of 10-minute buckets, oldest first.
    expect(s.series.length).toBeGreaterThanOrEqual(36)
    expect(s.series.length).toBeLessThanOrEqual(37)
    const times = s.series.map((p) => Date.parse(p.at))
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(600_000)
    expect(s.series.reduce((n, p) => n + p.accepted, 0)).toBe(N)
    expect(s.series.reduce((n, p) => n + p.delivered, 0)).toBe(N - REJECTED.length)
    expect(s.series.at(-1)!.backlog).toBe(0)
    expect(o.documents).toEqual({ awaitingAck: 0, failed: 0 })
    expect(o.catalog).toHaveProperty('lastRun')
    expect(Date.parse(o.at)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('per system: the calls and errors of the last 15 minutes equal what the hub made; disabled systems are shown as such', async () => {
    const o = await overview()
    const expected = await promCalls(t, 'dvcqg')
    expect(expected.calls).toBeGreaterThanOrEqual(N)
    const dv = o.systems.find((s) => s.system === 'dvcqg')!
    expect(dv).toMatchObject({ enabled: true, calls: expected.calls, errors: expected.errors, windowMinutes: 15, breaker: 'closed' })
    expect(dv.errorRate).toBeCloseTo(expected.errors / expected.calls, 10)
    expect(dv.p95Ms).toBeGreaterThan(0)
    expect(Date.parse(dv.lastSuccessAt!)).toBeGreaterThan(Date.now() - 15 * 60_000)
    // The portal, the five lookup systems (docs/adding-a-connector.md names them), the document exchange.
    expect(o.systems.map((s) => s.system)).toEqual(['dvcqg', 'population', 'business-registry', 'tax', 'bhxh', 'civil-status', 'vdxp'])
    for (const s of o.systems.filter((x) => x.system !== 'dvcqg'))
      expect(s, s.system).toMatchObject({ enabled: false, calls: 0, errors: 0, errorRate: null, p95Ms: null, lastSuccessAt: null, breaker: 'unknown' })
  })

  it('a backlog while DVCQG fails: the undelivered event is counted, its dossier ready or waiting for a retry', async () => {
    await fetch(`${t.sandbox.url}/_sandbox/faults/dvcqg/*`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, errorStatus: 503 }),
    })
    try {
      const before = await promCalls(t, 'dvcqg')
      const res = await fetch(`${t.url}/v1/dossiers`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
        body: JSON.stringify(dossierBody(N + 1, `ov-${N + 1}`)),
      })
      expect(res.status).toBe(202)
      await waitFor(async () => (await promCalls(t, 'dvcqg')).errors > before.errors)
      const o = await overview()
      expect(o.statusSync.backlog).toBe(1)
      expect(o.statusSync.series.at(-1)!.backlog).toBe(1)
      expect(o.statusSync.oldestReadyAgeSeconds !== null || o.statusSync.retryWaiting.dossiers === 1).toBe(true)
      expect(o.statusSync.parked).toBe(REJECTED.length)
      const dv = o.systems.find((s) => s.system === 'dvcqg')!
      // Numbers are read after this process flushed; calls may go on meanwhile: at least what was seen before.
      expect(dv.errors).toBeGreaterThan(before.errors)
    } finally {
      await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' })
    }
    await waitFor(async () => (await overview()).statusSync.backlog === 0, 30_000)
  })

  it('cluster-wide: calls made by another hub process sharing Redis are counted, its breaker state is published', async () => {
    other = await startTestHub({ sandbox: t.sandbox, workers: false, env: { QUEUE_PREFIX: t.config.QUEUE_PREFIX } })
    const before = (await overview()).systems.find((s) => s.system === 'dvcqg')!
    const ownBefore = (await promCalls(t, 'dvcqg')).calls
    const transport = other.hub.transports.get('dvcqg')!
    for (let i = 0; i < 5; i++) await transport.execute({ operation: 'test-ok' }, async () => i)
    for (let i = 0; i < 2; i++) await transport.execute({ operation: 'test-fail' }, async () => Promise.reject(new Error('boom'))).catch(() => undefined)
    await other.hub.upstreamCalls.flush()
    // Read from the first process: it sees the other's calls (and, with its own workers idle, nothing else moved).
    const after = (await overview()).systems.find((s) => s.system === 'dvcqg')!
    const ownDelta = (await promCalls(t, 'dvcqg')).calls - ownBefore
    expect(after.calls - before.calls).toBe(7 + ownDelta)
    expect(after.errors - before.errors).toBeGreaterThanOrEqual(2)
    // And the same numbers from the other process.
    const fromOther = (await overview(other.url)).systems.find((s) => s.system === 'dvcqg')!
    expect(fromOther.calls).toBeGreaterThanOrEqual(after.calls)
    expect(fromOther.breaker).toBe('closed')
  })

  it('is read-only for viewers and refused without a credential', async () => {
    expect((await fetch(`${t.url}/admin/overview`)).status).toBe(401)
    expect((await fetch(`${t.url}/admin/overview`, { headers: { 'x-api-key': KEYS.province } })).status).toBe(403)
  })
})
