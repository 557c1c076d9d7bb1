import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json', 'x-purpose': 'TTHC' }
const ADMIN = { 'x-api-key': KEYS.operator }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const OWNER = '056085000777'

function docBody(t: TestHub, n: number, extra: Record<string, unknown> = {}) {
  const pdf = signPdf(buildPdf(`Ban sao dien tu so ${n}`), t.sandbox.sims.warehouse.pki.signers.valid, { signingTime: new Date('2026-06-01T00:00:00Z') })
  return {
    pdf,
    body: {
      documentId: `local-doc-${n}`,
      ownerId: OWNER,
      ownerName: 'Nguyễn Văn Thử',
      documentCode: 'GT.KS.001',
      resultCode: 'KQ.G15.000031',
      title: 'Giấy khai sinh',
      number: `${n}/2026/SH`,
      issuingAgency: 'UBND xã Thử',
      issuedOn: '2026-01-15',
      permanent: true,
      digitisationKind: '1',
      file: { name: `khai-sinh-${n}.pdf`, contentBase64: pdf.toString('base64'), sha256: sha(pdf) },
      ...extra,
    },
  }
}

const post = async (t: TestHub, body: unknown) => {
  const res = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: H, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('warehouse push of locally digitised documents (real Redis, PGlite, sandbox over HTTP)', () => {
  let t: TestHub
  beforeAll(async () => {
    const sandbox = await startSandbox(13)
    // The DVCQG deadline covers a whole file download (connect to last byte): room for a loaded CI machine.
    t = await startTestHub({ sandbox, env: { WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox), UPSTREAM_TIMEOUT_MS: 10_000 } })
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  it('documents pushed while the portal is down are delivered once it is back, exactly once each', async () => {
    await fetch(`${t.sandbox.url}/_sandbox/faults/dvcqg/DongBoKetQuaSoHoa`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1 }),
    })
    const docs = [1, 2, 3].map((n) => docBody(t, n))
    const accepted = []
    for (const d of docs) {
      const r = await post(t, d.body)
      expect(r.status).toBe(202)
      expect(r.body).toMatchObject({ documentId: d.body.documentId, sha256: sha(d.pdf), pushState: 'pending', signature: { status: 'valid' } })
      accepted.push(r.body)
    }
    // The same documentId again: the first answer, nothing new stored or queued.
    const replay = await post(t, docs[0]!.body)
    expect(replay).toEqual({ status: 202, body: accepted[0] })
    // Several attempts fail against the 503s …
    await waitFor(async () => {
      const { rows } = await t.hub.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM warehouse_documents WHERE local_id LIKE 'local-doc-%' AND push_attempts >= 2 AND push_state = 'pending'`,
      )
      return rows[0]!.n === 3
    }, 30_000)
    expect(t.sandbox.sims.warehouse.stats.uploads).toBe(0)
    const faulted = t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'DongBoKetQuaSoHoa', limit: 100_000 }).filter((r) => r.fault === 'http_503')
    expect(faulted.length).toBeGreaterThanOrEqual(6)
    // … the portal comes back.
    await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' })
    await waitFor(async () => {
      const { rows } = await t.hub.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM warehouse_documents WHERE local_id LIKE 'local-doc-%' AND push_state = 'pushed'`,
      )
      return rows[0]!.n === 3
    }, 30_000)
    // Let any stray duplicate arrive, then count at the sandbox.
    await new Promise((r) => setTimeout(r, 1500))
    const w = t.sandbox.sims.warehouse
    expect(w.stats.uploads).toBe(3)
    expect(w.stats.uploadReplays).toBe(0)
    for (const d of docs) {
      const u = w.uploaded(d.body.documentId)!
      expect(u.deliveries).toBe(1)
      expect(u.files).toEqual([sha(d.pdf)])
      expect(u.record['MaGiayTo']).toBe('GT.KS.001')
      expect(u.record['ThoiHanVinhVien']).toBe('True')
      expect(u.record['NgayBanHanh']).toBe('20260115000000')
    }
    const { rows } = await t.hub.db.query<{ national_ref: string }>(`SELECT national_ref FROM warehouse_documents WHERE local_id = 'local-doc-1'`)
    expect(rows[0]!.national_ref).toBe(w.uploaded('local-doc-1')!.nationalId)
    const doc = (await (await fetch(`${t.url}/v1/warehouse/documents/${String(accepted[0]!['id'])}`, { headers: H })).json()) as Record<string, unknown>
    expect(doc).toMatchObject({ source: 'local', pushState: 'pushed', nationalId: w.uploaded('local-doc-1')!.nationalId, documentId: 'local-doc-1' })
  })

  it('refuses a file whose hash differs, a reused documentId with another file, bad base64 and a permanent document with an end date', async () => {
    const a = docBody(t, 10)
    const wrongHash = await post(t, { ...a.body, file: { ...a.body.file, sha256: 'a'.repeat(64) } })
    expect(wrongHash.status).toBe(400)
    expect((wrongHash.body['errors'] as { field: string; rule: string }[])[0]).toMatchObject({
      field: '/body/file/sha256',
      rule: 'HUB_WAREHOUSE_HASH_MISMATCH',
    })
    expect((await post(t, a.body)).status).toBe(202)
    const b = docBody(t, 11, { documentId: a.body.documentId })
    const reused = await post(t, b.body)
    expect(reused.status).toBe(409)
    expect(reused.body['code']).toBe('HUB_ERR_IDEMPOTENCY_CONFLICT')
    const badB64 = await post(t, { ...docBody(t, 12).body, file: { name: 'x.pdf', contentBase64: '***' } })
    expect(badB64.status).toBe(400)
    expect(JSON.stringify(badB64.body['errors'])).toContain('contentBase64')
    const both = await post(t, docBody(t, 13, { validUntil: '2030-01-01' }).body)
    expect(both.status).toBe(400)
    expect((both.body['errors'] as { field: string }[])[0]!.field).toBe('/body/validUntil')
  })

  it('accepts the same document as multipart (metadata JSON + file part) and delivers it', async () => {
    const { pdf, body } = docBody(t, 20)
    const { file: _f, ...metadata } = body
    const form = new FormData()
    form.append('metadata', JSON.stringify({ ...metadata, file: { sha256: sha(pdf) } }))
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'khai-sinh-20.pdf')
    const res = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: { 'x-api-key': KEYS.province }, body: form })
    expect(res.status).toBe(202)
    expect(await res.json()).toMatchObject({ documentId: 'local-doc-20', sha256: sha(pdf), signature: { status: 'valid' } })
    await waitFor(() => t.sandbox.sims.warehouse.uploaded('local-doc-20'))
    expect(t.sandbox.sims.warehouse.uploaded('local-doc-20')).toMatchObject({ deliveries: 1, files: [sha(pdf)] })
    const noFile = new FormData()
    noFile.append('metadata', JSON.stringify(metadata))
    const bad = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: { 'x-api-key': KEYS.province }, body: noFile })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('/body/file')
  })

  it('answers "what can replace the components of procedure P" from the catalog and counts reuse in the statistics', async () => {
    const procedure = {
      code: '1.000001',
      components: [
        {
          case: 'Mặc định',
          documents: [
            { code: 'GT.KS.001', originals: 1, copies: 0, name: 'Giấy khai sinh' },
            { code: 'GT.XX.999', replacementResultCode: 'KQ.G17.000420', originals: 1, copies: 0, name: 'Bằng lái' },
          ],
        },
      ],
    }
    await t.hub.db.query(`INSERT INTO catalog_procedures (code, hash, data, name, name_folded) VALUES ($1, 'h', $2, 'Thủ tục thử', 'thu tuc thu')`, [
      '1.000001',
      JSON.stringify(procedure),
    ])
    const res = await fetch(`${t.url}/v1/warehouse/owners/${OWNER}/documents?procedure=1.000001&validOn=2026-06-01`, { headers: H })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      procedure: { inCatalog: boolean; documentCodes: string[]; resultCodes: string[] }
      documents: { id: string; documentCode: string }[]
    }
    expect(body.procedure).toEqual({ code: '1.000001', inCatalog: true, documentCodes: ['GT.KS.001', 'GT.XX.999'], resultCodes: ['KQ.G17.000420'] })
    expect(body.documents.length).toBeGreaterThanOrEqual(3)
    expect(body.documents.every((d) => d.documentCode === 'GT.KS.001')).toBe(true)
    const none = await fetch(`${t.url}/v1/warehouse/owners/${OWNER}/documents?procedure=1.999999`, { headers: H })
    expect(none.status).toBe(404)
    const byCodes = (await (
      await fetch(`${t.url}/v1/warehouse/owners/${OWNER}/documents?procedure=1.999999&documentCode=GT.KS.001`, { headers: H })
    ).json()) as typeof body
    expect(byCodes.procedure.inCatalog).toBe(false)
    expect(byCodes.documents.length).toBe(body.documents.length)

    const used = await fetch(`${t.url}/v1/warehouse/documents/${body.documents[0]!.id}/usages`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ dossierCode: '000.00.06.H56-260601-0001', componentCode: 'TP1', procedureCode: '1.000001' }),
    })
    expect(await used.json()).toEqual({ recorded: true })
    const stats = (await (await fetch(`${t.url}/admin/warehouse/stats?period=year`, { headers: ADMIN })).json()) as {
      rows: { agencyCode: string; digitised: number; pushed: number; reused: number; signatures: { valid: number } }[]
    }
    const row = stats.rows.find((r) => r.agencyCode === '000.00.00.H56')!
    expect(row.digitised).toBeGreaterThanOrEqual(4)
    expect(row.pushed).toBeGreaterThanOrEqual(3)
    expect(row.reused).toBe(1)
    expect(row.signatures.valid).toBeGreaterThanOrEqual(4)
  })
})
