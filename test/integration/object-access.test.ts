import { createHash, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { AGENCY_A, AGENCY_B, KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { buildPdf } from '../../src/sandbox/pki/index.js'

/**
 * Issue 9, acceptance 9: a client scoped to one agency cannot read, change, replay or post
 * events to another agency's dossier, nor see its local warehouse documents; two clients
 * use the same eventId values without affecting each other.
 */
const json = (key: string) => ({ 'x-api-key': key, 'content-type': 'application/json', 'x-purpose': 'TTHC' })
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
type Body = Record<string, unknown>

async function call(t: TestHub, key: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(t.url + path, {
    method,
    headers: body === undefined ? { 'x-api-key': key, 'x-purpose': 'TTHC' } : json(key),
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let parsed: Body = {}
  try {
    parsed = JSON.parse(text) as Body
  } catch {
    parsed = { raw: text }
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

/** A problem body with the per-request and per-object parts blanked, to compare shapes and wording. */
function shape(problem: Body, objectId: string): Body {
  const { instance: _i, requestId: _r, ...rest } = problem
  return JSON.parse(JSON.stringify(rest).split(objectId).join('<id>')) as Body
}

describe('object-level access by agency (real Redis, PGlite, sandbox over HTTP)', () => {
  let t: TestHub
  const A = KEYS.districtA
  const B = KEYS.districtB
  // B's dossier and A's dossier, created through their own clients.
  const codeB = dossierCode(101, AGENCY_B)
  const codeA = dossierCode(102, AGENCY_A)
  const bodyB = dossierBody(101, 'b-create', { dossierCode: codeB, agencyCode: AGENCY_B })
  const bodyA = dossierBody(102, 'a-create', { dossierCode: codeA, agencyCode: AGENCY_A })
  const stepB = { eventId: 'b-step', occurredAt: '2026-11-21T09:15:00+07:00', status: 'DANG_XU_LY', step: { actor: 'Cán bộ B', action: 'Thẩm định B' } }

  /** Everything the database holds about a dossier: proves a refused request changed nothing. */
  const dossierState = async (code: string) => {
    const d = await t.hub.db.query('SELECT code, agency_code, procedure_code, snapshot, current_status, last_seq FROM dossiers WHERE code = $1', [code])
    const e = await t.hub.db.query('SELECT seq, event_id, client_id, kind, payload, body_sha256 FROM dossier_events WHERE dossier_code = $1 ORDER BY seq', [
      code,
    ])
    return { dossier: d.rows, events: e.rows }
  }

  beforeAll(async () => {
    const sandbox = await startSandbox(17)
    // Access, not signatures, is tested here: the unsigned local documents are let through (flagged) instead of blocked (docs/signatures.md).
    t = await startTestHub({ sandbox, env: { SIGNATURE_POLICY: 'local.*=warn' } })
    expect((await call(t, B, 'POST', '/v1/dossiers', bodyB)).status).toBe(202)
    expect((await call(t, B, 'POST', `/v1/dossiers/${codeB}/events`, stepB)).status).toBe(202)
    expect((await call(t, A, 'POST', '/v1/dossiers', bodyA)).status).toBe(202)
    // B's dossier is delivered before the tests try to disturb it.
    await waitFor(() => (t.sandbox.sims.dvcqg.dossier(codeB)?.history.length ?? 0) >= 3)
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  describe('dossiers', () => {
    it('read: GET /v1/dossiers/:code/sync of another agency is a 404 worded exactly like a missing dossier', async () => {
      const own = await call(t, B, 'GET', `/v1/dossiers/${codeB}/sync`)
      expect(own.status).toBe(200)
      expect((own.body['events'] as unknown[]).length).toBe(2)
      const foreign = await call(t, A, 'GET', `/v1/dossiers/${codeB}/sync`)
      const missingCode = dossierCode(9101, AGENCY_B)
      const missing = await call(t, A, 'GET', `/v1/dossiers/${missingCode}/sync`)
      expect(foreign.status).toBe(404)
      expect(foreign.body['code']).toBe('HUB_ERR_NOT_FOUND')
      expect(missing.status).toBe(404)
      expect(shape(foreign.body, codeB)).toEqual(shape(missing.body, missingCode))
      expect(JSON.stringify(foreign.body)).not.toContain('b-create')
      // The province's central system ('*') reads every agency's dossier.
      expect((await call(t, KEYS.province, 'GET', `/v1/dossiers/${codeB}/sync`)).status).toBe(200)
    })

    it('change: an upsert of another agency’s dossier is a 404 (403 naming the field when the body names an agency not served); nothing changes', async () => {
      const before = await dossierState(codeB)
      // Trying to move B's dossier to A's agency (which A serves).
      const moved = await call(t, A, 'POST', '/v1/dossiers', { ...bodyB, eventId: 'a-move', agencyCode: AGENCY_A, summary: 'Sửa trái phép' })
      expect(moved.status).toBe(404)
      expect(moved.body['code']).toBe('HUB_ERR_NOT_FOUND')
      expect(JSON.stringify(moved.body)).not.toContain('Trần Thị Bình')
      // Keeping B's agency in the body: A does not serve it.
      const asB = await call(t, A, 'POST', '/v1/dossiers', { ...bodyB, eventId: 'a-as-b', summary: 'Sửa trái phép' })
      expect(asB.status).toBe(403)
      expect(asB.body['code']).toBe('HUB_ERR_FORBIDDEN')
      expect(asB.body['errors']).toEqual([expect.objectContaining({ field: '/body/agencyCode' })])
      expect(await dossierState(codeB)).toEqual(before)
      const { rows } = await t.hub.db.query(`SELECT 1 FROM dossier_events WHERE client_id = 'district-a' AND event_id IN ('a-move', 'a-as-b')`)
      expect(rows).toHaveLength(0)
    })

    it('create: a new dossier for an agency the client does not serve is a 403 naming /body/agencyCode and is not stored', async () => {
      const code = dossierCode(103, AGENCY_B)
      const res = await call(t, A, 'POST', '/v1/dossiers', dossierBody(103, 'a-create-b', { dossierCode: code, agencyCode: AGENCY_B }))
      expect(res.status).toBe(403)
      expect(res.body['errors']).toEqual([expect.objectContaining({ field: '/body/agencyCode', rule: 'HUB_AGENCY_NOT_SERVED' })])
      const { rows } = await t.hub.db.query('SELECT 1 FROM dossiers WHERE code = $1', [code])
      expect(rows).toHaveLength(0)
    })

    it('post events: an event for another agency’s dossier is a 404 worded like an unknown dossier; nothing stored or delivered', async () => {
      const before = await dossierState(codeB)
      const portalBefore = t.sandbox.sims.dvcqg.dossier(codeB)!.history.length
      const ev = { eventId: 'a-intrude', occurredAt: '2026-11-22T09:00:00+07:00', status: 'DA_TRA_KET_QUA', step: { actor: 'Kẻ lạ', action: 'Trả kết quả' } }
      const foreign = await call(t, A, 'POST', `/v1/dossiers/${codeB}/events`, ev)
      const missingCode = dossierCode(9102, AGENCY_B)
      const missing = await call(t, A, 'POST', `/v1/dossiers/${missingCode}/events`, ev)
      expect(foreign.status).toBe(404)
      expect(shape(foreign.body, codeB)).toEqual(shape(missing.body, missingCode))
      expect(await dossierState(codeB)).toEqual(before)
      await new Promise((r) => setTimeout(r, 300))
      expect(t.sandbox.sims.dvcqg.dossier(codeB)!.history.length).toBe(portalBefore)
    })

    it('replay: re-sending B’s own eventIds from A neither answers B’s replies nor stores anything; the operator replay is out of a v1 client’s reach', async () => {
      const before = await dossierState(codeB)
      // B's exact upsert body from A: B's agency is not served.
      const upsert = await call(t, A, 'POST', '/v1/dossiers', bodyB)
      expect(upsert.status).toBe(403)
      // B's exact event body from A: the dossier is unknown to A (not B's seq 2 "replayed").
      const event = await call(t, A, 'POST', `/v1/dossiers/${codeB}/events`, stepB)
      expect(event.status).toBe(404)
      expect(event.body['seq']).toBeUndefined()
      // B itself still gets its first answers.
      expect(await call(t, B, 'POST', `/v1/dossiers/${codeB}/events`, stepB)).toMatchObject({
        status: 202,
        body: { dossierCode: codeB, eventId: 'b-step', seq: 2 },
      })
      // The operators' replay of parked dossiers needs the admin role, which no v1 client holds.
      const adminReplay = await call(t, A, 'POST', `/admin/dossiers/${codeB}/replay`, {})
      expect(adminReplay.status).toBe(403)
      const adminAll = await call(t, A, 'POST', `/admin/dossiers/replay`, {})
      expect(adminAll.status).toBe(403)
      expect(await dossierState(codeB)).toEqual(before)
    })

    it('two clients use the same eventId values without affecting each other: both stored, both delivered', async () => {
      const a = dossierCode(104, AGENCY_A)
      const b = dossierCode(104, AGENCY_B)
      const ev = (n: number) => ({ eventId: `shared-${n}`, occurredAt: '2026-11-21T10:00:00+07:00', step: { actor: 'Cán bộ', action: `Bước ${n}` } })
      const replies = [
        await call(t, A, 'POST', '/v1/dossiers', dossierBody(104, 'shared-0', { dossierCode: a, agencyCode: AGENCY_A })),
        await call(t, B, 'POST', '/v1/dossiers', dossierBody(104, 'shared-0', { dossierCode: b, agencyCode: AGENCY_B })),
        await call(t, A, 'POST', `/v1/dossiers/${a}/events`, ev(1)),
        await call(t, B, 'POST', `/v1/dossiers/${b}/events`, ev(1)),
        // The province's system uses the same key on A's dossier: a third, independent event.
        await call(t, KEYS.province, 'POST', `/v1/dossiers/${a}/events`, ev(1)),
      ]
      expect(replies.map((r) => [r.status, r.body['dossierCode'], r.body['seq']])).toEqual([
        [202, a, 1],
        [202, b, 1],
        [202, a, 2],
        [202, b, 2],
        [202, a, 3],
      ])
      const { rows } = await t.hub.db.query<{ dossier_code: string; event_id: string; client_id: string }>(
        `SELECT dossier_code, event_id, client_id FROM dossier_events WHERE event_id LIKE 'shared-%' ORDER BY dossier_code, seq`,
      )
      // Ordered by dossier code (A's agency code sorts first), then sequence.
      expect(rows.map((r) => [r.dossier_code, r.event_id, r.client_id])).toEqual([
        [a, 'shared-0', 'district-a'],
        [a, 'shared-1', 'district-a'],
        [a, 'shared-1', 'province-test'],
        [b, 'shared-0', 'district-b'],
        [b, 'shared-1', 'district-b'],
      ])
      await waitFor(async () => {
        const r = await t.hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dossiers WHERE code = ANY($1::text[]) AND delivered_seq = last_seq`, [
          [a, b],
        ])
        return r.rows[0]!.n === 2
      })
      expect(t.sandbox.sims.dvcqg.dossier(a)!.history.map((h) => (h.op === 'progress' ? h.content : h.op))).toEqual(['create', 'Bước 1', 'Bước 1'])
      expect(t.sandbox.sims.dvcqg.dossier(b)!.history.map((h) => (h.op === 'progress' ? h.content : h.op))).toEqual(['create', 'Bước 1'])
    })
  })

  describe('warehouse', () => {
    let owner = ''
    let national: { id: string } = { id: '' }
    const docs: Record<'A' | 'B', { id: string; documentId: string }> = { A: { id: '', documentId: '' }, B: { id: '', documentId: '' } }
    const local = (n: number, agencyCode?: string) => {
      const pdf = buildPdf(`Ban sao so ${n}`)
      return {
        pdf,
        body: {
          documentId: `oa-doc-${n}`,
          ownerId: owner,
          documentCode: 'GT.KS.001',
          title: `Giấy khai sinh ${n}`,
          issuedOn: '2026-01-15',
          permanent: true,
          ...(agencyCode ? { agencyCode } : {}),
          file: { name: `ks-${n}.pdf`, contentBase64: pdf.toString('base64'), sha256: sha(pdf) },
        },
      }
    }

    beforeAll(async () => {
      // An owner with documents at the national warehouse, mirrored by an operator.
      owner = t.sandbox.sims.warehouse.owners()[0]!
      const bf = await fetch(`${t.url}/admin/warehouse/backfill`, { method: 'POST', headers: json(KEYS.operator), body: JSON.stringify({ ownerIds: [owner] }) })
      const { backfillId } = (await bf.json()) as { backfillId: string }
      await waitFor(
        async () => {
          const p = (await (await fetch(`${t.url}/admin/warehouse/backfill/${backfillId}`, { headers: { 'x-api-key': KEYS.operator } })).json()) as {
            done: number
            failed: number
          }
          return p.done + p.failed === 1
        },
        30_000,
        200,
      )
      const { rows } = await t.hub.db.query<{ id: string }>(
        `SELECT id FROM warehouse_documents WHERE owner_id = $1 AND source = 'national' AND fetch_state = 'stored' ORDER BY id LIMIT 1`,
        [owner],
      )
      national = rows[0]!
      expect(national).toBeDefined()
      for (const [who, key, agency, n] of [
        ['A', A, AGENCY_A, 1],
        ['B', B, AGENCY_B, 2],
      ] as const) {
        const r = await call(t, key, 'POST', '/v1/warehouse/documents', local(n, agency).body)
        expect(r.status).toBe(202)
        docs[who] = { id: String(r.body['id']), documentId: String(r.body['documentId']) }
      }
    })

    it('GET a document and its content: another agency’s local document is a 404 identical to a missing one; its own and national ones are readable', async () => {
      const missing = randomUUID()
      for (const suffix of ['', '/content']) {
        const foreign = await call(t, A, 'GET', `/v1/warehouse/documents/${docs.B.id}${suffix}`)
        const none = await call(t, A, 'GET', `/v1/warehouse/documents/${missing}${suffix}`)
        expect(foreign.status).toBe(404)
        expect(shape(foreign.body, docs.B.id)).toEqual(shape(none.body, missing))
        expect(JSON.stringify(foreign.body)).not.toContain(owner)
        expect((await call(t, B, 'GET', `/v1/warehouse/documents/${docs.B.id}${suffix}`)).status).toBe(200)
        expect((await call(t, A, 'GET', `/v1/warehouse/documents/${docs.A.id}${suffix}`)).status).toBe(200)
        // Mirrored national documents belong to the citizen: any warehouse client reads them.
        expect((await call(t, A, 'GET', `/v1/warehouse/documents/${national.id}${suffix}`)).status).toBe(200)
        expect((await call(t, B, 'GET', `/v1/warehouse/documents/${national.id}${suffix}`)).status).toBe(200)
      }
      // The audit trail keeps what was asked for, under the asking client.
      const { rows } = await t.hub.db.query<{ outcome: string }>(
        `SELECT outcome FROM audit_log WHERE client_id = 'district-a' AND detail->>'documentId' = $1`,
        [docs.B.id],
      )
      expect(rows.map((r) => r.outcome).sort()).toEqual(['not_served', 'not_served'])
    })

    it('the owner listing shows national documents and the client’s own agencies’ local documents only', async () => {
      const list = async (key: string) => {
        const r = await call(t, key, 'GET', `/v1/warehouse/owners/${owner}/documents?limit=100`)
        expect(r.status).toBe(200)
        return (r.body['documents'] as { id: string; source: string }[]).map((d) => d.id)
      }
      const { rows } = await t.hub.db.query<{ id: string }>(
        `SELECT id FROM warehouse_documents WHERE owner_id = $1 AND source = 'national' AND fetch_state = 'stored'`,
        [owner],
      )
      const nationals = rows.map((r) => r.id).sort()
      expect((await list(A)).sort()).toEqual([...nationals, docs.A.id].sort())
      expect((await list(B)).sort()).toEqual([...nationals, docs.B.id].sort())
      expect((await list(KEYS.province)).sort()).toEqual([...nationals, docs.A.id, docs.B.id].sort())
    })

    it('POST usages: another agency’s document is a 404; a dossier of another agency (held or not) is a 404 naming the field; nothing recorded', async () => {
      const count = async () => (await t.hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM warehouse_usage')).rows[0]!.n
      const before = await count()
      const foreignDoc = await call(t, A, 'POST', `/v1/warehouse/documents/${docs.B.id}/usages`, { dossierCode: codeA, componentCode: 'TP1' })
      expect(foreignDoc.status).toBe(404)
      const missing = randomUUID()
      expect(shape(foreignDoc.body, docs.B.id)).toEqual(
        shape((await call(t, A, 'POST', `/v1/warehouse/documents/${missing}/usages`, { dossierCode: codeA, componentCode: 'TP1' })).body, missing),
      )
      // codeB is held by the hub (agency B); the other B code is not: both answer alike.
      const heldB = await call(t, A, 'POST', `/v1/warehouse/documents/${docs.A.id}/usages`, { dossierCode: codeB, componentCode: 'TP1' })
      const otherB = dossierCode(9103, AGENCY_B)
      const unheldB = await call(t, A, 'POST', `/v1/warehouse/documents/${docs.A.id}/usages`, { dossierCode: otherB, componentCode: 'TP1' })
      expect(heldB.status).toBe(404)
      expect(heldB.body['errors']).toEqual([expect.objectContaining({ field: '/body/dossierCode' })])
      expect(shape(heldB.body, codeB)).toEqual(shape(unheldB.body, otherB))
      const agency = await call(t, A, 'POST', `/v1/warehouse/documents/${docs.A.id}/usages`, { dossierCode: codeA, componentCode: 'TP1', agencyCode: AGENCY_B })
      expect(agency.status).toBe(403)
      expect(agency.body['errors']).toEqual([expect.objectContaining({ field: '/body/agencyCode' })])
      expect(await count()).toBe(before)
      // Its own document in its own dossier, and a national document in its own dossier, are recorded.
      expect(await call(t, A, 'POST', `/v1/warehouse/documents/${docs.A.id}/usages`, { dossierCode: codeA, componentCode: 'TP1' })).toMatchObject({
        status: 200,
        body: { recorded: true },
      })
      expect(await call(t, A, 'POST', `/v1/warehouse/documents/${national.id}/usages`, { dossierCode: codeA, componentCode: 'TP2' })).toMatchObject({
        status: 200,
        body: { recorded: true },
      })
      expect(await count()).toBe(before + 2)
    })

    it('intake: a document for an agency not served (named or the default) is a 403 and stores nothing; another client’s documentId is a 409 revealing nothing', async () => {
      const named = local(3, AGENCY_B)
      const r1 = await call(t, A, 'POST', '/v1/warehouse/documents', named.body)
      expect(r1.status).toBe(403)
      expect(r1.body['errors']).toEqual([expect.objectContaining({ field: '/body/agencyCode' })])
      // No agencyCode: the province unit (WAREHOUSE_AGENCY_CODE / DVCQG_UNIT_CODE), which A does not serve.
      const unnamed = local(4)
      const r2 = await call(t, A, 'POST', '/v1/warehouse/documents', unnamed.body)
      expect(r2.status).toBe(403)
      expect(r2.body['errors']).toEqual([expect.objectContaining({ field: '/body/agencyCode' })])
      const { rows } = await t.hub.db.query(`SELECT 1 FROM warehouse_documents WHERE local_id IN ('oa-doc-3', 'oa-doc-4')`)
      expect(rows).toHaveLength(0)
      for (const pdf of [named.pdf, unnamed.pdf]) expect(await t.hub.services.warehouse.blobs.has(sha(pdf))).toBe(false)
      // B sends A's documentId (the national Ma stays unique): 409, and nothing of A's document.
      const before = (await t.hub.db.query(`SELECT * FROM warehouse_documents WHERE local_id = $1`, [docs.A.documentId])).rows
      const clash = await call(t, B, 'POST', '/v1/warehouse/documents', { ...local(1, AGENCY_B).body })
      expect(clash.status).toBe(409)
      expect(clash.body['code']).toBe('HUB_ERR_CONFLICT')
      expect(clash.body['errors']).toEqual([expect.objectContaining({ field: '/body/documentId', rule: 'HUB_WAREHOUSE_ID_TAKEN' })])
      const text = JSON.stringify(clash.body)
      for (const secret of [docs.A.id, owner, AGENCY_A, 'district-a']) expect(text).not.toContain(secret)
      expect((await t.hub.db.query(`SELECT * FROM warehouse_documents WHERE local_id = $1`, [docs.A.documentId])).rows).toEqual(before)
    })
  })
})
