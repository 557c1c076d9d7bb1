/**
 * Console (issue 15): `GET /admin/digitisation/summary`, per agency the documents digitised,
 * pushed, mirrored and reused, the signature policy's decisions and the gaps, against what
 * the test stored through the API with the sandbox.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'

const X = '000.00.06.H56'
/** A unit of X. */
const U = '000.01.06.H56'
/** Another agency, outside X. */
const O = '000.00.07.H56'
const JSON_H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
type Json = Record<string, unknown>
interface Row {
  agencyCode: string
  digitised: number
  pushed: number
  mirrored: number
  reused: number
  signature: { pass: number; warn: number; fail: number }
  gaps: number
}

let t: TestHub

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_H) {
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: res.status, body: (await res.json()) as Json }
}
const viewer = (path: string) => call('GET', path, undefined, { 'x-api-key': KEYS.viewer })

/** A local warehouse document of an agency, its PDF signed by the sandbox agency CA or not. */
function doc(n: number, agencyCode: string, signed: boolean, resultCode?: string) {
  const plain = buildPdf(`Summary ${n}`)
  const pdf = signed ? signPdf(plain, t.sandbox.sims.warehouse.pki.signers.valid, { signingTime: new Date('2026-06-01T00:00:00Z') }) : plain
  return {
    documentId: `summary-doc-${n}`,
    ownerId: `05608500${String(1900 + n)}`,
    ownerName: 'Nguyễn Văn Thử',
    title: 'Giấy tờ thử',
    number: `${n}/2026/ST`,
    issuingAgency: 'UBND xã Thử',
    issuedOn: '2026-01-15',
    permanent: true,
    digitisationKind: '1',
    documentCode: 'GT.ST.001',
    agencyCode,
    ...(resultCode ? { resultCode } : {}),
    file: { name: `st-${n}.pdf`, contentBase64: pdf.toString('base64'), sha256: sha(pdf) },
  }
}

beforeAll(async () => {
  const sandbox = await startSandbox(15)
  t = await startTestHub({
    sandbox,
    env: {
      CONNECTORS_ENABLED: 'dvcqg',
      WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox),
      // Local results require a signature (blocked when missing, the default); other local documents only warn.
      SIGNATURE_POLICY: 'local.other=warn',
    },
  })
})
afterAll(async () => {
  await t?.close()
  await t?.sandbox.close()
})

describe('GET /admin/digitisation/summary', () => {
  // What the test stores, and so what each agency's row must say.
  const expected: Record<string, Row> = {
    // doc 1 signed result (pass, pushed, reused once), doc 2 unsigned result (blocked: never pushed); one returned dossier.
    [X]: { agencyCode: X, digitised: 2, pushed: 1, mirrored: 0, reused: 1, signature: { pass: 1, warn: 0, fail: 1 }, gaps: 1 },
    // doc 3 unsigned, neither result nor component (warn: pushed); one returned dossier.
    [U]: { agencyCode: U, digitised: 1, pushed: 1, mirrored: 0, reused: 0, signature: { pass: 0, warn: 1, fail: 0 }, gaps: 1 },
    // doc 4 signed result; one returned dossier.
    [O]: { agencyCode: O, digitised: 1, pushed: 1, mirrored: 0, reused: 0, signature: { pass: 1, warn: 0, fail: 0 }, gaps: 1 },
  }
  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10)
  const summary = async (q = '') => {
    const r = await viewer(`/admin/digitisation/summary${q}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return r.body as { rows: Row[]; agency?: string; from?: string; to?: string }
  }

  it('counts per agency what was stored, pushed and reused, the signature decisions and the gaps; the agency filter covers its units', async () => {
    const returned = dossierBody(1801, 'sum-1801-0', { status: 'DA_TRA_KET_QUA' })
    const inProgress = dossierBody(1802, 'sum-1802-0', { status: 'DANG_XU_LY' })
    const unitReturned = dossierBody(1803, 'sum-1803-0', { status: 'DA_TRA_KET_QUA', agencyCode: U, dossierCode: dossierCode(1803, U) })
    const otherReturned = dossierBody(1804, 'sum-1804-0', { status: 'DA_TRA_KET_QUA', agencyCode: O, dossierCode: dossierCode(1804, O) })
    for (const d of [returned, inProgress, unitReturned, otherReturned]) expect((await call('POST', '/v1/dossiers', d)).status).toBe(202)

    const stored: string[] = []
    for (const [n, agency, signed, result] of [
      [1, X, true, 'KQ.ST.1'],
      [2, X, false, 'KQ.ST.2'],
      [3, U, false, undefined],
      [4, O, true, 'KQ.ST.4'],
    ] as const) {
      const r = await call('POST', '/v1/warehouse/documents', doc(n, agency, signed, result))
      expect(r.status, JSON.stringify(r.body)).toBe(202)
      stored.push(r.body['id'] as string)
    }
    const usage = await call('POST', `/v1/warehouse/documents/${stored[0]!}/usages`, {
      dossierCode: returned.dossierCode,
      componentCode: 'GT.ST.001',
      agencyCode: X,
    })
    expect(usage.status, JSON.stringify(usage.body)).toBeLessThan(300)

    // Pushes are asynchronous: wait until the three documents not blocked are pushed.
    const rows = await waitFor(async () => {
      const s = await summary(`?agency=${X}`)
      return s.rows.every((r) => r.pushed === expected[r.agencyCode]?.pushed) ? s.rows : undefined
    }, 30_000)
    expect(rows).toEqual([expected[X], expected[U]])

    const all = await waitFor(async () => {
      const s = await summary()
      return s.rows.find((r) => r.agencyCode === O)?.pushed === 1 ? s.rows : undefined
    }, 30_000)
    // Ordered by agency code: 000.00.07.H56 sorts before 000.01.06.H56.
    expect(all.filter((r) => [X, U, O].includes(r.agencyCode))).toEqual([expected[X], expected[O], expected[U]])
    expect(await summary(`?agency=${O}`)).toEqual({ agency: O, rows: [expected[O]] })
    // The unit alone: only its row.
    expect((await summary(`?agency=${U}`)).rows).toEqual([expected[U]])
  }, 60_000)

  it('gaps equal the gaps report of each agency; the counts equal the warehouse statistics of the period', async () => {
    for (const agency of [X, U, O]) {
      const g = await viewer(`/admin/digitisation/gaps?agency=${agency}`)
      const row = (await summary(`?agency=${agency}`)).rows.find((r) => r.agencyCode === agency)!
      expect(row.gaps).toBe((g.body['items'] as unknown[]).length)
      const stats = (await viewer(`/admin/warehouse/stats?period=year&agencyCode=${agency}`)).body['rows'] as Json[]
      const sum = (k: string) => stats.reduce((a, r) => a + (r[k] as number), 0)
      expect([row.digitised, row.pushed, row.mirrored, row.reused]).toEqual([sum('digitised'), sum('pushed'), sum('mirrored'), sum('reused')])
    }
  })

  it('the period limits the counts, not the gaps in force', async () => {
    const s = await summary(`?agency=${X}&from=${today}&to=${today}`)
    expect(s).toEqual({ agency: X, from: today, to: today, rows: [expected[X], expected[U]] })
    const future = await summary(`?agency=${X}&from=2199-01-01`)
    const zero = { digitised: 0, pushed: 0, mirrored: 0, reused: 0, signature: { pass: 0, warn: 0, fail: 0 } }
    expect(future.rows).toEqual([
      { agencyCode: X, ...zero, gaps: 1 },
      { agencyCode: U, ...zero, gaps: 1 },
    ])
  })

  it('bad input is a 400 naming the field; a service key is refused', async () => {
    for (const [q, field] of [
      ['agency=H56', '/querystring/agency'],
      ['from=2026-13-01', '/querystring/from'],
      ['from=2026-02-01&to=2026-01-01', '/querystring/to'],
      ['x=1', '/querystring/x'],
    ] as const) {
      const r = await viewer(`/admin/digitisation/summary?${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body['code']).toBe('HUB_ERR_VALIDATION')
      expect((r.body['errors'] as Json[]).map((e) => e['field'])).toContain(field)
    }
    expect((await call('GET', '/admin/digitisation/summary', undefined, { 'x-api-key': KEYS.limited })).status).toBe(403)
  })
})
