import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CallContext, HandlerResult, SimKit, Simulator } from '../framework.js'
import { SimTokenIssuer } from '../lookups/tokens.js'
import { AGENCIES, OAUTH_CLIENT, SYSTEMS, type SandboxAgency, type SandboxSystem } from './agencies.js'
import { registerControls } from './controls.js'
import { checkEdxml, LIMITS } from './edxml-check.js'
import { AxisStore, STATUS_DESC, vnDayStart, vnTime, type AckStatus, type Delivery, type StoredMessage } from './store.js'
import { ERROR_CODES, FAIL, OK, UNAUTHORIZED, type EdocListItem, type EdocPayload, type VdxpErrorCode } from './wire.js'

export { AGENCIES, OAUTH_CLIENT, SYSTEMS } from './agencies.js'
export type { EdocListItem, EdocPayload, Envelope } from './wire.js'

const SIM = 'vdxp'
export const VDXP_OPERATIONS = ['token', 'sendEdoc', 'syncReceivedEdocList', 'getEdoc', 'updateStatus', 'getSentEdocList', 'getAgenciesList'] as const
export type VdxpOperation = (typeof VDXP_OPERATIONS)[number]

interface Upload {
  bytes: Buffer
  fields: Record<string, string>
}

/**
 * The national document-exchange axis (VDXP) behind a provincial LGSP REST façade
 * (NATIONAL-ENDPOINTS §4, auth §6), written from the format: OAuth2 bearer plus
 * `X-SystemId`/`X-SecretKey` per system, strict edXML checks (10, 22), routing
 * between the seeded agencies (18 unknown receiver, 19 unregistered sender, 23
 * locked receiver), received/sent lists over a day window whose `toDate` is
 * exclusive, and transport acknowledgements (done / fail / processing) per receiver.
 * Mounted under `/vdxp`; sandbox controls under `/vdxp/_sandbox` (docs/sandbox-vdxp.md).
 */
export class VdxpSimulator implements Simulator {
  readonly id = SIM
  readonly tokens = new SimTokenIssuer(SIM, 300, OAUTH_CLIENT.clientId, OAUTH_CLIENT.clientSecret)
  readonly store = new AxisStore()
  agencies = new Map<string, SandboxAgency>()
  readonly systems = new Map<string, SandboxSystem>(SYSTEMS.map((s) => [s.systemId, s]))
  requireBearer = true
  clockOffsetMs = 0
  /** operation → forced façade error for the next `remaining` calls. */
  readonly forced = new Map<string, { code: VdxpErrorCode; remaining: number }>()
  /** operation → calls still to perform and then drop before the answer (`count` next ones, then a share `rate`). */
  readonly lostReplies = new Map<string, { count: number; rate: number }>()
  private readonly loseRng = new Map<string, () => number>()
  readonly counters = { acks: { done: 0, fail: 0, processing: 0 }, repeatedDone: 0, ackAfterDone: 0, gets: 0, lostReplies: 0 }

  constructor() {
    this.reset()
  }

  now(): number {
    return Date.now() + this.clockOffsetMs
  }

  reset(): void {
    this.agencies = new Map(AGENCIES.map((a) => [a.code, { ...a }]))
    this.store.clear()
    this.tokens.reset()
    this.tokens.ttlSec = 300
    this.requireBearer = true
    this.clockOffsetMs = 0
    this.forced.clear()
    this.lostReplies.clear()
    this.loseRng.clear()
    this.counters.acks = { done: 0, fail: 0, processing: 0 }
    this.counters.repeatedDone = 0
    this.counters.ackAfterDone = 0
    this.counters.gets = 0
    this.counters.lostReplies = 0
  }

  /** Deliveries of an agency (or all), newest last: what tests inspect. */
  deliveries(agency?: string): (Omit<StoredMessage, 'deliveries'> & Delivery)[] {
    const out: (Omit<StoredMessage, 'deliveries'> & Delivery)[] = []
    for (const m of this.store.all()) {
      const { deliveries, ...meta } = m
      for (const d of deliveries) if (!agency || d.organId === agency) out.push({ ...meta, ...d })
    }
    return out
  }

  state() {
    const perAgency: Record<string, Record<string, number>> = {}
    let edoc = 0
    let status = 0
    for (const m of this.store.all()) {
      if (m.messageType === 'edoc') edoc++
      else status++
      for (const d of m.deliveries) {
        const row = (perAgency[d.organId] ??= { total: 0, initial: 0, processing: 0, done: 0, fail: 0 })
        row['total']! += 1
        row[d.status] = (row[d.status] ?? 0) + 1
      }
    }
    const duplicates = this.store.duplicates()
    const logical = this.store.logicalDuplicates()
    return {
      messages: { edoc, status },
      refused: { ...this.store.refused },
      deliveries: perAgency,
      ...this.counters,
      acks: { ...this.counters.acks },
      duplicateSends: duplicates.reduce((n, d) => n + d.times - 1, 0),
      duplicates,
      logicalDuplicateSends: logical.reduce((n, d) => n + d.times - 1, 0),
      logicalDuplicates: logical,
      tokenRequests: this.tokens.tokenRequests,
      requireBearer: this.requireBearer,
      clockOffsetMs: this.clockOffsetMs,
    }
  }

  /** Bearer (§6), then the system's `X-SystemId`/`X-SecretKey` (15). */
  private authenticate(req: FastifyRequest, ctx: CallContext): SandboxSystem | HandlerResult {
    if (ctx.expiredSession) return UNAUTHORIZED
    if (this.requireBearer && !this.tokens.valid(req)) return UNAUTHORIZED
    const id = req.headers['x-systemid']
    const key = req.headers['x-secretkey']
    const system = typeof id === 'string' ? this.systems.get(id) : undefined
    if (!system || typeof key !== 'string' || key !== system.secretKey) return FAIL(15)
    return system
  }

  private takeForced(op: VdxpOperation): HandlerResult | undefined {
    const f = this.forced.get(op)
    if (!f) return undefined
    if (--f.remaining <= 0) this.forced.delete(op)
    return FAIL(f.code, 'lỗi giả lập (sandbox)')
  }

  /** Runs an authenticated operation; a lost reply performs it and then drops the connection. */
  private run(
    app: FastifyInstance,
    kit: SimKit,
    method: 'GET' | 'POST',
    op: VdxpOperation,
    fn: (system: SandboxSystem, req: FastifyRequest) => Promise<HandlerResult> | HandlerResult,
  ): void {
    app.route({
      method,
      url: `/${op}`,
      handler: (req, reply) =>
        kit.handle(SIM, op, req, reply, async (ctx) => {
          const system = this.authenticate(req, ctx)
          if ('body' in system) return system
          const forced = this.takeForced(op)
          const res = forced ?? (await fn(system, req))
          if (this.loseReply(kit, op)) {
            this.counters.lostReplies++
            req.raw.socket?.destroy()
            return { ...res, outcome: `${res.outcome ?? ''} (reply lost)` }
          }
          return res
        }),
    })
  }

  private loseReply(kit: SimKit, op: VdxpOperation): boolean {
    const spec = this.lostReplies.get(op)
    if (!spec) return false
    if (spec.count > 0) {
      spec.count--
      return true
    }
    let rng = this.loseRng.get(op)
    if (!rng) this.loseRng.set(op, (rng = kit.rng(`vdxp-lost-reply/${op}`)))
    return spec.rate > 0 && rng() < spec.rate
  }

  private window(q: Record<string, string | undefined>): { from: number; to: number; type: 'edoc' | 'status' } | HandlerResult {
    const type = q['messageType']
    if (type !== 'edoc' && type !== 'status') return FAIL(20, 'messageType phải là edoc hoặc status', 400)
    const from = vnDayStart(q['fromDate'] ?? '')
    if (from === undefined) return FAIL(20, 'fromDate phải có dạng YYYY/MM/DD', 400)
    const to = vnDayStart(q['toDate'] ?? '')
    if (to === undefined) return FAIL(20, 'toDate phải có dạng YYYY/MM/DD', 400)
    return { from, to, type }
  }

  private item(m: StoredMessage, d: Delivery): EdocListItem {
    return {
      docId: m.docId,
      from: m.from,
      to: d.organId,
      status: d.status,
      statusDesc: d.statusDesc,
      createdTime: vnTime(m.createdAt),
      updatedTime: vnTime(d.updatedAt),
    }
  }

  private async readUpload(req: FastifyRequest): Promise<Upload | HandlerResult> {
    if (!req.isMultipart()) return FAIL(10, 'sendEdoc nhận multipart/form-data với phần file edXML', 400)
    const fields: Record<string, string> = {}
    let bytes: Buffer | undefined
    try {
      for await (const part of req.parts({ limits: { fileSize: LIMITS.bytes, files: 1, fields: 10, parts: 12 } })) {
        if (part.type === 'file') bytes = await part.toBuffer()
        else fields[part.fieldname.toLowerCase()] = String(part.value)
      }
    } catch (e) {
      return FAIL(10, `không đọc được file: ${(e as Error).message.slice(0, 120)}`)
    }
    if (!bytes) return FAIL(10, 'thiếu phần file edXML')
    return { bytes, fields }
  }

  /**
   * Sends a message as a system would through `sendEdoc` (same checks, same answer), for
   * tests that plant documents without HTTP. Unknown system: code 15.
   */
  submit(systemId: string, bytes: Buffer, messageType?: 'edoc' | 'status'): { errorCode: number; errorDesc: string; docId?: string } {
    const system = this.systems.get(systemId)
    const res = system ? this.send(system, { bytes, fields: messageType ? { messagetype: messageType } : {} }) : FAIL(15)
    const body = res.body as { errorCode: number; errorDesc: string; data: { docId: string } | null }
    return { errorCode: body.errorCode, errorDesc: body.errorDesc, ...(body.data ? { docId: body.data.docId } : {}) }
  }

  private send(system: SandboxSystem, up: Upload): HandlerResult {
    const refuse = (code: VdxpErrorCode, detail: string) => {
      this.store.refuse(code)
      return FAIL(code, detail)
    }
    const checked = checkEdxml(up.bytes)
    if (!checked.ok) return refuse(checked.code, checked.message)
    const doc = checked.doc
    const declared = up.fields['messagetype']
    if (declared !== undefined && declared !== doc.kind) return refuse(22, `messageType "${declared.slice(0, 20)}" nhưng file là ${doc.kind}`)
    if (!this.agencies.has(doc.from.organId) || !system.agencies.includes(doc.from.organId)) {
      return refuse(19, `${doc.from.organId} không thuộc hệ thống ${system.systemId}`)
    }
    for (const to of doc.to) {
      const agency = this.agencies.get(to)
      if (!agency) return refuse(18, to)
      if (agency.locked) return refuse(23, to)
    }
    const msg = this.store.add(up.bytes, doc, system.systemId, this.now())
    return OK({ docId: msg.docId }, `accepted ${msg.messageType} ${msg.docId} → ${doc.to.join(',')}`)
  }

  private mine(system: SandboxSystem, docId: string): { msg: StoredMessage; deliveries: Delivery[] } | undefined {
    const msg = this.store.get(docId)
    const deliveries = msg?.deliveries.filter((d) => system.agencies.includes(d.organId)) ?? []
    return msg && deliveries.length > 0 ? { msg, deliveries } : undefined
  }

  private ack(deliveries: Delivery[], status: AckStatus, description: string): void {
    const now = this.now()
    for (const d of deliveries) {
      d.acks[status]++
      this.counters.acks[status]++
      if (d.status === 'done') {
        if (status === 'done') {
          d.repeatedDone++
          this.counters.repeatedDone++
        } else this.counters.ackAfterDone++
        continue
      }
      d.status = status
      d.statusDesc = status === 'fail' && description ? `${STATUS_DESC.fail}: ${description.slice(0, 500)}` : STATUS_DESC[status]
      d.updatedAt = now
    }
  }

  async routes(app: FastifyInstance, kit: SimKit): Promise<void> {
    await app.register(multipart)
    this.tokens.routes(app, kit)

    this.run(app, kit, 'POST', 'sendEdoc', async (system, req) => {
      const up = await this.readUpload(req)
      return 'bytes' in up ? this.send(system, up) : up
    })

    this.run(app, kit, 'GET', 'syncReceivedEdocList', (system, req) => {
      const w = this.window(req.query as Record<string, string | undefined>)
      if ('body' in w) return w
      const items: EdocListItem[] = []
      for (const m of this.store.window(w.from, w.to)) {
        if (m.messageType !== w.type) continue
        for (const d of m.deliveries) {
          if (!system.agencies.includes(d.organId)) continue
          d.listed++
          items.push(this.item(m, d))
        }
      }
      return OK(items, `listed ${items.length}`)
    })

    this.run(app, kit, 'GET', 'getEdoc', (system, req) => {
      const docId = String((req.query as Record<string, unknown>)['docId'] ?? '')
      const found = this.mine(system, docId)
      if (!found) return FAIL(20, `không tìm thấy văn bản ${docId.slice(0, 60)}`, 404)
      const bytes = this.store.bytes(found.msg)
      const checked = checkEdxml(bytes)
      if (!checked.ok) return FAIL(21, checked.message)
      for (const d of found.deliveries) d.gets++
      this.counters.gets++
      const m = found.msg
      const data: EdocPayload = {
        docId: m.docId,
        edxml: bytes.toString('base64'),
        from: m.from,
        fromName: m.fromName,
        edocCode: m.code,
        edocAbstract: m.subject,
        attachments: checked.doc.attachments.map((a) => ({ fileName: a.name, fileContent: a.base64 })),
      }
      return OK(data, `served ${m.docId}`)
    })

    this.run(app, kit, 'POST', 'updateStatus', (system, req) => {
      const b = (req.body ?? {}) as Record<string, unknown>
      const docId = typeof b['docId'] === 'string' ? b['docId'] : ''
      const status = typeof b['status'] === 'string' ? b['status'].toLowerCase() : ''
      if (status !== 'done' && status !== 'fail' && status !== 'processing') return FAIL(20, 'status phải là done, fail hoặc processing', 400)
      const found = this.mine(system, docId)
      if (!found) return FAIL(20, `không tìm thấy văn bản ${docId.slice(0, 60)}`, 404)
      const description = typeof b['description'] === 'string' ? b['description'] : typeof b['reason'] === 'string' ? b['reason'] : ''
      this.ack(found.deliveries, status, description)
      return OK({ docId, status }, `ack ${status} ${docId}`)
    })

    this.run(app, kit, 'GET', 'getSentEdocList', (system, req) => {
      const w = this.window(req.query as Record<string, string | undefined>)
      if ('body' in w) return w
      const items: EdocListItem[] = []
      for (const m of this.store.window(w.from, w.to)) {
        if (m.messageType !== w.type || !system.agencies.includes(m.from)) continue
        for (const d of m.deliveries) items.push(this.item(m, d))
      }
      return OK(items, `listed ${items.length}`)
    })

    this.run(app, kit, 'GET', 'getAgenciesList', () =>
      OK(
        [...this.agencies.values()].map((a, i) => ({
          id: i + 1,
          code: a.code,
          name: a.name,
          pid: a.pcode,
          email: a.email,
          status: a.locked ? 'locked' : 'active',
        })),
      ),
    )

    registerControls(app, this, { errorCodes: ERROR_CODES, operations: VDXP_OPERATIONS })
  }
}
