import { createHmac, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { lookupEnv } from '../helpers/lookups.js'

/**
 * Issue 11, acceptance 4 and 6, and the purpose and verification rules: every operator
 * route of Fastify's route table (the queue dashboard's included) leaves an audit row; a
 * free-text purpose is refused with 400 naming the field; a verification is recorded as
 * match / mismatch; the data-subject endpoint lists exactly the accesses made for one
 * citizen in this run, as JSON and CSV, and audits itself.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>
const AUDIT_KEY = 'test-audit-key-0123456789'
const DOSSIER = '000.00.06.H56-231027-0361'
let sb: TestSandbox
let t: TestHub

async function call(path: string, opts: { key?: string; method?: string; purpose?: string | null; body?: unknown } = {}) {
  const requestId = randomUUID()
  const headers: Record<string, string> = { 'x-request-id': requestId }
  if (opts.key !== '') headers['x-api-key'] = opts.key ?? KEYS.province
  if (opts.purpose !== null) headers['x-purpose'] = opts.purpose ?? DOSSIER
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${t.url}${path}`, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  const text = await res.text()
  let body: Json = {}
  try {
    body = JSON.parse(text) as Json
  } catch {
    body = { raw: text }
  }
  return { status: res.status, requestId, body, text, headers: res.headers }
}
const rowsOf = async (requestId: string) =>
  (
    await t.hub.db.query<{
      client_id: string
      service: string
      action: string
      purpose: string | null
      outcome: string
      status: number
      subject_hash: string | null
      detail: unknown
    }>('SELECT client_id, service, action, purpose, outcome, status, subject_hash, detail FROM audit_log WHERE request_id = $1', [requestId])
  ).rows.map((r) => ({ ...r, detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Json }))
const hashOf = (id: string) => createHmac('sha256', AUDIT_KEY).update(id).digest('hex')

beforeAll(async () => {
  sb = await startSandbox(11)
  t = await startTestHub({ sandbox: sb, env: lookupEnv(sb.url, { AUDIT_HASH_KEY: AUDIT_KEY }), workers: false })
})
afterAll(async () => {
  await t?.close()
  await sb?.close()
})
const people = () => sb.sims.lookups.seed.people.filter((p) => p.shape === 'full')

describe('purpose: a dossier code or a catalogue code, nothing else', () => {
  it('free text, an identifier or an unknown code is 400 naming x-purpose; dossier and catalogue codes pass', async () => {
    const id = people()[0]!.citizen.idNumber
    for (const purpose of ['kiem tra ho so cua ong A', id, 'NOT-IN-CATALOGUE', 'tthc', `${DOSSIER} extra`]) {
      for (const path of [`/v1/citizens/${id}`, `/v1/warehouse/owners/${id}/documents`]) {
        const r = await call(path, { purpose })
        expect(r.status, `${path} ${purpose}`).toBe(400)
        expect(r.headers.get('content-type')).toContain('application/problem+json')
        expect(r.body['errors'][0]).toMatchObject({ field: '/headers/x-purpose', rule: 'HUB_PURPOSE_FORMAT' })
        // Refused before anything was read: no audit row.
        expect(await rowsOf(r.requestId)).toEqual([])
      }
    }
    for (const suffix of ['', '/content']) {
      const doc = await call(`/v1/warehouse/documents/${randomUUID()}${suffix}`, { purpose: 'ho so' })
      expect(doc.status).toBe(400)
      expect(doc.body['errors'][0]).toMatchObject({ field: '/headers/x-purpose', rule: 'HUB_PURPOSE_FORMAT' })
    }
    expect((await call(`/v1/warehouse/owners/${id}/documents`, { purpose: null })).body['errors'][0]).toMatchObject({
      field: '/headers/x-purpose',
      rule: 'HUB_PURPOSE_REQUIRED',
    })
    for (const purpose of [DOSSIER, 'TTHC', 'KIEM-TRA-HO-SO']) {
      const r = await call(`/v1/citizens/${id}`, { purpose })
      expect(r.status).toBe(200)
      expect(await rowsOf(r.requestId)).toMatchObject([{ purpose, outcome: 'found', subject_hash: hashOf(id) }])
      const w = await call(`/v1/warehouse/owners/${id}/documents`, { purpose })
      expect(w.status).toBe(200)
      expect(await rowsOf(w.requestId)).toMatchObject([{ service: 'warehouse', action: 'owner_documents', purpose, subject_hash: hashOf(id) }])
    }
  })
})

describe('verification outcomes', () => {
  it('a citizen verification is recorded as match or mismatch, never "found"', async () => {
    const p = people()[1]!.citizen
    const cases: [Json, string, boolean][] = [
      [{ idNumber: p.idNumber, fullName: p.fullName }, 'match', true],
      [{ idNumber: p.idNumber, fullName: 'Nguyễn Văn Khác' }, 'mismatch', false],
      [{ idNumber: p.idNumber, fullName: p.fullName, birthDate: p.birthDate!.date }, 'match', true],
      [{ idNumber: p.idNumber, fullName: p.fullName, birthDate: String(p.birthDate!.year - 1) }, 'mismatch', false],
    ]
    for (const [body, outcome, verified] of cases) {
      const r = await call('/v1/citizens/verify', { method: 'POST', body })
      expect(r.status).toBe(200)
      expect(r.body['data']).toEqual({ verified })
      expect(await rowsOf(r.requestId)).toMatchObject([{ action: 'citizen.verify', outcome, status: 200 }])
    }
  })
})

describe('operator actions (acceptance 4)', () => {
  const VALUES: Record<string, string> = { dossierCode: DOSSIER, queueName: 'dossier-sync', jobId: 'no-such-job', id: 'bf0000' }
  const fill = (url: string) => url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(VALUES[name] ?? 'x'))

  it('every mutating /admin route of the route table, dashboard actions included, leaves an audit row', async () => {
    const table = t.app.routeAccess()
    const mutating = table.filter((r) => r.url.startsWith('/admin/') && !['GET', 'HEAD', 'OPTIONS'].includes(r.method))
    // Nothing an operator can change hides behind a read method.
    for (const r of table.filter((x) => x.access === 'admin')) expect(mutating).toContainEqual(r)
    const urls = new Set(mutating.map((r) => `${r.method} ${r.url}`))
    for (const known of [
      'POST /admin/catalog/sync',
      'POST /admin/dossiers/replay',
      'POST /admin/dossiers/:dossierCode/replay',
      'POST /admin/warehouse/backfill',
    ])
      expect(urls).toContain(known)
    const dashboard = mutating.filter((r) => r.url.startsWith('/admin/queues/'))
    expect(dashboard.length).toBeGreaterThanOrEqual(5)
    for (const r of mutating) {
      const res = await call(fill(r.url), { key: KEYS.operator, method: r.method, purpose: null, body: {} })
      const rows = await rowsOf(res.requestId)
      expect(rows, `${r.method} ${r.url} → ${res.status}`).toHaveLength(1)
      expect(rows[0]).toMatchObject({
        client_id: 'operator-test',
        service: r.url.startsWith('/admin/queues/') ? 'queues' : 'admin',
        action: `${r.method} ${r.url}`,
        status: res.status,
        outcome: res.status < 400 ? 'done' : res.status < 500 ? 'refused' : 'failed',
      })
      expect(rows[0]!.detail['role']).toBe('admin')
      const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!)
      for (const name of params) expect(rows[0]!.detail['target'][name]).toBe(VALUES[name] ?? 'x')
    }
  })

  it('a refused operator action is audited as refused, under the client that tried', async () => {
    const r = await call('/admin/dossiers/replay', { key: KEYS.viewer, method: 'POST', purpose: null, body: {} })
    expect(r.status).toBe(403)
    expect(await rowsOf(r.requestId)).toMatchObject([{ client_id: 'viewer-test', action: 'POST /admin/dossiers/replay', outcome: 'refused', status: 403 }])
    expect((await rowsOf(r.requestId))[0]!.detail['role']).toBe('admin:read')
    // No credential, no operator: a 401 is counted in the auth metrics, not written into the log.
    const anonymous = await call('/admin/dossiers/replay', { key: '', method: 'POST', purpose: null, body: {} })
    expect(anonymous.status).toBe(401)
    expect(await rowsOf(anonymous.requestId)).toEqual([])
  })
})

describe('the citizen question (acceptance 6)', () => {
  it('lists exactly the accesses made for one citizen, as JSON and CSV, and audits itself', async () => {
    const [x, y] = [people()[2]!, people()[3]!]
    const mine = new Set<string>()
    const expectOk = async (r: Promise<{ status: number; requestId: string }>, status = 200) => {
      const got = await r
      expect(got.status).toBe(status)
      return got.requestId
    }
    // Accesses to X's data by two clients, for several purposes and outcomes.
    mine.add(await expectOk(call(`/v1/citizens/${x.citizen.idNumber}`)))
    mine.add(await expectOk(call(`/v1/citizens/${x.citizen.idNumber}`, { key: KEYS.districtA, purpose: 'TTHC' })))
    mine.add(await expectOk(call('/v1/citizens/verify', { method: 'POST', body: { idNumber: x.citizen.idNumber, fullName: 'Trần Thị Sai' } })))
    mine.add(await expectOk(call(`/v1/warehouse/owners/${x.citizen.idNumber}/documents`, { purpose: 'TAI-SU-DUNG-GIAY-TO' })))
    // Accesses to others, and refused requests that read nothing.
    await expectOk(call(`/v1/citizens/${y.citizen.idNumber}`))
    await expectOk(call(`/v1/warehouse/owners/${y.citizen.idNumber}/documents`))
    await expectOk(call(`/v1/citizens/${x.citizen.idNumber}`, { purpose: 'free text' }), 400)
    await expectOk(call(`/v1/citizens/${x.citizen.idNumber}`, { key: KEYS.limited }), 403)
    const cccdAccesses = mine
    expect(cccdAccesses.size).toBe(4)

    const report = await call(`/admin/audit/subjects/cccd/${x.citizen.idNumber}`, { key: KEYS.viewer, purpose: null })
    expect(report.status).toBe(200)
    expect(new Set(report.body['items'].map((i: Json) => i['requestId']))).toEqual(cccdAccesses)
    const byId = new Map<string, Json>(report.body['items'].map((i: Json) => [i['requestId'], i]))
    expect(byId.get([...cccdAccesses][1]!)).toMatchObject({
      clientId: 'district-a',
      purpose: 'TTHC',
      outcome: 'found',
      service: 'citizens',
      action: 'citizen.lookup',
    })
    expect(byId.get([...cccdAccesses][2]!)).toMatchObject({ clientId: 'province-test', purpose: DOSSIER, outcome: 'mismatch', action: 'citizen.verify' })
    expect(byId.get([...cccdAccesses][3]!)).toMatchObject({ service: 'warehouse', action: 'owner_documents', purpose: 'TAI-SU-DUNG-GIAY-TO' })
    expect(report.text).not.toContain(x.citizen.idNumber)

    // The report is an access too: audited, and listed the next time.
    expect(await rowsOf(report.requestId)).toMatchObject([
      {
        client_id: 'viewer-test',
        service: 'audit',
        action: 'subject_report',
        purpose: 'YEU-CAU-CHU-THE',
        outcome: 'listed',
        subject_hash: hashOf(x.citizen.idNumber),
      },
    ])
    const again = await call(`/admin/audit/subjects/cccd/${x.citizen.idNumber}?format=csv`, { key: KEYS.viewer, purpose: 'THANH-TRA' })
    expect(again.status).toBe(200)
    expect(again.headers.get('content-type')).toContain('text/csv')
    const lines = again.text.trimEnd().split('\r\n')
    expect(lines[0]).toBe('id,at,clientId,service,action,purpose,outcome,status,requestId,upstream')
    const csvIds = new Set(lines.slice(1).map((l) => l.split(',')[8]))
    expect(csvIds).toEqual(new Set([...cccdAccesses, report.requestId]))

    // Pages: following nextCursor walks the same set once.
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await call(`/admin/audit/subjects/cccd/${x.citizen.idNumber}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        key: KEYS.viewer,
        purpose: null,
      })
      seen.push(...page.body['items'].filter((i: Json) => i['service'] !== 'audit').map((i: Json) => i['requestId'] as string))
      cursor = page.body['nextCursor']
    } while (cursor)
    expect(seen.sort()).toEqual([...cccdAccesses].sort())

    // Another citizen's report holds none of these; bad input is 400 naming the field.
    const other = await call(`/admin/audit/subjects/cccd/${y.citizen.idNumber}`, { key: KEYS.viewer, purpose: null })
    expect(other.body['items'].some((i: Json) => cccdAccesses.has(i['requestId']))).toBe(false)
    expect(other.body['items']).toHaveLength(2)
    const bad = await call('/admin/audit/subjects/cccd/123', { key: KEYS.viewer, purpose: null })
    expect(bad.status).toBe(400)
    expect(bad.body['errors'][0]['field']).toBe('/params/idNumber')
    const free = await call(`/admin/audit/subjects/cccd/${x.citizen.idNumber}`, { key: KEYS.viewer, purpose: 'because I want to' })
    expect(free.status).toBe(400)
    expect(free.body['errors'][0]).toMatchObject({ field: '/headers/x-purpose', rule: 'HUB_PURPOSE_FORMAT' })
    expect((await call(`/admin/audit/subjects/cccd/${x.citizen.idNumber}`, { key: KEYS.province, purpose: null })).status).toBe(403)
  })
})
