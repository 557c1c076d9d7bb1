/**
 * Issue 9 "Input": the string rule, calendar dates, bounded integers and the framework's
 * own errors, each answered as problem+json with its stable code and the field at fault,
 * over real HTTP to a whole hub (PGlite, Redis, sandbox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody } from '../helpers/dossiers.js'

interface Problem {
  status: number
  code: string
  errors?: { field: string; message: string; rule?: string }[]
}

describe('input edge: one string rule, calendar dates, bounded integers, framework errors as problem+json', () => {
  let t: TestHub
  beforeAll(async () => {
    t = await startTestHub({ workers: false })
  })
  afterAll(async () => {
    await t?.close()
  })

  const V1 = { 'x-api-key': KEYS.province }
  const ADMIN = { 'x-api-key': KEYS.operator }
  async function call(path: string, init: RequestInit = {}): Promise<{ status: number; type: string; body: Problem }> {
    const res = await fetch(t.url + path, init)
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Problem }
  }
  const postJson = (path: string, body: unknown, headers: Record<string, string> = V1) =>
    call(path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const count = async (table: string) => (await t.hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n

  it('NUL, other C0 controls and lone surrogates anywhere in a body → 400 naming the exact field; nothing stored', async () => {
    const before = await count('dossiers')
    const cases: [unknown, string][] = [
      [{ ...dossierBody(101), applicant: { ...dossierBody(101).applicant, name: 'Trần\u0000Bình' } }, '/body/applicant/name'],
      [{ ...dossierBody(102), summary: 'tóm tắt \ud800 lỗi' }, '/body/summary'],
      [{ ...dossierBody(103), note: 'bell \u0007' }, '/body/note'],
    ]
    for (const [body, field] of cases) {
      const r = await postJson('/v1/dossiers', body)
      expect(r.status).toBe(400)
      expect(r.type).toContain('application/problem+json')
      expect(r.body.code).toBe('HUB_ERR_VALIDATION')
      expect(r.body.errors?.[0]?.field).toBe(field)
    }
    expect(await count('dossiers')).toBe(before)
  })

  it('names and codes: bidi/zero-width characters, untrimmed or blank values → 400; free text keeps tabs and newlines', async () => {
    const base = dossierBody(110)
    for (const [patch, field] of [
      [{ applicant: { ...base.applicant, name: 'Trần \u202eBình' } }, '/body/applicant/name'],
      [{ applicant: { ...base.applicant, name: ' Trần Bình' } }, '/body/applicant/name'],
      [{ procedureName: '   ' }, '/body/procedureName'],
      [{ status: 'DA TIEP NHAN' }, '/body/status'],
      [{ status: 'DA_TIEP\u200bNHAN' }, '/body/status'],
    ] as [Record<string, unknown>, string][]) {
      const r = await postJson('/v1/dossiers', { ...base, ...patch })
      expect(r.status, JSON.stringify(patch)).toBe(400)
      expect(r.body.errors?.map((e) => e.field)).toContain(field)
    }
    const ok = await postJson('/v1/dossiers', { ...dossierBody(111), summary: 'Dòng 1\n\tDòng 2\r\n' })
    expect(ok.status).toBe(202)
  })

  it('impossible calendar dates and timestamps (Feb 30, year 0000, month 13) → 400, in bodies and query strings', async () => {
    for (const receivedAt of [
      '2026-02-30T08:30:00+07:00',
      '0000-01-01T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-20T24:00:00Z',
      '2026-11-20T08:30:00+15:00',
    ]) {
      const r = await postJson('/v1/dossiers', { ...dossierBody(120), receivedAt })
      expect(r.status, receivedAt).toBe(400)
      expect(r.body.errors?.map((e) => e.field)).toContain('/body/receivedAt')
    }
    const leap = await postJson('/v1/dossiers', { ...dossierBody(121), receivedAt: '2024-02-29T08:30:00.123+07:00' })
    expect(leap.status).toBe(202)
    for (const q of ['from=2026-02-30', 'to=0000-01-01', 'from=2025-02-29']) {
      const r = await call(`/admin/warehouse/stats?${q}`, { headers: ADMIN })
      expect(r.status, q).toBe(400)
      expect(r.body.errors?.[0]?.field).toBe(`/querystring/${q.split('=')[0]}`)
    }
    expect((await call('/admin/audit?from=0000-01-01T00:00:00Z', { headers: ADMIN })).status).toBe(400)
    expect((await call(`/v1/warehouse/owners/056085000123/documents?validOn=2026-04-31`, { headers: V1 })).status).toBe(400)
    expect((await call('/admin/warehouse/stats?from=2024-02-29&to=2026-12-31', { headers: ADMIN })).status).toBe(200)
  })

  it('huge offsets, cursors and amounts → 400 with the field (not a database error)', async () => {
    for (const [path, field] of [
      ['/admin/dossiers?offset=1e20', '/querystring/offset'],
      ['/admin/dossiers?offset=100001', '/querystring/offset'],
      ['/v1/catalog/procedures?offset=99999999999', '/querystring/offset'],
      ['/admin/audit?cursor=99999999999999999999999', '/querystring/cursor'],
      ['/v1/warehouse/owners/056085000123/documents?offset=1000000', '/querystring/offset'],
    ] as const) {
      const r = await call(path, { headers: path.startsWith('/admin') ? ADMIN : V1 })
      expect(r.status, path).toBe(400)
      expect(r.body.errors?.map((e) => e.field)).toContain(field)
    }
    expect((await call('/admin/audit?cursor=999999999999999999', { headers: ADMIN })).status).toBe(200)
    // 1e999 is Infinity once coerced (query) or parsed (JSON body), and passes ajv's integer and maximum checks:
    // the input edge refuses every number that is not finite, on every route.
    for (const [path, field] of [
      ['/admin/dossiers?limit=1e999', '/querystring/limit'],
      ['/admin/catalog/runs?limit=-1e999', '/querystring/limit'],
      ['/v1/catalog/procedures?offset=1e999', '/querystring/offset'],
    ] as const) {
      const r = await call(path, { headers: path.startsWith('/admin') ? ADMIN : V1 })
      expect(r.status, path).toBe(400)
      expect(r.type).toMatch(/problem\+json/)
      expect(r.body.errors?.map((e) => e.field)).toContain(field)
    }
    const dossiersBefore = await count('dossiers')
    const raw = JSON.stringify({ ...dossierBody(131), fees: [{ name: 'Lệ phí', amount: 1 }] }).replace('"amount":1', '"amount":1e999')
    const inf = await call('/v1/dossiers', { method: 'POST', headers: { ...V1, 'content-type': 'application/json' }, body: raw })
    expect(inf.status).toBe(400)
    expect(inf.body.errors?.[0]?.field).toBe('/body/fees/0/amount')
    expect(await count('dossiers')).toBe(dossiersBefore)
    const fee = await postJson('/v1/dossiers', { ...dossierBody(130), fees: [{ name: 'Lệ phí', amount: 1e300 }] })
    expect(fee.status).toBe(400)
    expect(fee.body.errors?.[0]?.field).toBe('/body/fees/0/amount')
  })

  it('a body nested deeper than 64 levels → 400, not a stack overflow', async () => {
    const r = await call('/v1/dossiers', {
      method: 'POST',
      headers: { ...V1, 'content-type': 'application/json' },
      body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    })
    expect(r.status).toBe(400)
    expect(r.body.errors?.[0]?.rule).toBe('HUB_TEXT_DEPTH')
  })

  it("bad percent-encoding → 400 problem (not Fastify's own body), before authentication", async () => {
    for (const path of ['/v1/catalog/procedures/%E0%A4%A', '/admin/%zz', '/v1/citizens/%ED%A0%80']) {
      const r = await call(path)
      expect(r.status, path).toBe(400)
      expect(r.type).toContain('application/problem+json')
      expect(r.body.code).toBe('HUB_ERR_VALIDATION')
      expect(r.body.errors?.[0]?.field).toBe('/url')
    }
  })

  it('a request target longer than MAX_URL_LENGTH → 414 HUB_ERR_URI_TOO_LONG, with or without a key', async () => {
    const long = `/v1/catalog/procedures?q=${'a'.repeat(t.config.MAX_URL_LENGTH)}`
    for (const headers of [{}, V1]) {
      const r = await call(long, { headers })
      expect(r.status).toBe(414)
      expect(r.body.code).toBe('HUB_ERR_URI_TOO_LONG')
    }
    const segment = await call(`/v1/catalog/procedures/${'a'.repeat(150)}`, { headers: V1 })
    expect(segment.status).toBe(414)
  })

  it('an unsupported media type → 415 problem', async () => {
    const r = await call('/v1/dossiers', { method: 'POST', headers: { ...V1, 'content-type': 'application/xml' }, body: '<a/>' })
    expect(r.status).toBe(415)
    expect(r.body.code).toBe('HUB_ERR_UNSUPPORTED_MEDIA_TYPE')
  })

  describe('multipart warehouse intake', () => {
    const part = (name: string, value: string, file?: string) =>
      `--b\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"\r\nContent-Type: application/pdf` : ''}\r\n\r\n${value}\r\n`
    const send = (body: string, type = 'multipart/form-data; boundary=b') =>
      call('/v1/warehouse/documents', { method: 'POST', headers: { ...V1, 'content-type': type }, body })
    const metadata = JSON.stringify({ documentId: 'mp-1', ownerId: '056085000123', documentCode: 'GT.KS.001' })

    it('too many files, too many fields → 413 HUB_ERR_PAYLOAD_TOO_LARGE; nothing stored', async () => {
      const before = await count('warehouse_documents')
      const files = await send(part('metadata', metadata) + [1, 2, 3].map((i) => part('file', '%PDF-1.4', `a${i}.pdf`)).join('') + '--b--\r\n')
      expect(files.status).toBe(413)
      expect(files.body).toMatchObject({ code: 'HUB_ERR_PAYLOAD_TOO_LARGE', errors: [{ rule: 'HUB_MULTIPART_LIMIT' }] })
      const fields = await send(Array.from({ length: 9 }, (_, i) => part(`f${i}`, 'v')).join('') + '--b--\r\n')
      expect(fields.status).toBe(413)
      expect(await count('warehouse_documents')).toBe(before)
    })

    it('an oversize file → 413', async () => {
      const big = 'x'.repeat(t.config.WAREHOUSE_MAX_FILE_BYTES + 10)
      const r = await send(part('metadata', metadata) + part('file', big, 'big.pdf') + '--b--\r\n')
      expect(r.status).toBe(413)
      expect(r.body.code).toBe('HUB_ERR_PAYLOAD_TOO_LARGE')
    })

    it('no boundary, a truncated body, a __proto__ field → 400 problem', async () => {
      for (const [body, type] of [
        ['xxx', 'multipart/form-data'],
        [part('metadata', metadata) + '--b\r\nContent-Disposition: form-da', undefined],
        [part('__proto__', '{}') + '--b--\r\n', undefined],
      ] as [string, string | undefined][]) {
        const r = await send(body, type)
        expect(r.status, body.slice(0, 40)).toBe(400)
        expect(r.type).toContain('application/problem+json')
        expect(r.body.code).toBe('HUB_ERR_VALIDATION')
      }
    })

    it('NUL in the metadata of a multipart upload → 400 naming the field', async () => {
      const r = await send(
        part('metadata', JSON.stringify({ documentId: 'mp-2', ownerId: '056085000123', documentCode: 'GT.KS.001', title: 'a\u0000b' })) +
          part('file', '%PDF-1.4', 'a.pdf') +
          '--b--\r\n',
      )
      expect(r.status).toBe(400)
      expect(r.body.errors?.[0]?.field).toBe('/body/title')
    })
  })

  it('base64 with a crafted tail (the old quadratic case) is refused at once', async () => {
    const started = performance.now()
    const r = await postJson('/v1/warehouse/documents', {
      documentId: 'b64-1',
      ownerId: '056085000123',
      documentCode: 'GT.KS.001',
      file: { name: 'a.pdf', contentBase64: `QUJD${' '.repeat(600_000)}!` },
    })
    expect(performance.now() - started).toBeLessThan(2000)
    expect(r.status).toBe(400)
    expect(r.body.errors?.map((e) => e.field)).toContain('/body/file/contentBase64')
  })

  it('the queue dashboard answers its own errors as problem+json', async () => {
    const r = await call('/admin/queues/api/queues/no-such-queue/x/logs', { headers: ADMIN })
    expect(r.status).toBe(404)
    expect(r.type).toContain('application/problem+json')
    expect(r.body.code).toBe('HUB_ERR_NOT_FOUND')
    const add = await call('/admin/queues/api/queues/dossier-sync/add', {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: '{"bogus":true}',
    })
    expect(add.status).toBe(400)
    expect(add.type).toContain('application/problem+json')
  })
})
