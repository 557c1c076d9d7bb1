import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectedRows, table, withoutName } from '../helpers/report-sheets.js'
import type { IndicatorReport } from '../../src/services/indicators/types.js'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { lookupEnv } from '../helpers/lookups.js'
import { createTestDatabase } from '../helpers/pg.js'
import {
  AGENCIES,
  DAY,
  FROM,
  HOUR,
  PARENT,
  PROCEDURES,
  TO,
  avgDays,
  body,
  derive,
  generate,
  reference,
  ts,
  under,
  vn,
  type Derived,
  type Gen,
  type Membership,
} from '../helpers/indicators.js'

/**
 * Issue 14, acceptance 1 and 2: a month of generated dossiers with known properties goes
 * through the real API (POST /v1/dossiers and events, lookups with a dossier purpose, real
 * delivery to the sandbox portal for some); every numerator and denominator the API answers
 * equals the value computed here from the generated data and the definitions (the
 * reference below does not call hub code), the drill-down lists exactly the counted dossiers
 * and the breakdowns sum to the total.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>
const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const ADMIN = { 'x-api-key': KEYS.operator }

function expectReport(report: Json, ref: Membership, label: string) {
  for (const metric of report.metrics as Json[]) {
    const r = ref[metric.code]!
    const where = `${label} ${metric.code}`
    expect(metric.denominator, where).toBe(r.denominator.length)
    if (metric.code === 'AVG_PROCESSING_DAYS') {
      expect(metric.numerator, where).toBeCloseTo(avgDays(r.denominator), 1)
      expect(metric.ratio, where).toBe(r.denominator.length ? Math.round((avgDays(r.denominator) / r.denominator.length) * 100) / 100 : null)
    } else {
      expect(metric.numerator, where).toBe(r.numerator.length)
      expect(metric.ratio, where).toBe(r.denominator.length ? r.numerator.length / r.denominator.length : null)
    }
  }
  expect((report.metrics as Json[]).map((x) => x.code).sort()).toEqual(Object.keys(ref).sort())
}

// ---------------------------------------------------------------- the run

let sb: TestSandbox
let t: TestHub
let database: Awaited<ReturnType<typeof createTestDatabase>>
const gens = generate(330)
const derived = gens.map(derive)
const ALL = (pred: (x: Derived) => boolean) => derived.filter(pred)

async function call(method: string, path: string, bodyJson?: unknown, headers: Record<string, string> = H): Promise<{ status: number; body: Json }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(t.url + path, { method, headers, ...(bodyJson ? { body: JSON.stringify(bodyJson) } : {}) })
      return { status: res.status, body: (await res.json()) as Json }
    } catch (e) {
      // A keep-alive socket closed by the server as the request left: sent again (intake is idempotent by eventId).
      if (attempt >= 3) throw e
    }
  }
}
async function accepted(path: string, b: unknown) {
  const r = await call('POST', path, b)
  if (r.status !== 202) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`)
}
async function inBatches<T>(xs: T[], size: number, fn: (x: T) => Promise<void>) {
  for (let i = 0; i < xs.length; i += size) await Promise.all(xs.slice(i, i + size).map(fn))
}
async function lookupFor(code: string) {
  const id = sb.sims.lookups.seed.people[0]!.citizen.idNumber
  const res = await fetch(`${t.url}/v1/citizens/${id}`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': code } })
  if (res.status !== 200) throw new Error(`lookup: ${res.status}`)
}
const q = (o: Record<string, string | number | undefined>) =>
  '?' +
  Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')

beforeAll(async () => {
  sb = await startSandbox(14)
  // PostgreSQL (a private database): the intake of ~1,600 requests is concurrent there.
  database = await createTestDatabase()
  t = await startTestHub({ sandbox: sb, env: lookupEnv(sb.url, { DOSSIER_BATCH_MS: 0, DATABASE_URL: database.url }) })
  // Lookups made for a dossier before it exists.
  for (const g of gens.filter((x) => x.lookup === 'before')) await lookupFor(g.code)
  // Phase 1: the dossiers whose create reaches DVCQG, delivered for real.
  const synced = gens.filter((g) => g.synced)
  await inBatches(synced, 8, (g) => accepted('/v1/dossiers', body(g, `${g.code}-u`, false)))
  await waitFor(
    async () => {
      const r = await t.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossiers WHERE portal_known AND code = ANY($1::text[])', [
        synced.map((g) => g.code),
      ])
      return Number(r.rows[0]!.n) === synced.length
    },
    60_000,
    200,
  ).catch(async (e) => {
    const r = await t.hub.db.query("SELECT DISTINCT substr(message, 1, 160) AS m FROM delivery_attempts WHERE outcome <> 'delivered' LIMIT 5")
    const k = await t.hub.db.query('SELECT count(*) FILTER (WHERE portal_known) AS k, count(*) AS n FROM dossiers')
    throw new Error(`${(e as Error).message}; dossiers ${JSON.stringify(k.rows)}, failures ${JSON.stringify(r.rows)}`)
  })
  // Phase 2: the portal rejects everything from now on (a 4xx parks the dossier): the other creates never reach it.
  sb.kit.faults.set('dvcqg', '*', { errorRate: 1, errorStatus: 400 })
  await inBatches(
    gens.filter((g) => !g.synced),
    8,
    (g) => accepted('/v1/dossiers', body(g, `${g.code}-u`, false)),
  )
  await inBatches(gens, 8, async (g) => {
    for (const [k, e] of g.events.entries())
      await accepted(`/v1/dossiers/${g.code}/events`, { eventId: `${g.code}-e${k}`, occurredAt: ts(e.at), status: e.status })
    if (g.finishedAtUpsert !== undefined) await accepted('/v1/dossiers', body(g, `${g.code}-f`, true))
  })
  // Lookups made for an existing dossier (the facts are marked after the audit record).
  for (const g of gens.filter((x) => x.lookup === 'after')) await lookupFor(g.code)
  const after = gens.filter((x) => x.lookup === 'after').map((g) => g.code)
  await waitFor(async () => {
    const r = await t.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossier_facts WHERE lookup AND code = ANY($1::text[])', [after])
    return Number(r.rows[0]!.n) === after.length
  })
}, 240_000)
afterAll(async () => {
  await t?.close()
  await sb?.close()
  await database?.drop()
})

const from = vn(FROM)
const to = vn(TO)

describe('indicators from the dossier ledger (issue 14, acceptance 1 and 2)', () => {
  it('the generated month has the properties the acceptance asks for', () => {
    expect(gens.length).toBeGreaterThanOrEqual(300)
    const ref = reference(derived, from, to)
    expect(ref.DOSSIER_SYNC!.denominator.length).toBeGreaterThanOrEqual(250)
    for (const p of [0, 1, 2]) expect(derived.some((x) => x.pauses === p && x.finish !== undefined)).toBe(true)
    for (const code of Object.keys(ref)) {
      // Every metric has dossiers on both sides of its numerator.
      expect(ref[code]!.numerator.length, code).toBeGreaterThan(0)
      if (code !== 'AVG_PROCESSING_DAYS') expect(ref[code]!.numerator.length, code).toBeLessThan(ref[code]!.denominator.length)
    }
  })

  it('every numerator and denominator equals the reference: province, an agency with its children, a procedure', async () => {
    const cases: { agency?: string; procedure?: string }[] = [
      {},
      { agency: '000.00.00.H56' },
      { agency: '000.00.06.H56' },
      { agency: '000.01.06.H56' },
      { agency: '000.00.07.H56', procedure: PROCEDURES[0] },
    ]
    for (const c of cases) {
      const r = await call('GET', `/admin/indicators${q({ from: FROM, to: TO, ...c })}`, undefined, ADMIN)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body.agency).toBe(c.agency ?? null)
      const scope = ALL((x) => (!c.agency || under(x.g.agency, c.agency)) && (!c.procedure || x.g.procedure === c.procedure))
      expectReport(r.body, reference(scope, from, to), JSON.stringify(c))
    }
  })

  it('the drill-down lists exactly the denominator, with inNumerator as counted and a reason when not', async () => {
    const ref = reference(
      ALL((x) => under(x.g.agency, '000.00.06.H56')),
      from,
      to,
    )
    for (const code of Object.keys(ref)) {
      const items: Json[] = []
      let offset: number | undefined = 0
      while (offset !== undefined) {
        const r = await call(
          'GET',
          `/admin/indicators/${code}/dossiers${q({ from: FROM, to: TO, agency: '000.00.06.H56', limit: 40, offset })}`,
          undefined,
          ADMIN,
        )
        expect(r.status, JSON.stringify(r.body)).toBe(200)
        items.push(...(r.body.items as Json[]))
        offset = r.body.nextOffset
      }
      expect(items.map((i) => i.dossierCode).sort(), code).toEqual(ref[code]!.denominator.map((x) => x.g.code).sort())
      const inNum = new Set(ref[code]!.numerator.map((x) => x.g.code))
      for (const i of items) {
        expect(i.inNumerator, `${code} ${i.dossierCode}`).toBe(inNum.has(i.dossierCode))
        expect(typeof i.reason === 'string', `${code} ${i.dossierCode} reason`).toBe(!inNum.has(i.dossierCode))
      }
    }
  })

  it('breakdowns by child agency and by procedure match the reference and sum to the total', async () => {
    const root = '000.00.00.H56'
    const r = await call('GET', `/admin/indicators${q({ from: FROM, to: TO, agency: root, by: 'agency' })}`, undefined, ADMIN)
    expect(r.status).toBe(200)
    const children = AGENCIES.filter((a) => PARENT[a] === root)
    expect((r.body.items as Json[]).map((i) => i.key).sort()).toEqual([root, ...children].sort())
    for (const item of r.body.items as Json[]) {
      const scope = item.key === root ? ALL((x) => x.g.agency === root) : ALL((x) => under(x.g.agency, item.key))
      expectReport(item.report, reference(scope, from, to), `by agency ${item.key}`)
    }
    const p = await call('GET', `/admin/indicators${q({ from: FROM, to: TO, agency: '000.00.06.H56', by: 'procedure' })}`, undefined, ADMIN)
    for (const item of p.body.items as Json[]) {
      expectReport(
        item.report,
        reference(
          ALL((x) => under(x.g.agency, '000.00.06.H56') && x.g.procedure === item.key),
          from,
          to,
        ),
        `by procedure ${item.key}`,
      )
    }
    for (const b of [r.body, p.body]) {
      for (const [k, total] of (b.total.metrics as Json[]).entries()) {
        const sum = (f: string) => (b.items as Json[]).reduce((s, i) => s + (i.report.metrics[k][f] as number), 0)
        expect(sum('denominator'), total.code).toBe(total.denominator)
        expect(sum('numerator'), total.code).toBeCloseTo(total.numerator, 1)
      }
    }
  })

  it('the due list holds the unfinished dossiers past their due time (plus pauses), per agency', async () => {
    const r = await call('GET', `/admin/dossiers/due${q({ within: '2d', agency: '000.00.06.H56' })}`, undefined, ADMIN)
    expect(r.status).toBe(200)
    const now = Date.parse(r.body.asOf)
    const horizon = now + 2 * DAY
    const expected = ALL(
      (x) =>
        under(x.g.agency, '000.00.06.H56') && x.finish === undefined && x.g.dueAt + x.pauseMs + (x.openPause !== undefined ? now - x.openPause : 0) < horizon,
    )
    const listed: Json[] = (r.body.agencies as Json[]).flatMap((a) => (a.dossiers as Json[]).map((d) => ({ agency: a.agency, ...d })))
    expect(listed.map((d) => d.dossierCode).sort()).toEqual(expected.map((x) => x.g.code).sort())
    for (const d of listed) expect(d.agency).toBe(gens.find((g) => g.code === d.dossierCode)!.agency)
  })

  it('the gauges show the current month per top-level agency (bounded labels, read from the last refresh)', async () => {
    // Four dossiers received now under 000.00.07.H56 (two online); far from due, outside every period above.
    const now = Date.now()
    for (let k = 0; k < 4; k++) {
      const g: Gen = {
        ...gens[0]!,
        code: `000.03.07.H56-261201-${9000 + k}`,
        agency: '000.03.07.H56',
        receivedAt: now - HOUR,
        dueAt: now + 30 * DAY,
        channel: k < 2 ? 'online' : 'in_person',
        events: [],
      }
      delete g.finishedAtUpsert
      await accepted('/v1/dossiers', body(g, `gauge-${k}`, false))
    }
    const text = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
    expect(text).toContain('lgsp_hub_indicator_ratio{agency="000.00.07.H56",code="ONLINE_INTAKE"} 0.5')
    const agencies = new Set([...text.matchAll(/lgsp_hub_indicator_ratio\{agency="([^"]+)"/g)].map((m) => m[1]))
    // Labelled: the top-level agencies with a ratio this month, i.e. the new dossiers' and those with dossiers still open (OVERDUE_OPEN).
    const root = '000.00.00.H56'
    const top = (a: string): string => (a === root || PARENT[a] === root ? a : top(PARENT[a]!))
    const expected = new Set(['000.00.07.H56', ...derived.filter((x) => x.finish === undefined).map((x) => top(x.g.agency))])
    expect([...agencies].sort()).toEqual([...expected].sort())
  })

  it('bad dates, agency codes and indicator codes are problem+json 400 naming the field', async () => {
    const bad = [
      [`/admin/indicators${q({ from: '2026-02-30', to: TO })}`, '/querystring/from'],
      [`/admin/indicators${q({ from: TO, to: FROM })}`, '/querystring/to'],
      [`/admin/indicators${q({ from: FROM, to: TO, agency: 'H56' })}`, 'agency'],
      [`/admin/indicators/NOPE/dossiers${q({ from: FROM, to: TO })}`, 'code'],
      [`/admin/dossiers/due${q({ within: '2w' })}`, 'within'],
    ] as const
    for (const [path, field] of bad) {
      const res = await fetch(t.url + path, { headers: ADMIN })
      expect(res.status, path).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
      const b = (await res.json()) as Json
      expect(JSON.stringify(b.errors), path).toContain(field)
    }
    expect((await fetch(`${t.url}/admin/indicators${q({ from: FROM, to: TO })}`, { headers: { 'x-api-key': KEYS.province } })).status).toBe(403)
  })

  it("a worker generates the month's XLSX report from the real indicator service; its numbers equal the API's (acceptance 4)", async () => {
    const agency = '000.00.06.H56'
    const asked = await call('POST', '/admin/reports', { period: FROM.slice(0, 7), agency }, { ...ADMIN, 'content-type': 'application/json' })
    expect(asked.status, JSON.stringify(asked.body)).toBe(202)
    const item = await waitFor(async () => {
      const l = await call('GET', `/admin/reports${q({ period: FROM.slice(0, 7), agency })}`, undefined, ADMIN)
      return (l.body.items as { id: string; format: string; from: string; to: string }[]).find((i) => i.format === 'xlsx')
    }, 60_000)
    expect([item.from, item.to]).toEqual([FROM, TO])
    const res = await fetch(`${t.url}/admin/reports/${item.id}`, { headers: ADMIN })
    expect(res.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer)
    const api = await call('GET', `/admin/indicators${q({ from: FROM, to: TO, agency })}`, undefined, ADMIN)
    expect(api.status).toBe(200)
    expect(withoutName(table(wb.getWorksheet('Tổng hợp')!))).toEqual(expectedRows(api.body as unknown as IndicatorReport))
  })
})
