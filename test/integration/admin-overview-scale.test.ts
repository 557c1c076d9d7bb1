import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { createTestDatabase } from '../helpers/pg.js'

const DOSSIERS = 100_000
const PARKED = 1000
const PENDING = 2000
const VIEW = { 'x-api-key': KEYS.viewer }

/**
 * The measured bound of issue 15: the overview (and the console's searches) answer within
 * 1 s with 100,000 dossiers and 1,000 parked, on PostgreSQL. Rows are seeded by SQL (two
 * events each, spread over the last 6 hours); the times are printed and asserted generously.
 */
describe('operator console at scale (PostgreSQL, 100,000 dossiers)', () => {
  let t: TestHub
  let drop: () => Promise<void>

  beforeAll(async () => {
    const db = await createTestDatabase()
    drop = db.drop
    t = await startTestHub({ workers: false, env: { DATABASE_URL: db.url } })
    // Dossier i: agency 000.00.<i % 20 + 1>.H56; the first PARKED parked (second event parked), the next PENDING
    // with one undelivered event, the rest delivered.
    await t.hub.db.query(
      `INSERT INTO dossiers (code, procedure_code, agency_code, snapshot, current_status, last_seq, delivered_seq, state, parked_reason, parked_at, touched_at, created_at)
       SELECT format('000.00.%s.H56-2611%s-%s', lpad((i % 20 + 1)::text, 2, '0'), lpad((i / 10000 % 28 + 1)::text, 2, '0'), lpad((i % 10000)::text, 4, '0')),
              '1.001234', format('000.00.%s.H56', lpad((i % 20 + 1)::text, 2, '0')), '{"receivedAt":"2026-11-20T08:30:00+07:00"}'::jsonb, 'DA_TIEP_NHAN',
              2, CASE WHEN i <= $1 THEN 1 WHEN i <= $1 + $2 THEN 1 ELSE 2 END,
              CASE WHEN i <= $1 THEN 'parked' ELSE 'active' END, CASE WHEN i <= $1 THEN 'rejected' END, CASE WHEN i <= $1 THEN now() END,
              now() - make_interval(secs => (i % 21600)), now() - make_interval(secs => (i % 21600))
       FROM generate_series(1, $3) i`,
      [PARKED, PENDING, DOSSIERS],
    )
    await t.hub.db.query(
      `INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload, state, accepted_at, delivered_at)
       SELECT d.code, s, d.code || '-' || s, 'province-test', CASE WHEN s = 1 THEN 'upsert' ELSE 'event' END, '{}'::jsonb,
              CASE WHEN s <= d.delivered_seq THEN 'delivered' WHEN d.state = 'parked' THEN 'parked' ELSE 'pending' END,
              d.created_at + make_interval(secs => s), CASE WHEN s <= d.delivered_seq THEN d.created_at + make_interval(secs => s + 1) END
       FROM dossiers d CROSS JOIN generate_series(1, 2) s`,
    )
    await t.hub.db.query('ANALYZE dossiers')
    await t.hub.db.query('ANALYZE dossier_events')
  }, 300_000)
  afterAll(async () => {
    await t?.close()
    await drop?.()
  })

  const timed = async (path: string) => {
    const started = performance.now()
    const res = await fetch(t.url + path, { headers: VIEW })
    const body = (await res.json()) as Record<string, unknown>
    return { ms: performance.now() - started, status: res.status, body }
  }

  it('GET /admin/overview answers within 1 s with the right numbers', async () => {
    await timed('/admin/overview') // warm-up (plans, connections)
    const times: number[] = []
    let last: Record<string, unknown> = {}
    for (let i = 0; i < 5; i++) {
      const r = await timed('/admin/overview')
      expect(r.status).toBe(200)
      times.push(r.ms)
      last = r.body
    }
    const sync = last['statusSync'] as { parked: number; backlog: number; series: { accepted: number; delivered: number }[] }
    expect(sync.parked).toBe(PARKED)
    // Undelivered and not parked: the PENDING dossiers' second event.
    expect(sync.backlog).toBe(PENDING)
    const accepted = sync.series.reduce((n, p) => n + p.accepted, 0)
    expect(accepted).toBeGreaterThan(DOSSIERS) // most of the 200,000 events fall in the 6-hour window
    times.sort((a, b) => a - b)
    console.info(
      `GET /admin/overview, ${DOSSIERS} dossiers / ${PARKED} parked on PostgreSQL: median ${times[2]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`,
    )
    expect(times[4]!).toBeLessThan(1000)
  })

  it('the console searches answer within 1 s', async () => {
    const paths = [
      '/admin/dossiers/search?state=parked&agency=000.00.07.H56',
      '/admin/dossiers/search?state=pending',
      '/admin/dossiers/search?code=000.00.13.H56-261105',
      '/admin/dossiers/search?agency=000.00.00.H56&limit=200',
    ]
    for (const p of paths) {
      await timed(p)
      const r = await timed(p)
      expect(r.status, p).toBe(200)
      expect((r.body['items'] as unknown[]).length, p).toBeGreaterThan(0)
      console.info(`GET ${p}: ${r.ms.toFixed(0)} ms`)
      expect(r.ms, p).toBeLessThan(1000)
    }
    const dry = await fetch(`${t.url}/admin/dossiers/replay`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.operator, 'content-type': 'application/json' },
      body: JSON.stringify({ agency: '000.00.07.H56', dryRun: true }),
    })
    // Parked dossiers are i = 1..1000; agency 07 is i % 20 = 6: 50 of them.
    expect(await dry.json()).toMatchObject({ count: 50 })
  })
})
