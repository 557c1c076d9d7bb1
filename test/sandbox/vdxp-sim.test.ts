import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSandboxApp } from '../../src/sandbox/framework.js'
import { VdxpSimulator } from '../../src/sandbox/vdxp/index.js'
import { createLogger } from '../../src/log.js'

/**
 * The sandbox VDXP axis over raw HTTP (NATIONAL-ENDPOINTS §4 and §6): the real SDK
 * samples sent as they are, every documented error code, the exclusive `toDate`,
 * transport acknowledgements and faults. Expected values come from the fixtures and
 * the format, never from the simulator's own reading.
 */

const FIXTURES = '/work/shared/fixtures/real/vdxp/'
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`)
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const A = { system: 'sandbox-h56', secret: 'sandbox-h56-secret', agency: '000.00.00.H56' }
const B = { system: 'sandbox-h56-sxd', secret: 'sandbox-h56-sxd-secret', agency: '000.01.00.H56' }
const SYS = (system: string) => ({ system, secret: `${system}-secret` })
type Who = { system: string; secret: string }

/** The day (Vietnam time, UTC+7) of `ms` as YYYY/MM/DD, computed here independently. */
const vnDay = (ms: number) => new Date(ms + 7 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '/')
const DAY = 86_400_000

/** A document from A to B: the new-document sample with its From/To organs replaced. */
function docAtoB(subject = 'V/v thử nghiệm liên thông'): Buffer {
  const text = fixture('edoc_new.edxml')
    .toString('utf8')
    .replace('<edXML:OrganId>002.00.20.H13</edXML:OrganId>', `<edXML:OrganId>${A.agency}</edXML:OrganId>`)
    .replace('<edXML:OrganId>28.22.H17</edXML:OrganId>', `<edXML:OrganId>${B.agency}</edXML:OrganId>`)
    .replace(/<edXML:Subject>[^<]*<\/edXML:Subject>/, `<edXML:Subject>${subject}</edXML:Subject>`)
  return Buffer.from(text, 'utf8')
}

/** A status message from B answering A's document (the 01 sample re-addressed). */
function statusBtoA(code = '01'): Buffer {
  return Buffer.from(
    fixture('status_inbox_01.edxml')
      .toString('utf8')
      .replace('<edXML:OrganId>000.00.00.H41</edXML:OrganId>', `<edXML:OrganId>${B.agency}</edXML:OrganId>`)
      .replace('<edXML:OrganId>000.00.00.G22</edXML:OrganId>', `<edXML:OrganId>${A.agency}</edXML:OrganId>`)
      .replace('<edXML:StatusCode>01</edXML:StatusCode>', `<edXML:StatusCode>${code}</edXML:StatusCode>`),
    'utf8',
  )
}

/** Base64 bodies of every attachment in a fixture, read with a plain scan of the text. */
function fixtureAttachments(b: Buffer): { name: string; bytes: number }[] {
  const text = b.toString('utf8')
  const out: { name: string; bytes: number }[] = []
  for (const m of text.matchAll(
    /<Attachment>[\s\S]*?<AttachmentName>([^<]*)<\/AttachmentName>[\s\S]*?<(?:\w+:)?ContentTransferEncoded[^>]*>([^<]*)<\/(?:\w+:)?ContentTransferEncoded>/g,
  )) {
    out.push({ name: m[1]!, bytes: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64').length })
  }
  return out
}

interface Envelope {
  status: string
  errorCode: number
  errorDesc: string
  data: unknown
}

describe('sandbox VDXP axis (raw HTTP)', () => {
  let url: string
  let close: () => Promise<void>
  let sim: VdxpSimulator
  let token: string

  const getToken = async (id = 'sandbox', secret = 'sandbox') => {
    const res = await fetch(`${url}/vdxp/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const headers = (who: Who, bearer = token): Record<string, string> => ({
    authorization: `Bearer ${bearer}`,
    'x-systemid': who.system,
    'x-secretkey': who.secret,
  })
  const get = async (who: Who, op: string, query: Record<string, string>, bearer?: string) => {
    const res = await fetch(`${url}/vdxp/${op}?${new URLSearchParams(query)}`, { headers: headers(who, bearer) })
    return { http: res.status, body: (await res.json()) as Envelope }
  }
  const post = async (who: Who, op: string, json: unknown) => {
    const res = await fetch(`${url}/vdxp/${op}`, {
      method: 'POST',
      headers: { ...headers(who), 'content-type': 'application/json' },
      body: JSON.stringify(json),
    })
    return { http: res.status, body: (await res.json()) as Envelope }
  }
  const send = async (who: Who, file: Buffer, messageType?: string, signal?: AbortSignal) => {
    const form = new FormData()
    if (messageType) form.append('messageType', messageType)
    form.append('servicetype', 'eDoc')
    form.append('file', new Blob([new Uint8Array(file)], { type: 'application/xml' }), 'message.edxml')
    const res = await fetch(`${url}/vdxp/sendEdoc`, { method: 'POST', headers: headers(who), body: form, signal })
    return { http: res.status, body: (await res.json()) as Envelope }
  }
  const docIdOf = (r: { body: Envelope }) => (r.body.data as { docId: string }).docId
  const today = () => vnDay(Date.now() + sim.clockOffsetMs)
  const window = (offsetDays: number, lengthDays: number) => {
    const now = Date.now() + sim.clockOffsetMs
    return { fromDate: vnDay(now + offsetDays * DAY), toDate: vnDay(now + (offsetDays + lengthDays) * DAY) }
  }
  const received = async (who: Who, messageType = 'edoc', w = window(-1, 2)) => get(who, 'syncReceivedEdocList', { messageType, ...w })
  const sandbox = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${url}/vdxp/_sandbox/${path}`, {
      method,
      ...(json !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) } : {}),
    })
    return (await res.json()) as Record<string, unknown>
  }

  beforeAll(async () => {
    sim = new VdxpSimulator()
    const { app } = await createSandboxApp({ seed: 11, logger: createLogger('silent'), simulators: [sim] })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    close = async () => {
      // A hang fault holds its socket for two minutes: drop it rather than wait.
      app.server.closeAllConnections()
      await app.close()
    }
  })
  afterAll(async () => close?.())
  beforeEach(async () => {
    await fetch(`${url}/_sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    token = String((await getToken()).body['access_token'])
  })

  it('issues OAuth2 tokens (§6) and refuses calls without a live bearer with 401', async () => {
    expect((await getToken('sandbox', 'wrong')).status).toBe(401)
    const ok = await getToken()
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 300 })
    expect((await get(A, 'getAgenciesList', {}, 'not-a-token')).http).toBe(401)
    expect((await get(A, 'getAgenciesList', {})).body.errorCode).toBe(0)
    await sandbox('POST', 'revoke-tokens')
    expect((await get(A, 'getAgenciesList', {})).http).toBe(401)
    expect(await sandbox('PUT', 'auth', { tokenTtlSec: 1 })).toEqual({ requireBearer: true, tokenTtlSec: 1 })
    const short = String((await getToken()).body['access_token'])
    expect((await get(A, 'getAgenciesList', {}, short)).body.errorCode).toBe(0)
    await new Promise((r) => setTimeout(r, 1100))
    expect((await get(A, 'getAgenciesList', {}, short)).http).toBe(401)
    // Façades that use only the system headers.
    await sandbox('PUT', 'auth', { requireBearer: false })
    expect((await get(A, 'getAgenciesList', {}, 'none')).body.errorCode).toBe(0)
  })

  it('refuses a wrong SystemId or SecretKey with code 15', async () => {
    for (const who of [
      { system: A.system, secret: 'wrong' },
      { system: 'no-such-system', secret: A.secret },
      { system: '', secret: '' },
    ]) {
      const r = await get(who, 'syncReceivedEdocList', { messageType: 'edoc', ...window(0, 1) })
      expect(r.body).toMatchObject({ status: 'FAIL', errorCode: 15 })
      expect((await send(who, docAtoB())).body.errorCode).toBe(15)
    }
  })

  it('lists the connected agencies with their state', async () => {
    const r = await get(A, 'getAgenciesList', {})
    const rows = r.body.data as { code: string; status: string; pid: string }[]
    expect(rows.find((a) => a.code === B.agency)).toMatchObject({ status: 'active', pid: A.agency })
    expect(rows.find((a) => a.code === '000.00.00.H62')?.status).toBe('locked')
    for (const code of ['000.00.00.G22', '000.00.00.H41', '000.00.00.H14', '000.00.00.G17', '002.00.20.H13', '28.22.H17'])
      expect(rows.map((a) => a.code)).toContain(code)
  })

  it('accepts every real SDK sample as it is and delivers it byte-identical to each receiver, with its attachments', async () => {
    const cases: { file: string; sender: string; receivers: { who: Who; agency: string }[]; type: 'edoc' | 'status' }[] = [
      { file: 'edoc_new.edxml', sender: 'sandbox-danang', receivers: [{ who: SYS('sandbox-danang'), agency: '28.22.H17' }], type: 'edoc' },
      ...['edoc_revocation.edxml', 'edoc_update.edxml', 'edoc_replacement.edxml'].map((file) => ({
        file,
        sender: 'sandbox-g22',
        receivers: [
          { who: SYS('sandbox-h41'), agency: '000.00.00.H41' },
          { who: SYS('sandbox-h14'), agency: '000.00.00.H14' },
          { who: SYS('sandbox-g17'), agency: '000.00.00.G17' },
        ],
        type: 'edoc' as const,
      })),
      ...[
        'status.edxml',
        'status_inbox_01.edxml',
        'status_rejection_02.edxml',
        'status_acceptance_03.edxml',
        'status_assignment_04.edxml',
        'status_processing_05.edxml',
        'status_finish_06.edxml',
        'status_change-acceptance_15.edxml',
        'status_change-rejection_16.edxml',
      ].map((file) => ({ file, sender: 'sandbox-h41', receivers: [{ who: SYS('sandbox-g22'), agency: '000.00.00.G22' }], type: 'status' as const })),
      { file: 'status_cancellation_13.edxml', sender: 'sandbox-g22', receivers: [{ who: SYS('sandbox-h41'), agency: '000.00.00.H41' }], type: 'status' },
    ]
    expect(cases).toHaveLength(14)
    for (const c of cases) {
      const bytes = fixture(c.file)
      const sent = await send(SYS(c.sender), bytes, c.type)
      expect(sent.body, c.file).toMatchObject({ status: 'OK', errorCode: 0 })
      const docId = docIdOf(sent)
      for (const r of c.receivers) {
        const list = await received(r.who, c.type)
        const row = (list.body.data as { docId: string; to: string; status: string }[]).find((x) => x.docId === docId)
        expect(row, `${c.file} at ${r.agency}`).toMatchObject({ to: r.agency, status: 'initial' })
        const other = await received(r.who, c.type === 'edoc' ? 'status' : 'edoc')
        expect((other.body.data as { docId: string }[]).some((x) => x.docId === docId)).toBe(false)
        const got = await get(r.who, 'getEdoc', { docId })
        const data = got.body.data as { edxml: string; attachments: { fileName: string; fileContent: string }[] }
        expect(sha(Buffer.from(data.edxml, 'base64')), c.file).toBe(sha(bytes))
        expect(data.attachments.map((a) => ({ name: a.fileName, bytes: Buffer.from(a.fileContent, 'base64').length }))).toEqual(fixtureAttachments(bytes))
      }
    }
    // Revoked, updated and replaced documents arrive as new messages of their business type.
    const types = sim.deliveries('000.00.00.H14').map((d) => d.businessDocType)
    expect(types).toEqual([1, 2, 3])
    expect(fixtureAttachments(fixture('edoc_new.edxml'))[0]!.bytes).toBeGreaterThan(200_000)
  })

  it('routes a document from A to B and a status message back from B to A (status to ResponseFor)', async () => {
    const doc = await send(A, docAtoB(), 'edoc')
    expect(doc.body.errorCode).toBe(0)
    expect((await received(B)).body.data).toEqual([expect.objectContaining({ docId: docIdOf(doc), from: A.agency, to: B.agency })])
    expect((await received(A)).body.data).toEqual([])
    const st = await send(B, statusBtoA('01'))
    expect(st.body.errorCode).toBe(0)
    expect((await received(A, 'status')).body.data).toEqual([expect.objectContaining({ docId: docIdOf(st), from: B.agency, to: A.agency })])
    const sent = await get(A, 'getSentEdocList', { messageType: 'edoc', ...window(-1, 2) })
    expect(sent.body.data).toEqual([expect.objectContaining({ docId: docIdOf(doc), to: B.agency, status: 'initial' })])
    // Planted without HTTP auth, through the same checks.
    const planted = await sandbox('POST', 'inject', { systemId: A.system, edxml: docAtoB('planted').toString('base64'), messageType: 'edoc' })
    expect(planted).toMatchObject({ errorCode: 0, docId: expect.any(String) })
    expect(await sandbox('POST', 'inject', { systemId: B.system, edxml: docAtoB().toString('base64') })).toMatchObject({ errorCode: 19 })
    expect(((await received(B)).body.data as { docId: string }[]).map((x) => x.docId)).toEqual([docIdOf(doc), planted['docId']])
  })

  it('refuses what is not a file or not XML with code 10', async () => {
    expect((await send(A, Buffer.alloc(0))).body.errorCode).toBe(10)
    expect((await send(A, Buffer.from('this is not xml at all'))).body.errorCode).toBe(10)
    expect((await send(A, Buffer.from(docAtoB().toString('utf8').replace('</edXML:From>', '')))).body.errorCode).toBe(10)
    expect((await send(A, Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]))).body.errorCode).toBe(10)
    const withDoctype = docAtoB().toString('utf8').replace('<edXML xmlns', '<!DOCTYPE edXML [<!ENTITY x "y">]><edXML xmlns')
    expect((await send(A, Buffer.from(withDoctype))).body.errorCode).toBe(10)
    const notMultipart = await post(A, 'sendEdoc', { file: docAtoB().toString('base64') })
    expect(notMultipart.body.errorCode).toBe(10)
    const deep = docAtoB()
      .toString('utf8')
      .replace('<edXML:Subject>', `${'<edXML:OtherInfo>'.repeat(70)}${'</edXML:OtherInfo>'.repeat(70)}<edXML:Subject>`)
    const refusedDeep = await send(A, Buffer.from(deep))
    expect(refusedDeep.body.errorCode).toBe(10)
    expect(refusedDeep.body.errorDesc).toContain('deeper than 64')
    expect(sim.store.all()).toHaveLength(0)
  })

  it('refuses edXML not in the required form with code 22, naming the element', async () => {
    const doc = docAtoB().toString('utf8')
    const status = statusBtoA().toString('utf8')
    const cases: [string, string, Who][] = [
      ['wrong namespace', doc.replaceAll('http://www.mic.gov.vn/TBT/QCVN_102_2016', 'urn:other'), A],
      ['prefix dropped', status.replaceAll('edXML:', '').replace(' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', ''), B],
      ['other prefix', status.replaceAll('edXML:', 'ns1:').replace('xmlns:edXML=', 'xmlns:ns1='), B],
      ['status code 07', status.replace('<edXML:StatusCode>01<', '<edXML:StatusCode>07<'), B],
      ['status code 1', status.replace('<edXML:StatusCode>01<', '<edXML:StatusCode>1<'), B],
      ['status order', status.replace(/(<edXML:StatusCode>01<\/edXML:StatusCode>)(\s*)(<edXML:Description>[^<]*<\/edXML:Description>)/, '$3$2$1'), B],
      ['status timestamp', status.replace(/<edXML:Timestamp>[^<]*</, '<edXML:Timestamp>2015-09-20T11:08:36<'), B],
      ['no To', doc.replace(/<edXML:To>[\s\S]*?<\/edXML:To>/, ''), A],
      ['no Subject', doc.replace(/<edXML:Subject>[^<]*<\/edXML:Subject>/, ''), A],
      ['promulgation date', doc.replace('<edXML:PromulgationDate>2019/01/16<', '<edXML:PromulgationDate>16/01/2019<'), A],
      ['unknown element', doc.replace('<edXML:Subject>', '<edXML:Priority>1</edXML:Priority><edXML:Subject>'), A],
      ['business type 4', doc.replace('<edXML:BussinessDocType>0<', '<edXML:BussinessDocType>4<'), A],
      ['attachment not base64', doc.replace(/(<(?:\w+:)?ContentTransferEncoded[^>]*>)\s*/, '$1@@@@'), A],
      ['reference without attachment', doc.replace(/<AttachmentEncoded>[\s\S]*<\/AttachmentEncoded>/, ''), A],
      ['document declared as status', doc, A],
    ]
    for (const [what, text, who] of cases) {
      const r = await send(who, Buffer.from(text, 'utf8'), what === 'document declared as status' ? 'status' : undefined)
      expect(r.body, what).toMatchObject({ status: 'FAIL', errorCode: 22 })
      expect(r.body.errorDesc.length, what).toBeGreaterThan(20)
    }
    const order = await send(B, Buffer.from(cases[5]![1], 'utf8'))
    expect(order.body.errorDesc).toContain('out of order')
    const prefix = await send(B, Buffer.from(cases[1]![1], 'utf8'))
    expect(prefix.body.errorDesc).toContain('prefix')
    expect(sim.store.all()).toHaveLength(0)
  })

  it('refuses unknown receivers (18), unregistered senders (19) and locked receivers (23)', async () => {
    const doc = docAtoB().toString('utf8')
    const unknown = await send(A, Buffer.from(doc.replace(`<edXML:OrganId>${B.agency}<`, '<edXML:OrganId>000.00.00.X99<')))
    expect(unknown.body).toMatchObject({ errorCode: 18 })
    expect(unknown.body.errorDesc).toContain('000.00.00.X99')
    const unknownStatus = await send(B, Buffer.from(statusBtoA().toString('utf8').replace(`<edXML:OrganId>${A.agency}<`, '<edXML:OrganId>000.00.00.X99<')))
    expect(unknownStatus.body.errorCode).toBe(18)
    // From is an agency of another system, or not registered at all.
    expect((await send(B, docAtoB())).body.errorCode).toBe(19)
    expect((await send(A, Buffer.from(doc.replace(`<edXML:OrganId>${A.agency}<`, '<edXML:OrganId>000.00.00.X98<')))).body.errorCode).toBe(19)
    expect((await send(A, fixture('edoc_new.edxml'))).body.errorCode).toBe(19)
    expect((await send(A, Buffer.from(doc.replace(`<edXML:OrganId>${B.agency}<`, '<edXML:OrganId>000.00.00.H62<')))).body.errorCode).toBe(23)
    await sandbox('POST', `agencies/${B.agency}/lock`, { locked: true })
    expect((await send(A, docAtoB())).body.errorCode).toBe(23)
    await sandbox('POST', `agencies/${B.agency}/lock`, { locked: false })
    expect((await send(A, docAtoB())).body.errorCode).toBe(0)
    expect(sim.store.all()).toHaveLength(1)
    expect(sim.state().refused).toEqual({ '18': 2, '19': 3, '23': 2 })
  })

  it('answers forced LGSP system (20) and file-processing (21) errors without storing', async () => {
    await sandbox('POST', 'next-error', { operation: 'sendEdoc', code: 20, count: 2 })
    expect((await send(A, docAtoB())).body.errorCode).toBe(20)
    expect((await send(A, docAtoB())).body.errorCode).toBe(20)
    await sandbox('POST', 'next-error', { operation: 'sendEdoc', code: 21 })
    expect((await send(A, docAtoB())).body.errorCode).toBe(21)
    expect((await send(A, docAtoB())).body.errorCode).toBe(0)
    expect(sim.store.all()).toHaveLength(1)
  })

  it('treats toDate as exclusive: a message of day D is listed with toDate D+1, not with toDate D', async () => {
    const d = docIdOf(await send(A, docAtoB()))
    const ids = async (w: { fromDate: string; toDate: string }) => ((await received(B, 'edoc', w)).body.data as { docId: string }[]).map((x) => x.docId)
    expect(await ids({ fromDate: today(), toDate: today() })).toEqual([])
    expect(await ids(window(-1, 1))).toEqual([])
    expect(await ids(window(0, 1))).toEqual([d])
    expect(await ids(window(1, 1))).toEqual([])
    // At the first second of the next Vietnamese day: belongs to that day only.
    const nextMidnight = Math.floor((Date.now() + 7 * 3600_000) / DAY + 1) * DAY - 7 * 3600_000
    await sandbox('PUT', 'clock', { offsetMs: nextMidnight + 1000 - Date.now() })
    const late = docIdOf(await send(A, docAtoB('late')))
    const D1 = vnDay(nextMidnight + 1000)
    const D0 = vnDay(nextMidnight - 1000)
    expect(await ids({ fromDate: D0, toDate: D1 })).toEqual([d])
    expect(await ids({ fromDate: D1, toDate: vnDay(nextMidnight + DAY) })).toEqual([late])
    expect(await ids({ fromDate: D0, toDate: vnDay(nextMidnight + DAY) })).toEqual([d, late])
    const row = ((await received(B, 'edoc', { fromDate: D1, toDate: vnDay(nextMidnight + DAY) })).body.data as { createdTime: string }[])[0]!
    expect(row.createdTime).toMatch(new RegExp(`^${D1} 00:00:0[0-9]$`))
    for (const bad of [{ fromDate: '2026-12-01', toDate: D1 }, { fromDate: D0, toDate: '2026/13/01' }, { fromDate: D0 }]) {
      const r = await get(B, 'syncReceivedEdocList', { messageType: 'edoc', ...bad } as Record<string, string>)
      expect(r.http).toBe(400)
      expect(r.body.status).toBe('FAIL')
    }
    expect((await get(B, 'syncReceivedEdocList', { messageType: 'vanban', ...window(0, 1) })).http).toBe(400)
  })

  it('acknowledges per receiver: processing, done (idempotent, final), fail with a reason, seen by the sender', async () => {
    const replaced = docIdOf(await send(SYS('sandbox-g22'), fixture('edoc_replacement.edxml')))
    const h41 = SYS('sandbox-h41')
    const h14 = SYS('sandbox-h14')
    expect((await post(h41, 'updateStatus', { docId: replaced, status: 'processing' })).body.errorCode).toBe(0)
    expect((await received(h41)).body.data).toEqual([expect.objectContaining({ docId: replaced, status: 'processing' })])
    expect((await post(h41, 'updateStatus', { docId: replaced, status: 'done' })).body.errorCode).toBe(0)
    expect((await post(h41, 'updateStatus', { docId: replaced, status: 'done' })).body.errorCode).toBe(0)
    expect((await post(h41, 'updateStatus', { docId: replaced, status: 'fail' })).body.errorCode).toBe(0)
    expect((await received(h41)).body.data).toEqual([expect.objectContaining({ docId: replaced, status: 'done' })])
    expect((await post(h14, 'updateStatus', { docId: replaced, status: 'fail', description: 'chữ ký không hợp lệ' })).body.errorCode).toBe(0)
    const h14row = ((await received(h14)).body.data as { status: string; statusDesc: string }[])[0]!
    expect(h14row.status).toBe('fail')
    expect(h14row.statusDesc).toContain('chữ ký không hợp lệ')
    // The sender sees each receiver's transport status; it cannot acknowledge for them.
    const sent = (await get(SYS('sandbox-g22'), 'getSentEdocList', { messageType: 'edoc', ...window(-1, 2) })).body.data as { to: string; status: string }[]
    expect(Object.fromEntries(sent.map((s) => [s.to, s.status]))).toEqual({ '000.00.00.H41': 'done', '000.00.00.H14': 'fail', '000.00.00.G17': 'initial' })
    expect((await post(SYS('sandbox-g22'), 'updateStatus', { docId: replaced, status: 'done' })).http).toBe(404)
    expect((await post(A, 'updateStatus', { docId: 'no-such-doc', status: 'done' })).http).toBe(404)
    expect((await post(h41, 'updateStatus', { docId: replaced, status: 'received' })).http).toBe(400)
    expect((await get(A, 'getEdoc', { docId: replaced })).http).toBe(404)
    const stats = await sandbox('GET', 'stats')
    expect(stats).toMatchObject({ acks: { done: 2, fail: 2, processing: 1 }, repeatedDone: 1, ackAfterDone: 1 })
    expect(stats['deliveries']).toMatchObject({ '000.00.00.H41': { done: 1 }, '000.00.00.H14': { fail: 1 }, '000.00.00.G17': { initial: 1 } })
  })

  it('injects faults through the shared fault injector: 5xx and hangs store nothing, a lost reply stores and shows the duplicate', async () => {
    await fetch(`${url}/_sandbox/faults/vdxp/sendEdoc`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1 }),
    })
    const res = await fetch(`${url}/vdxp/sendEdoc`, { method: 'POST', headers: headers(A), body: new FormData() })
    expect(res.status).toBe(503)
    await fetch(`${url}/_sandbox/faults/vdxp/sendEdoc`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hangRate: 1 }),
    })
    await expect(send(A, docAtoB(), 'edoc', AbortSignal.timeout(300))).rejects.toThrow()
    await fetch(`${url}/_sandbox/faults/vdxp/getEdoc`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expiredSessionRate: 1 }),
    })
    expect((await get(B, 'getEdoc', { docId: 'x' })).http).toBe(401)
    await fetch(`${url}/_sandbox/faults`, { method: 'DELETE' })
    expect(sim.store.all()).toHaveLength(0)

    await sandbox('POST', 'lose-replies', { operation: 'sendEdoc', count: 1 })
    const file = docAtoB()
    await expect(send(A, file)).rejects.toThrow()
    expect((await send(A, file)).body.errorCode).toBe(0)
    const stats = await sandbox('GET', 'stats')
    expect(stats).toMatchObject({ messages: { edoc: 2, status: 0 }, duplicateSends: 1, logicalDuplicateSends: 1, lostReplies: 1 })
    expect(stats['duplicates']).toEqual([{ from: A.agency, sha256: sha(file), times: 2 }])
    // A share of replies lost: every call performed, about that share dropped.
    await sandbox('POST', 'lose-replies', { operation: 'updateStatus', rate: 0.5 })
    const docId = docIdOf(await send(A, docAtoB('acks')))
    let dropped = 0
    for (let i = 0; i < 40; i++)
      dropped += await post(B, 'updateStatus', { docId, status: 'done' }).then(
        () => 0,
        () => 1,
      )
    expect(dropped).toBeGreaterThan(8)
    expect(dropped).toBeLessThan(32)
    expect(sim.deliveries(B.agency).find((d) => d.docId === docId)).toMatchObject({ status: 'done', acks: { done: 40 }, repeatedDone: 39 })
    const counts = (await (await fetch(`${url}/_sandbox/counts`)).json()) as Record<string, number>
    expect(counts['vdxp/sendEdoc#http_503']).toBe(1)
    expect(counts['vdxp/sendEdoc#hang']).toBe(1)
  })
})
