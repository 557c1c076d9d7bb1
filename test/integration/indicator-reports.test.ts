import type { ReportItem } from '../../src/services/indicators/reports/index.js'
import type { AddressInfo } from 'node:net'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHub, type Hub } from '../../src/hub.js'
import { buildApp, type HubApp } from '../../src/app.js'
import { createLogger } from '../../src/log.js'
import { RATIO_CODES, type IndicatorQuery, type IndicatorReader, type IndicatorReport, type Metric } from '../../src/services/indicators/types.js'
import { startSandbox, waitFor, type TestSandbox } from '../helpers/hub.js'
import { KEYS, testConfig } from '../helpers/config.js'
import { expectedRows, table, withoutName } from '../helpers/report-sheets.js'

/**
 * Issue 14, acceptance 4: the report schedule (a BullMQ job scheduler on a cron) produces the
 * XLSX and CSV reports without an operator; downloaded through the API and opened with exceljs,
 * their numbers equal what the IndicatorReader answered. The reader here is a fake whose numbers
 * the test sets (the real indicator service is tested on its own).
 */
const ADMIN = { 'x-api-key': KEYS.operator }
const VIEWER = { 'x-api-key': KEYS.viewer }
const PROVINCE_CHILDREN = ['000.00.06.H56', '000.00.07.H56']

/** Deterministic numbers per (agency, period): different for every agency, so a mixed-up sheet shows. */
function fakeReport(q: IndicatorQuery, seed: number): IndicatorReport {
  const metrics: Metric[] = RATIO_CODES.map((code, i) => {
    const denominator = i === 3 ? 0 : 40 + seed * 7 + i
    const numerator = denominator === 0 ? 0 : Math.floor(denominator / (2 + (i % 3)))
    const ratio = denominator === 0 ? null : numerator / denominator
    return { code, numerator, denominator, ratio, score: ratio === null ? null : Math.round(ratio * 10 * 100) / 100, maxScore: 10 }
  })
  // The spot-check's answer, as the indicator service attaches it to DOSSIER_SYNC.
  metrics[0]!.portalConfirmed = { sampled: 50, confirmed: 48 - seed, ratio: (48 - seed) / 50, checkedAt: '2026-11-30T20:30:00.000Z' }
  metrics.push({
    code: 'AVG_PROCESSING_DAYS',
    numerator: 123.5 + seed,
    denominator: 30,
    ratio: Math.round(((123.5 + seed) / 30) * 100) / 100,
    score: null,
    maxScore: null,
  })
  return { agency: q.agency ?? null, from: q.from, to: q.to, metrics }
}

class FakeReader implements IndicatorReader {
  readonly asked: IndicatorQuery[] = []
  async summary(q: IndicatorQuery): Promise<IndicatorReport> {
    this.asked.push(q)
    return fakeReport(q, q.agency ? 1 : 0)
  }
  async breakdown(q: IndicatorQuery): Promise<{ key: string; report: IndicatorReport }[]> {
    return PROVINCE_CHILDREN.map((key, i) => ({ key, report: fakeReport({ ...q, agency: key }, 2 + i) }))
  }
}

/** The previous month in Vietnam time, computed here from the calendar (not by the hub). */
function previousMonthVn(now = new Date()): { id: string; from: string; to: string } {
  const vn = new Date(now.getTime() + 7 * 3_600_000)
  let y = vn.getUTCFullYear()
  let m = vn.getUTCMonth() // 0-based: the previous month, 1-based
  if (m === 0) {
    y -= 1
    m = 12
  }
  const p = (n: number) => String(n).padStart(2, '0')
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${p(m + 1)}-01`
  return { id: `${y}-${p(m)}`, from: `${y}-${p(m)}-01`, to: next }
}

/** A reference RFC 4180 reader (quoted fields, doubled quotes, CRLF records), written for this test. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else field += ch
  }
  expect(field, 'the last record ends with CRLF').toBe('')
  return records
}

describe('indicator reports on a schedule (real Redis, PGlite, fake IndicatorReader)', () => {
  let sandbox: TestSandbox
  let hub: Hub
  let app: HubApp
  let url: string
  const reader = new FakeReader()
  const period = previousMonthVn()

  beforeAll(async () => {
    sandbox = await startSandbox()
    // Monthly cron every second: the schedule, not an operator, produces the report.
    const config = testConfig({
      DVCQG_BASE_URL: `${sandbox.url}/dvcqg`,
      REPORTS_MONTHLY_CRON: '* * * * * *',
      REPORTS_QUARTERLY_CRON: '',
      REPORTS_AGENCIES: '000.00.06.H56',
      PORTAL_CHECK_CRON: '',
    })
    hub = await createHub(config, 'all', { logger: createLogger('silent'), indicatorReader: reader })
    app = await buildApp(hub)
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    await hub.startWorkers()
  })
  afterAll(async () => {
    await app?.close()
    await hub?.close()
    await sandbox?.close()
  })

  const list = async (query: string, headers = ADMIN) => {
    const res = await fetch(`${url}/admin/reports${query}`, { headers })
    return (await res.json()) as { items: ReportItem[] }
  }

  it('the schedule generates the previous month (XLSX and CSV, province and configured agency); the XLSX totals equal the reader', async () => {
    const items = await waitFor(async () => {
      const r = await list(`?period=${period.id}`)
      return r.items.length === 4 ? r.items : undefined
    }, 20_000)
    await hub.services.reports.worker.queue.removeJobScheduler('reports-monthly')
    expect(items.every((i) => i.trigger === 'schedule' && i.from === period.from && i.to === period.to)).toBe(true)
    expect(items.map((i) => `${i.agency ?? 'province'}/${i.format}`).sort()).toEqual([
      '000.00.06.H56/csv',
      '000.00.06.H56/xlsx',
      'province/csv',
      'province/xlsx',
    ])
    expect(reader.asked).toContainEqual({ from: period.from, to: period.to })
    expect(reader.asked).toContainEqual({ from: period.from, to: period.to, agency: '000.00.06.H56' })

    const xlsx = items.find((i) => i.agency === null && i.format === 'xlsx')!
    const res = await fetch(`${url}/admin/reports/${xlsx.id}`, { headers: VIEWER })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toContain('.xlsx')
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(res.headers.get('x-content-sha256')).toBe(xlsx.sha256)
    expect(bytes.length).toBe(xlsx.size)

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
    const q = { from: period.from, to: period.to }
    const summary = await new FakeReader().summary(q)
    expect(withoutName(table(wb.getWorksheet('Tổng hợp')!))).toEqual(expectedRows(summary))
    // One sheet per child agency of the breakdown, each with that agency's numbers.
    const children = await new FakeReader().breakdown(q)
    for (const child of children) expect(withoutName(table(wb.getWorksheet(child.key)!))).toEqual(expectedRows(child.report))
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', ...PROVINCE_CHILDREN])
    // Below the table: the portal spot-check beside DOSSIER_SYNC.
    const notes: string[] = []
    wb.getWorksheet('Tổng hợp')!.eachRow((row) => notes.push(String(row.getCell(1).value)))
    const c = summary.metrics[0]!.portalConfirmed!
    expect(notes.some((n) => n.includes(`${c.confirmed}/${c.sampled}`) && n.includes(c.checkedAt))).toBe(true)
  }, 40_000)

  it('the CSV is UTF-8 with a BOM, RFC 4180 (CRLF), and its numbers equal the reader', async () => {
    const csv = (await list(`?period=${period.id}&agency=000.00.06.H56`)).items.find((i) => i.format === 'csv')!
    const bytes = Buffer.from(await (await fetch(`${url}/admin/reports/${csv.id}`, { headers: ADMIN })).arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.endsWith('\r\n')).toBe(true)
    const records = parseCsv(text)
    expect(records[0]).toEqual(['Đơn vị', 'Mã chỉ số', 'Tên chỉ số', 'Tử số', 'Mẫu số', 'Tỷ lệ', 'Điểm', 'Điểm tối đa'])
    expect(records.every((r) => r.length === 8)).toBe(true)
    const rows = records.slice(1)
    const q = { from: period.from, to: period.to, agency: '000.00.06.H56' }
    const own = await new FakeReader().summary(q)
    const children = await new FakeReader().breakdown(q)
    const cell = (v: number | null) => (v === null ? '' : String(v))
    const expected = [own, ...children.map((c) => c.report)].flatMap((r, i) =>
      r.metrics.map((m) => [
        i === 0 ? '000.00.06.H56' : children[i - 1]!.key,
        m.code,
        cell(m.numerator),
        cell(m.denominator),
        cell(m.ratio),
        cell(m.score),
        cell(m.maxScore),
      ]),
    )
    expect(rows.map(([unit, code, , ...nums]) => [unit, code, ...nums])).toEqual(expected)
    expect(rows.find((r) => r[1] === 'ON_TIME')![2]).toBe('Hồ sơ giải quyết đúng hạn')
  })

  it('an operator generates a period now (202); the same period again replaces its files (same ids)', async () => {
    const before = (await list('?period=2026-Q3')).items
    expect(before).toEqual([])
    const res = await fetch(`${url}/admin/reports`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ period: '2026-Q3' }),
    })
    expect(res.status).toBe(202)
    expect(await res.json()).toMatchObject({ period: '2026-Q3', agency: null })
    const first = await waitFor(async () =>
      (await list('?period=2026-Q3&agency=province')).items.length === 2 ? (await list('?period=2026-Q3&agency=province')).items : undefined,
    )
    expect(first.every((i) => i.trigger === 'operator' && i.from === '2026-07-01' && i.to === '2026-10-01')).toBe(true)
    const again = await fetch(`${url}/admin/reports`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ period: '2026-Q3' }),
    })
    expect(again.status).toBe(202)
    // The second generation replaces the rows: same ids, later generation time (and the XLSX, which carries that time, a new hash).
    const after = await waitFor(async () => {
      const now = (await list('?period=2026-Q3&agency=province')).items
      return now.length === 2 && now.every((i) => i.generatedAt > first.find((f) => f.id === i.id)!.generatedAt) ? now : undefined
    })
    expect(after.find((i) => i.format === 'xlsx')!.sha256).not.toBe(first.find((i) => i.format === 'xlsx')!.sha256)
    expect(after.map((i) => i.id).sort()).toEqual(first.map((i) => i.id).sort())
  })

  it('bad input is problem+json naming the field; reading needs admin:read, generating admin', async () => {
    const bad = await fetch(`${url}/admin/reports`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ period: '2026-13' }),
    })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    expect(JSON.stringify(await bad.json())).toContain('period')
    expect((await fetch(`${url}/admin/reports/999999`, { headers: ADMIN })).status).toBe(404)
    expect((await fetch(`${url}/admin/reports/abc`, { headers: ADMIN })).status).toBe(400)
    expect((await fetch(`${url}/admin/reports?agency=x`, { headers: ADMIN })).status).toBe(400)
    const viewerPost = await fetch(`${url}/admin/reports`, {
      method: 'POST',
      headers: { ...VIEWER, 'content-type': 'application/json' },
      body: JSON.stringify({ period: '2026-11' }),
    })
    expect(viewerPost.status).toBe(403)
    expect((await fetch(`${url}/admin/reports`, { headers: { 'x-api-key': KEYS.province } })).status).toBe(403)
  })
})
