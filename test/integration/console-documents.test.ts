import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'

/** The sandbox axis's two hub agencies (docs/sandbox-vdxp.md): A sends, B receives. */
const A = '000.00.00.H56'
const B = '000.01.00.H56'
type Json = Record<string, unknown>

describe('console: VDXP inbox and document timelines (GET /admin/documents/inbox, /admin/documents/:id/timeline)', () => {
  let t: TestHub
  let sandbox: TestSandbox
  const json = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
  const post = async (path: string, body: unknown, headers: Record<string, string> = json) => {
    const res = await fetch(t.url + path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as Json }
  }
  const getAs = async (key: string, path: string) => {
    const res = await fetch(t.url + path, { headers: { 'x-api-key': key } })
    return { status: res.status, body: (await res.json()) as Json }
  }
  const admin = (path: string) => getAs(KEYS.viewer, path)
  /** B's stored copy of a document A sent, as the agency API (/v1) serves it. */
  const atB = (edxmlDocumentId: string) =>
    waitFor(async () => {
      const inbox = (await getAs(KEYS.province, `/v1/documents/inbox?agency=${B}&limit=500`)).body as { items: Json[] }
      return inbox.items.find((d) => d['edxmlDocumentId'] === edxmlDocumentId && d['businessType'] === 'new')
    }, 30_000)
  let n = 0
  const sendDoc = async () => {
    n++
    const subject = `Công văn thử bảng điều khiển ${n}`
    const res = await post('/v1/documents', {
      idempotencyKey: `console-${n}-${randomBytes(3).toString('hex')}`,
      from: A,
      to: [B],
      codeNumber: String(2000 + n),
      codeNotation: 'UBND-VP',
      documentType: { type: '1', typeName: 'Công văn' },
      subject,
      attachments: [{ name: `tep-${n}.pdf`, contentType: 'application/pdf', contentBase64: randomBytes(512).toString('base64') }],
    })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    return { ...(res.body as { id: string; edxmlDocumentId: string }), subject }
  }

  let first: { id: string; edxmlDocumentId: string; subject: string }
  let second: { id: string; edxmlDocumentId: string; subject: string }
  let inFirst: Json
  let inSecond: Json

  beforeAll(async () => {
    sandbox = await startSandbox()
    t = await startTestHub({ sandbox, env: { CONNECTORS_ENABLED: 'dvcqg,vdxp', VDXP_BASE_URL: `${sandbox.url}/vdxp`, VDXP_POLL_MS: 200 } })
    const synced = await post('/admin/documents/agencies/sync', {}, { 'x-api-key': KEYS.operator, 'content-type': 'application/json' })
    expect(synced.status, JSON.stringify(synced.body)).toBe(200)
    first = await sendDoc()
    inFirst = await atB(first.edxmlDocumentId)
    second = await sendDoc()
    inSecond = await atB(second.edxmlDocumentId)
  }, 90_000)
  afterAll(async () => {
    await t?.close()
    await sandbox?.close()
  })

  it('lists the received documents newest first with sender, agency, code, subject, state and received time', async () => {
    const r = await admin('/admin/documents/inbox')
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const items = r.body['items'] as Json[]
    // Only received documents: both of B's copies, never A's sent originals.
    expect(items.map((i) => i['id'])).toEqual([inSecond['id'], inFirst['id']])
    const item = items[1]!
    expect(item).toMatchObject({
      id: inFirst['id'],
      agency: B,
      sender: A,
      code: inFirst['code'],
      subject: first.subject,
      businessType: 'new',
      state: 'received',
      inboxSeq: inFirst['inboxSeq'],
      receivedAt: inFirst['createdAt'],
    })
    expect(r.body['next']).toBeUndefined()
  })

  it('shows the latest status: 01 (received) sent back by the hub, then the agency’s own status', async () => {
    // 01 goes back automatically; wait until B's view shows it, then compare with the console's last status.
    await waitFor(async () => ((await getAs(KEYS.province, `/v1/documents/${inFirst['id'] as string}`)).body['timeline'] as Json[]).length > 0, 30_000)
    const st = await post(`/v1/documents/${inFirst['id'] as string}/status`, { statusCode: '03', idempotencyKey: 'console-st-03' })
    expect(st.status, JSON.stringify(st.body)).toBe(202)
    const items = (await admin(`/admin/documents/inbox?sender=${A}`)).body['items'] as Json[]
    const item = items.find((i) => i['id'] === inFirst['id'])!
    expect(item['lastStatus']).toMatchObject({ statusCode: '03', direction: 'out' })
  })

  it('filters by agency (with its units), sender, state and acknowledgement, and pages by cursor', async () => {
    const ids = async (q: string) => ((await admin(`/admin/documents/inbox?${q}`)).body['items'] as Json[]).map((i) => i['id'])
    expect(await ids(`agency=${B}`)).toEqual([inSecond['id'], inFirst['id']])
    // The province's root code covers its units, B among them; another unit covers nothing here.
    expect(await ids('agency=000.00.00.H56')).toEqual([inSecond['id'], inFirst['id']])
    expect(await ids('agency=000.02.00.H56')).toEqual([])
    expect(await ids(`sender=${B}`)).toEqual([])
    expect(await ids('state=revoked')).toEqual([])
    expect(await ids('state=received')).toEqual([inSecond['id'], inFirst['id']])
    const ack = await post(`/v1/documents/${inSecond['id'] as string}/ack`, undefined, { 'x-api-key': KEYS.province })
    expect(ack.status).toBe(200)
    expect(await ids('unacked=true')).toEqual([inFirst['id']])
    const page1 = await admin('/admin/documents/inbox?limit=1')
    expect((page1.body['items'] as Json[]).map((i) => i['id'])).toEqual([inSecond['id']])
    expect(page1.body['next']).toBe(String(inSecond['inboxSeq']))
    const page2 = await admin(`/admin/documents/inbox?limit=1&after=${page1.body['next'] as string}`)
    expect((page2.body['items'] as Json[]).map((i) => i['id'])).toEqual([inFirst['id']])
    expect(page2.body['next']).toBeUndefined()
  })

  it("a received document's timeline: stored, each status the province sent with its delivery, the acknowledgement", async () => {
    await post(`/v1/documents/${inSecond['id'] as string}/ack`, undefined, { 'x-api-key': KEYS.province })
    const view = await waitFor(async () => {
      const v = (await getAs(KEYS.province, `/v1/documents/${inSecond['id'] as string}`)).body
      return (v['timeline'] as Json[]).every((s) => s['delivery'] === 'sent') && (v['timeline'] as Json[]).length > 0 ? v : undefined
    }, 30_000)
    const r = await admin(`/admin/documents/${inSecond['id'] as string}/timeline`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body['document']).toMatchObject({ id: inSecond['id'], direction: 'in', agency: B, peer: A, state: 'received', ackedAt: view['ackedAt'] })
    const events = r.body['events'] as Json[]
    expect(events[0]).toEqual({ at: view['createdAt'], kind: 'stored', direction: 'in' })
    const statuses = events.filter((e) => e['kind'] === 'status')
    const expected = (view['timeline'] as Json[]).map((s) => ({
      statusCode: s['statusCode'],
      direction: s['direction'],
      at: s['recordedAt'],
      delivery: s['delivery'],
    }))
    expect(statuses.map((s) => ({ statusCode: s['statusCode'], direction: s['direction'], at: s['at'], delivery: s['delivery'] }))).toEqual(expected)
    expect(expected.map((s) => s.statusCode)).toContain('01')
    expect(events.filter((e) => e['kind'] === 'acknowledged')).toEqual([{ at: view['ackedAt'], kind: 'acknowledged' }])
    const times = events.map((e) => e['at'] as string)
    expect([...times].sort()).toEqual(times)
  })

  it("a sent document's timeline: stored, its message sent, the statuses received from the other agency", async () => {
    const view = await waitFor(async () => {
      const v = (await getAs(KEYS.province, `/v1/documents/${first.id}`)).body
      return (v['timeline'] as Json[]).some((s) => s['statusCode'] === '03' && s['direction'] === 'in') ? v : undefined
    }, 30_000)
    const r = await admin(`/admin/documents/${first.id}/timeline`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body['document']).toMatchObject({ id: first.id, direction: 'out', agency: A, peer: B, state: 'sent', subject: first.subject })
    const kinds = (r.body['events'] as Json[]).map((e) => [e['kind'], e['statusCode'] ?? null, e['direction'] ?? null])
    expect(kinds[0]).toEqual(['stored', null, 'out'])
    expect(kinds.filter((k) => k[0] === 'sent')).toHaveLength(1)
    expect(kinds.filter((k) => k[0] === 'status')).toEqual((view['timeline'] as Json[]).map((s) => ['status', s['statusCode'], s['direction']]))
  })

  it('bad input is a 400 naming the field; an unknown document is 404; a service key is refused', async () => {
    const bad = async (q: string, field: string) => {
      const r = await admin(`/admin/documents/inbox?${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body['code']).toBe('HUB_ERR_VALIDATION')
      expect((r.body['errors'] as Json[]).map((e) => e['field'])).toContain(field)
    }
    await bad('limit=0', '/querystring/limit')
    await bad('limit=201', '/querystring/limit')
    await bad('after=abc', '/querystring/after')
    await bad('agency=H56', '/querystring/agency')
    await bad('state=sent', '/querystring/state')
    await bad('nope=1', '/querystring/nope')
    expect((await admin(`/admin/documents/${randomUUID()}/timeline`)).status).toBe(404)
    const notUuid = await admin('/admin/documents/not-a-uuid/timeline')
    expect(notUuid.status).toBe(400)
    expect((notUuid.body['errors'] as Json[]).map((e) => e['field'])).toContain('/params/id')
    expect((await getAs(KEYS.limited, '/admin/documents/inbox')).status).toBe(403)
    expect((await getAs(KEYS.province, `/admin/documents/${first.id}/timeline`)).status).toBe(403)
  })
})
