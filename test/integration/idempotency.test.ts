import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { createTestDatabase } from '../helpers/pg.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { buildPdf } from '../../src/sandbox/pki/index.js'

/**
 * Issue 9, acceptance 8: an idempotency key (eventId, documentId) sent again with a
 * different body is a 409 HUB_ERR_IDEMPOTENCY_CONFLICT and stores nothing; the same body
 * gets the first answer. On PGlite and on PostgreSQL (where concurrent requests really race).
 */
const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
type Body = Record<string, unknown>

async function post(t: TestHub, path: string, body: unknown, raw?: string) {
  const res = await fetch(t.url + path, { method: 'POST', headers: H, body: raw ?? JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as Body }
}

/** The same JSON object with its keys in reverse order (at every level). */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys)
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversedKeys(x)]),
    )
  return v
}

const engines: [string, () => Promise<{ env: Record<string, string>; drop: () => Promise<void> }>][] = [
  ['pglite', async () => ({ env: {}, drop: async () => undefined })],
  [
    'postgres',
    async () => {
      const db = await createTestDatabase()
      return { env: { DATABASE_URL: db.url }, drop: db.drop }
    },
  ],
]

describe.each(engines)('idempotency conflicts on %s (real Redis, sandbox over HTTP)', (_name, database) => {
  let t: TestHub
  let sandbox: TestSandbox
  let drop: () => Promise<void>

  const dossierState = async (code: string) => {
    const d = await t.hub.db.query('SELECT snapshot, current_status, agency_code, last_seq FROM dossiers WHERE code = $1', [code])
    const e = await t.hub.db.query('SELECT seq, event_id, client_id, kind, payload, body_sha256 FROM dossier_events WHERE dossier_code = $1 ORDER BY seq', [
      code,
    ])
    return { dossier: d.rows, events: e.rows }
  }

  beforeAll(async () => {
    const d = await database()
    drop = d.drop
    sandbox = await startSandbox(23)
    t = await startTestHub({ sandbox, env: d.env })
  })
  afterAll(async () => {
    await t?.close()
    await sandbox?.close()
    await drop?.()
  })

  it('POST /v1/dossiers: same eventId + different body → 409 and nothing stored; same body (any key order) → the first answer', async () => {
    const code = dossierCode(201)
    const first = await post(t, '/v1/dossiers', dossierBody(201, 'idem-upsert'))
    expect(first).toEqual({ status: 202, body: { dossierCode: code, eventId: 'idem-upsert', seq: 1 } })
    const before = await dossierState(code)
    expect(before.events).toHaveLength(1)
    expect(before.events[0]!['body_sha256']).toMatch(/^[0-9a-f]{64}$/)

    const changed = await post(t, '/v1/dossiers', dossierBody(201, 'idem-upsert', { summary: 'Nội dung khác' }))
    expect(changed.status).toBe(409)
    expect(changed.body).toMatchObject({ code: 'HUB_ERR_IDEMPOTENCY_CONFLICT', status: 409, errors: [expect.objectContaining({ field: '/body/eventId' })] })
    const status = await post(t, '/v1/dossiers', dossierBody(201, 'idem-upsert', { status: 'DANG_XU_LY' }))
    expect(status.status).toBe(409)
    expect(await dossierState(code)).toEqual(before)

    const again = await post(t, '/v1/dossiers', undefined, JSON.stringify(reversedKeys(dossierBody(201, 'idem-upsert'))))
    expect(again).toEqual(first)
    expect(await dossierState(code)).toEqual(before)
  })

  it('POST /v1/dossiers/:code/events: same eventId + different body (or another dossier) → 409, nothing stored; same body → the first answer', async () => {
    const code = dossierCode(202)
    expect((await post(t, '/v1/dossiers', dossierBody(202, 'idem-ev-create'))).status).toBe(202)
    const ev = { eventId: 'idem-ev', occurredAt: '2026-11-21T09:15:00+07:00', status: 'DANG_XU_LY', step: { actor: 'Lê Văn Cường', action: 'Thẩm định hồ sơ' } }
    const first = await post(t, `/v1/dossiers/${code}/events`, ev)
    expect(first).toEqual({ status: 202, body: { dossierCode: code, eventId: 'idem-ev', seq: 2 } })
    const before = await dossierState(code)

    for (const other of [
      { ...ev, status: 'DA_TRA_KET_QUA' },
      { ...ev, step: { ...ev.step, action: 'Phê duyệt' } },
      { ...ev, occurredAt: '2026-11-21T09:16:00+07:00' },
      { eventId: ev.eventId, occurredAt: ev.occurredAt, status: ev.status },
    ]) {
      const r = await post(t, `/v1/dossiers/${code}/events`, other)
      expect(r.status).toBe(409)
      expect(r.body['code']).toBe('HUB_ERR_IDEMPOTENCY_CONFLICT')
    }
    // The same key and body on another dossier is another request too.
    const otherCode = dossierCode(203)
    expect((await post(t, '/v1/dossiers', dossierBody(203, 'idem-ev-create-2'))).status).toBe(202)
    expect((await post(t, `/v1/dossiers/${otherCode}/events`, ev)).body['code']).toBe('HUB_ERR_IDEMPOTENCY_CONFLICT')
    expect(await dossierState(code)).toEqual(before)

    expect(await post(t, `/v1/dossiers/${code}/events`, reversedKeys(ev))).toEqual(first)
    expect(await dossierState(code)).toEqual(before)
  })

  it('concurrent requests with one eventId and different bodies: one wins, the rest get 409; one row, no gap, the winner’s snapshot', async () => {
    const code = dossierCode(204)
    const bodies = Array.from({ length: 6 }, (_, i) => dossierBody(204, 'idem-race', { summary: `Phiên bản ${i}` }))
    const replies = await Promise.all(bodies.map((b) => post(t, '/v1/dossiers', b)))
    const winners = replies.flatMap((r, i) => (r.status === 202 ? [i] : []))
    expect(winners).toHaveLength(1)
    expect(replies.filter((r) => r.status === 409 && r.body['code'] === 'HUB_ERR_IDEMPOTENCY_CONFLICT')).toHaveLength(5)
    const state = await dossierState(code)
    expect(state.events).toHaveLength(1)
    expect(state.dossier[0]).toMatchObject({ last_seq: 1, snapshot: expect.objectContaining({ summary: `Phiên bản ${winners[0]}` }) })

    // The same on an existing dossier's events: exactly one more sequence number is used.
    const evs = Array.from({ length: 6 }, (_, i) => ({
      eventId: 'idem-race-ev',
      occurredAt: '2026-11-21T09:15:00+07:00',
      step: { actor: 'Cán bộ', action: `Bước ${i}` },
    }))
    const evReplies = await Promise.all(evs.map((b) => post(t, `/v1/dossiers/${code}/events`, b)))
    const evWinner = evReplies.findIndex((r) => r.status === 202)
    expect(evReplies.filter((r) => r.status === 202)).toHaveLength(1)
    expect(evReplies.filter((r) => r.status === 409)).toHaveLength(5)
    expect(evReplies[evWinner]!.body['seq']).toBe(2)
    const after = await dossierState(code)
    expect(after.dossier[0]!['last_seq']).toBe(2)
    expect(after.events).toHaveLength(2)
    await waitFor(() => t.sandbox.sims.dvcqg.dossier(code)?.history.some((h) => h.op === 'progress'))
    await new Promise((r) => setTimeout(r, 300))
    expect(
      t.sandbox.sims.dvcqg
        .dossier(code)!
        .history.filter((h) => h.op === 'progress')
        .map((h) => h.content),
    ).toEqual([`Bước ${evWinner}`])
  })

  it('events stored before the migration (no hash) match any body of the same dossier, as before', async () => {
    const code = dossierCode(205)
    const first = await post(t, '/v1/dossiers', dossierBody(205, 'idem-legacy'))
    await t.hub.db.query(`UPDATE dossier_events SET body_sha256 = NULL WHERE client_id = 'province-test' AND event_id = 'idem-legacy'`)
    const before = await dossierState(code)
    expect(await post(t, '/v1/dossiers', dossierBody(205, 'idem-legacy', { summary: 'Nội dung khác' }))).toEqual(first)
    expect(await dossierState(code)).toEqual(before)
  })

  describe('POST /v1/warehouse/documents', () => {
    const doc = (n: number, extra: Body = {}, text = `Ban sao idem ${n}`) => {
      const pdf = buildPdf(text)
      return {
        pdf,
        body: {
          documentId: `idem-doc-${n}`,
          ownerId: '056085000888',
          documentCode: 'GT.KS.001',
          title: 'Giấy khai sinh',
          issuedOn: '2026-01-15',
          permanent: true,
          file: { name: `ks-${n}.pdf`, contentBase64: pdf.toString('base64') },
          ...extra,
        } as Body,
      }
    }
    // A replay reports the document's current push state (the push worker may be done by then).
    const sameAnswer = (first: { status: number; body: Body }) => ({
      ...first,
      body: { ...first.body, pushState: expect.stringMatching(/^(pending|pushed|blocked)$/) },
    })
    const rowOf = async (documentId: string) =>
      // What the intake writes (the push worker updates its own columns meanwhile).
      (
        await t.hub.db.query(
          'SELECT id, local_id, client_id, body_sha256, owner_id, document_code, title, agency_code, blob_sha256, size, content_type, file_name, signature_status, created_at FROM warehouse_documents WHERE local_id = $1',
          [documentId],
        )
      ).rows

    it('same documentId + different metadata or file → 409 and nothing stored (not even the file); same body, as JSON or multipart → the first answer', async () => {
      const a = doc(1)
      const first = await post(t, '/v1/warehouse/documents', a.body)
      expect(first.status).toBe(202)
      const before = await rowOf('idem-doc-1')
      expect(before).toHaveLength(1)
      expect(before[0]!['body_sha256']).toMatch(/^[0-9a-f]{64}$/)
      expect(before[0]!['client_id']).toBe('province-test')

      const retitled = await post(t, '/v1/warehouse/documents', { ...a.body, title: 'Giấy chứng tử' })
      expect(retitled.status).toBe(409)
      expect(retitled.body).toMatchObject({ code: 'HUB_ERR_IDEMPOTENCY_CONFLICT', errors: [expect.objectContaining({ field: '/body/documentId' })] })
      const other = doc(1, {}, 'Một tệp khác')
      const refiled = await post(t, '/v1/warehouse/documents', other.body)
      expect(refiled.status).toBe(409)
      expect(refiled.body['code']).toBe('HUB_ERR_IDEMPOTENCY_CONFLICT')
      expect(await t.hub.services.warehouse.blobs.has(sha(other.pdf))).toBe(false)
      expect(await rowOf('idem-doc-1')).toEqual(before)

      expect(await post(t, '/v1/warehouse/documents', reversedKeys(a.body))).toEqual(sameAnswer(first))
      const { file: _f, ...metadata } = a.body
      const form = new FormData()
      form.append('metadata', JSON.stringify(metadata))
      form.append('file', new Blob([new Uint8Array(a.pdf)], { type: 'application/pdf' }), 'ks-1.pdf')
      const multipart = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: { 'x-api-key': KEYS.province }, body: form })
      expect({ status: multipart.status, body: await multipart.json() }).toEqual(sameAnswer(first))
      expect(await rowOf('idem-doc-1')).toEqual(before)
      const { rows } = await t.hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE local_id LIKE 'idem-doc-%'`)
      expect(rows[0]!.n).toBe(1)
    })

    it('documents stored before the migration (no client, no hash) replay for a client serving their agency when the file is the same', async () => {
      const a = doc(2)
      const first = await post(t, '/v1/warehouse/documents', a.body)
      expect(first.status).toBe(202)
      await t.hub.db.query(`UPDATE warehouse_documents SET client_id = NULL, body_sha256 = NULL WHERE local_id = 'idem-doc-2'`)
      const before = await rowOf('idem-doc-2')
      expect(await post(t, '/v1/warehouse/documents', { ...a.body, title: 'Tiêu đề khác' })).toEqual(sameAnswer(first))
      const refiled = await post(t, '/v1/warehouse/documents', doc(2, {}, 'Một tệp khác').body)
      expect(refiled.body['code']).toBe('HUB_ERR_IDEMPOTENCY_CONFLICT')
      // A district client not serving the province unit the document was stored under is not its owner.
      const district = await fetch(`${t.url}/v1/warehouse/documents`, {
        method: 'POST',
        headers: { ...H, 'x-api-key': KEYS.districtA },
        body: JSON.stringify({ ...a.body, agencyCode: '000.00.06.H56' }),
      })
      expect(district.status).toBe(409)
      expect(((await district.json()) as Body)['code']).toBe('HUB_ERR_CONFLICT')
      expect(await rowOf('idem-doc-2')).toEqual(before)
    })
  })
})
