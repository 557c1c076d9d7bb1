import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'

/** The sandbox axis's two hub agencies (docs/sandbox-vdxp.md): A sends, B receives. */
const A = '000.00.00.H56'
const B = '000.01.00.H56'
type Json = Record<string, unknown>
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('document exchange through the sandbox axis (send as A, receive as B)', () => {
  let t: TestHub
  const json = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
  const post = async (path: string, body: unknown, headers: Record<string, string> = json) => {
    const res = await fetch(t.url + path, { method: 'POST', headers, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as Json }
  }
  const get = async (path: string) => (await fetch(t.url + path, { headers: { 'x-api-key': KEYS.province } })).json() as Promise<Json>
  /** B's stored copy of a document A sent, found in B's inbox by its edXML DocumentId and business type. */
  const atB = (edxmlDocumentId: string, businessType = 'new') =>
    waitFor(async () => {
      const inbox = (await get(`/v1/documents/inbox?agency=${B}&limit=500`)) as { items: Json[] }
      return inbox.items.find((d) => d['edxmlDocumentId'] === edxmlDocumentId && d['businessType'] === businessType)
    }, 30_000)
  let n = 0
  const sendDoc = async (attachment = randomBytes(4096)) => {
    n++
    const res = await post('/v1/documents', {
      idempotencyKey: `it-${n}-${randomBytes(3).toString('hex')}`,
      from: A,
      to: [B],
      codeNumber: String(1000 + n),
      codeNotation: 'UBND-VP',
      documentType: { type: '1', typeName: 'Công văn' },
      subject: `Văn bản thử ${n}`,
      attachments: [{ name: `tep-${n}.pdf`, contentType: 'application/pdf', contentBase64: attachment.toString('base64') }],
    })
    expect(res.status, JSON.stringify(res.body)).toBe(202)
    return { ...(res.body as { id: string; edxmlDocumentId: string }), attachment }
  }

  let sandbox: TestSandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
    t = await startTestHub({
      sandbox,
      env: { CONNECTORS_ENABLED: 'dvcqg,vdxp', VDXP_BASE_URL: `${sandbox.url}/vdxp`, VDXP_POLL_MS: 200 },
    })
    const synced = await post('/admin/documents/agencies/sync', {}, { 'x-api-key': KEYS.operator, 'content-type': 'application/json' })
    expect(synced.status, JSON.stringify(synced.body)).toBe(200)
  }, 60_000)
  afterAll(async () => {
    await t?.close()
    await sandbox?.close()
  })

  it('an unknown recipient is a 400 naming the field, before anything is queued', async () => {
    const res = await post('/v1/documents', {
      idempotencyKey: 'unknown-1',
      from: A,
      to: ['000.99.99.H99'],
      codeNumber: '1',
      codeNotation: 'X',
      documentType: { type: '1' },
      subject: 'x',
      attachments: [],
    })
    expect(res.status).toBe(400)
    expect(res.body['errors']).toEqual([expect.objectContaining({ field: '/body/to/0', rule: 'HUB_DOCUMENT_UNKNOWN_RECIPIENT' })])
    expect((await get('/admin/documents/outbox?state=pending')) as Json).toBeDefined()
  })

  it('a document reaches B once with its attachment byte for byte; B acks it; 01 comes back to A; 03→05→06 reach A in order', async () => {
    const sent = await sendDoc()
    const inB = await atB(sent.edxmlDocumentId)
    const attachments = inB['attachments'] as { sha256: string; url: string; size: number }[]
    expect(attachments).toHaveLength(1)
    expect(attachments[0]!.sha256).toBe(sha(sent.attachment))
    const file = Buffer.from(await (await fetch(t.url + attachments[0]!.url, { headers: { 'x-api-key': KEYS.province } })).arrayBuffer())
    expect(sha(file)).toBe(sha(sent.attachment))
    const ack = await post(`/v1/documents/${inB['id'] as string}/ack`, undefined, { 'x-api-key': KEYS.province })
    expect(ack.status).toBe(200)
    expect(ack.body['first']).toBe(true)
    expect((await post(`/v1/documents/${inB['id'] as string}/ack`, undefined, { 'x-api-key': KEYS.province })).body['first']).toBe(false)
    // 01 at A, posted automatically by B's side.
    await waitFor(
      async () => ((await get(`/v1/documents/${sent.id}`))['timeline'] as Json[]).some((s) => s['statusCode'] === '01' && s['direction'] === 'in'),
      30_000,
    )
    for (const code of ['03', '05', '06']) {
      const st = await post(`/v1/documents/${inB['id'] as string}/status`, {
        statusCode: code,
        description: `trạng thái ${code}`,
        idempotencyKey: `st-${code}`,
      })
      expect(st.status, JSON.stringify(st.body)).toBe(202)
    }
    const timeline = await waitFor(async () => {
      const tl = ((await get(`/v1/documents/${sent.id}`))['timeline'] as Json[]).filter((s) => s['direction'] === 'in').map((s) => s['statusCode'])
      return tl.length >= 4 ? tl : undefined
    }, 30_000)
    expect(timeline).toEqual(['01', '03', '05', '06'])
    // B's own timeline shows what it sent, delivered.
    const bView = await get(`/v1/documents/${inB['id'] as string}`)
    expect((bView['timeline'] as Json[]).map((s) => [s['statusCode'], s['delivery']])).toEqual([
      ['01', 'sent'],
      ['03', 'sent'],
      ['05', 'sent'],
      ['06', 'sent'],
    ])
  }, 60_000)

  it('the same idempotency key answers the first result; another body is 409', async () => {
    const body = {
      idempotencyKey: 'same-key-1',
      from: A,
      to: [B],
      codeNumber: '77',
      codeNotation: 'UBND-VP',
      documentType: { type: '1' },
      subject: 'một lần',
      attachments: [],
    }
    const first = await post('/v1/documents', body)
    const again = await post('/v1/documents', body)
    expect(first.status).toBe(202)
    expect(again.status).toBe(202)
    expect(again.body['id']).toBe(first.body['id'])
    const other = await post('/v1/documents', { ...body, subject: 'khác' })
    expect(other.status).toBe(409)
    expect(other.body['code']).toBe('HUB_ERR_IDEMPOTENCY_CONFLICT')
  })

  describe("acceptance 3: revoke / update / replace change B's stored document", () => {
    for (const [kind, state] of [
      ['revoke', 'revoked'],
      ['update', 'updated'],
      ['replace', 'replaced'],
    ] as const) {
      it(`${kind} → B's document is ${state} and linked to the ${kind} message`, async () => {
        const sent = await sendDoc()
        const original = await atB(sent.edxmlDocumentId)
        expect(original['state']).toBe('received')
        const change = await post(`/v1/documents/${sent.id}/${kind}`, {
          idempotencyKey: `${kind}-${sent.id}`,
          reason: `lý do ${kind}`,
          ...(kind === 'revoke'
            ? {}
            : {
                document: {
                  codeNumber: `${kind === 'replace' ? 9000 + n : 1000 + n}`,
                  codeNotation: 'UBND-VP',
                  subject: `Nội dung mới (${kind})`,
                  attachments: [],
                },
              }),
        })
        expect(change.status, JSON.stringify(change.body)).toBe(202)
        const message = await atB(change.body['edxmlDocumentId'] as string, kind).catch(async (e: unknown) => {
          const res = await fetch(`${t.url}/admin/documents/outbox?state=parked`, { headers: { 'x-api-key': KEYS.operator } })
          throw new Error(`${(e as Error).message}; parked: ${await res.text()}`)
        })
        expect(message['relatedId']).toBe(original['id'])
        const after = await waitFor(async () => {
          const d = await get(`/v1/documents/${original['id'] as string}`)
          return d['state'] === state ? d : undefined
        })
        expect(after['changedBy']).toBe(message['id'])
        expect(after['stateReason']).toBe(`lý do ${kind}`)
      }, 60_000)
    }
  })
})
