import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { createTestDatabase } from '../helpers/pg.js'

/**
 * Issue 14, acceptance 5: dossiers synced through the real hub to the sandbox portal over HTTP;
 * the sandbox then loses one (its `_sandbox` control) and shows another with a different status;
 * the scheduled spot-check reports both unconfirmed with a reason and the rest confirmed.
 */
const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const ADMIN = { 'x-api-key': KEYS.operator }
const VIEWER = { 'x-api-key': KEYS.viewer }
/** The province's status table, read as data: the expected national codes come from it, not from the hub. */
const STATUS_MAP = JSON.parse(readFileSync('config/status-map.json', 'utf8')) as Record<string, number>

/** `daysAgo` days before now, as the one-stop system writes it (+07:00). */
function vnTime(daysAgo: number): string {
  const t = new Date(Date.now() - daysAgo * 86_400_000 + 7 * 3_600_000)
  return t.toISOString().replace(/\.\d{3}Z$/, '+07:00')
}

interface PortalCheckAnswer {
  runId: string | null
  confirmation: { sampled: number; confirmed: number; ratio: number | null; checkedAt: string } | null
  unconfirmed: { dossierCode: string; agencyCode: string; expectedStatus: number | null; portalStatus: number | null; outcome: string; reason: string }[]
}

describe('portal spot-check against the sandbox portal (real Redis, PostgreSQL, sandbox over HTTP)', () => {
  let t: TestHub
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  const ids = [101, 102, 103, 104, 105, 106]
  const codes = ids.map((i) => dossierCode(i))
  const [lost, changed, advanced] = codes
  const old = dossierCode(107)

  beforeAll(async () => {
    // No cron at start: the test installs one (every second) once its dossiers are in place.
    // PostgreSQL here (the report test runs on PGlite): the migration and queries on both engines.
    database = await createTestDatabase()
    t = await startTestHub({ env: { DATABASE_URL: database.url, PORTAL_CHECK_CRON: '', PORTAL_CHECK_SAMPLE: 50, PORTAL_CHECK_WINDOW_DAYS: 30 } })
  })
  afterAll(async () => {
    await t?.close()
    await database?.drop()
  })

  const get = async (path: string, headers: Record<string, string> = ADMIN) => {
    const res = await fetch(t.url + path, { headers })
    return { status: res.status, body: (await res.json()) as PortalCheckAnswer & Record<string, unknown> }
  }

  it('reports the dossier the portal lost as unconfirmed, the one it shows with another status too, the others confirmed', async () => {
    expect((await get('/admin/indicators/portal-check')).body).toEqual({ runId: null, confirmation: null, unconfirmed: [] })
    for (const [n, i] of ids.entries()) {
      const res = await fetch(`${t.url}/v1/dossiers`, {
        method: 'POST',
        headers: H,
        body: JSON.stringify(dossierBody(i, `pc-${i}`, { receivedAt: vnTime(1 + n) })),
      })
      expect(res.status).toBe(202)
    }
    // Outside the window: never sampled.
    expect(
      (await fetch(`${t.url}/v1/dossiers`, { method: 'POST', headers: H, body: JSON.stringify(dossierBody(107, 'pc-107', { receivedAt: vnTime(45) })) }))
        .status,
    ).toBe(202)
    // One dossier moves on: the portal must show its latest delivered status, DANG_XU_LY.
    const ev = { eventId: 'pc-advance', occurredAt: vnTime(0), status: 'DANG_XU_LY' }
    expect((await fetch(`${t.url}/v1/dossiers/${advanced}/events`, { method: 'POST', headers: H, body: JSON.stringify(ev) })).status).toBe(202)
    await waitFor(async () => {
      const states = await Promise.all(
        [...codes, old].map(async (c) => (await (await fetch(`${t.url}/v1/dossiers/${c}/sync`, { headers: H })).json()) as { events: { state: string }[] }),
      )
      return states.every((s) => s.events.every((e) => e.state === 'delivered'))
    }, 30_000)

    // The sandbox portal loses one dossier (its control endpoint, over HTTP) and shows another one as finished.
    expect((await fetch(`${t.sandbox.url}/dvcqg/_sandbox/dossiers/${lost}`, { method: 'DELETE' })).status).toBe(200)
    expect((await fetch(`${t.sandbox.url}/dvcqg/_sandbox/dossiers/${lost}`)).status).toBe(404)
    t.sandbox.sims.dvcqg.dossier(changed!)!.hoso['TrangThaiHoSo'] = '9'

    // The spot-check runs from its job scheduler (the worker's own queue and scheduler id; a cron
    // every second, firing once, instead of PORTAL_CHECK_CRON's nightly one), without an operator.
    await t.hub.services.portalCheck.worker.queue.upsertJobScheduler(
      'portal-check-scheduled',
      { pattern: '* * * * * *', limit: 1 },
      { name: 'scheduled', data: { trigger: 'schedule' } },
    )
    const answer = await waitFor(async () => {
      const r = (await get('/admin/indicators/portal-check')).body
      return r.runId ? r : undefined
    }, 20_000)
    await t.hub.services.portalCheck.worker.queue.removeJobScheduler('portal-check-scheduled')
    const { rows: runs } = await t.hub.db.query<{ trigger: string }>('SELECT trigger FROM portal_check_runs')
    expect(runs).toEqual([{ trigger: 'schedule' }])

    const received = STATUS_MAP['DA_TIEP_NHAN']!
    expect(answer.unconfirmed.map((u) => [u.dossierCode, u.outcome, u.expectedStatus, u.portalStatus]).sort()).toEqual(
      [
        [lost, 'missing', received, null],
        [changed, 'status_differs', received, 9],
      ].sort(),
    )
    for (const u of answer.unconfirmed) expect(u.reason.length).toBeGreaterThan(10)
    expect(answer.unconfirmed.find((u) => u.dossierCode === lost)!.reason).toMatch(/does not hold/)
    // Sampled: the six in the window (the old one is outside it); confirmed: all but the two.
    expect(answer.confirmation).toMatchObject({ sampled: codes.length, confirmed: codes.length - 2, ratio: (codes.length - 2) / codes.length })
    expect(await t.hub.services.portalCheck.latestConfirmation()).toEqual(answer.confirmation)
    // The indicators show it beside DOSSIER_SYNC.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
    const indicators = await get(`/admin/indicators?from=${day(-60)}&to=${day(2)}`)
    expect(indicators.status, JSON.stringify(indicators.body)).toBe(200)
    const sync = (indicators.body['metrics'] as { code: string; portalConfirmed?: unknown }[]).find((m) => m.code === 'DOSSIER_SYNC')
    expect(sync?.portalConfirmed).toEqual(answer.confirmation)

    // Each check is recorded: the advanced dossier was compared with its latest delivered status.
    const { rows } = await t.hub.db.query<{ dossier_code: string; expected_status: number; portal_status: number; confirmed: boolean }>(
      'SELECT dossier_code, expected_status, portal_status, confirmed FROM portal_checks WHERE run_id = $1::bigint',
      [answer.runId],
    )
    expect(rows.map((r) => r.dossier_code).sort()).toEqual([...codes].sort())
    // Counted for Prometheus too.
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
    expect(metrics).toContain('lgsp_hub_portal_checks_total{outcome="missing"} 1')
    expect(metrics).toContain('lgsp_hub_portal_checks_total{outcome="status_differs"} 1')
    expect(metrics).toContain(`lgsp_hub_portal_checks_total{outcome="confirmed"} ${codes.length - 2}`)
    expect(rows.find((r) => r.dossier_code === advanced)).toMatchObject({
      expected_status: STATUS_MAP['DANG_XU_LY'],
      portal_status: STATUS_MAP['DANG_XU_LY'],
      confirmed: true,
    })
  }, 60_000)

  it('filters by agency, and only operators may start a run', async () => {
    const other = (await get('/admin/indicators/portal-check?agency=000.00.07.H56')).body
    expect(other.confirmation).toMatchObject({ sampled: 0, confirmed: 0, ratio: null })
    expect(other.unconfirmed).toEqual([])
    const province = (await get('/admin/indicators/portal-check?agency=000.00.00.H56')).body
    expect(province.confirmation).toMatchObject({ sampled: codes.length, confirmed: codes.length - 2 })
    expect((await fetch(`${t.url}/admin/indicators/portal-check`, { method: 'POST', headers: VIEWER })).status).toBe(403)
    const bad = await get('/admin/indicators/portal-check?agency=H56')
    expect(bad.status).toBe(400)
    const run = await fetch(`${t.url}/admin/indicators/portal-check`, { method: 'POST', headers: ADMIN })
    expect(run.status).toBe(202)
  })
})
