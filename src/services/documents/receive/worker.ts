import { createHash, randomUUID } from 'node:crypto'
import { UnrecoverableError, type Job, type Queue } from 'bullmq'
import type { VdxpApi, VdxpMessageType } from '../../../connectors/vdxp/index.js'
import type { BlobStore } from '../../../documents/blob-store/index.js'
import { QUEUES } from '../../../queue/names.js'
import type { ServiceContext } from '../../context.js'
import type { DocumentMetrics } from '../metrics.js'
import type { SendIntake } from '../send.js'
import { isEdxmlRefusal, type EdxmlCodec, type ParsedIncoming } from '../types.js'
import type { ReceiveRepository } from './repository.js'

const DAY = 86_400_000
const POLL_JOB = 'poll'
const AGENCY_SYNC_JOB = 'agency-sync'

export interface PollJob {
  agency: string
}

type Outcome = 'stored' | 'duplicate' | 'failed' | 'skipped'

/**
 * The receive side: one poller per configured agency (a repeatable `document-poll` job each).
 * A poll lists the agency's received edocs, then statuses, over a window of at least two days
 * that starts before the previous one (the axis's `toDate` is exclusive, so the window always
 * reaches tomorrow), skips the axis ids already taken, and takes each new message: fetched,
 * parsed (attachments streamed into the blob store), stored in one transaction with what it
 * implies (the 01 status owed to the sender, a business change applied), and only THEN
 * acknowledged `done` at the axis, or `fail` with the reason when the message is refused.
 */
export class ReceiveWorker {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly repo: ReceiveRepository,
    private readonly blobs: BlobStore,
    private readonly codec: () => EdxmlCodec,
    private readonly intake: SendIntake,
    private readonly queue: Queue,
    private readonly metrics: DocumentMetrics,
    private readonly vdxp: () => VdxpApi,
    private readonly afterStore: (documentId: string) => Promise<void>,
    private readonly syncAgencies: () => Promise<unknown>,
  ) {}

  agencies(): string[] {
    return this.ctx.config.VDXP_AGENCIES.split(',').filter(Boolean)
  }

  async process(job: Job<PollJob>): Promise<unknown> {
    if (job.name === AGENCY_SYNC_JOB) return this.syncAgencies()
    if (job.name !== POLL_JOB) throw new UnrecoverableError(`unknown document-poll job ${job.name}`)
    return this.poll(job.data.agency)
  }

  /** One poll of one agency (under its poll lease): edocs first, then statuses. */
  async poll(agency: string): Promise<Record<string, number>> {
    const leaseMs = Math.max(60_000, this.ctx.config.UPSTREAM_TIMEOUT_MS * 6)
    if (!(await this.repo.claimPoll(agency, leaseMs))) return { busy: 1 }
    try {
      return await this.pollHeld(agency, leaseMs)
    } finally {
      await this.repo.releasePoll(agency).catch(() => undefined)
    }
  }

  private async pollHeld(agency: string, leaseMs: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = { stored: 0, duplicate: 0, failed: 0, skipped: 0 }
    for (const type of ['edoc', 'status'] as const) {
      const startedAt = Date.now()
      const cfg = this.ctx.config
      const last = await this.repo.windowStart(agency, type)
      const fromMs = Math.min(startedAt - (cfg.VDXP_WINDOW_DAYS - 1) * DAY, last === undefined ? Infinity : last - cfg.VDXP_OVERLAP_MS)
      const list = await this.vdxp().receivedList(agency, type, { fromMs, toMs: startedAt + DAY }, this.ctx.shutdownSignal)
      const known = await this.repo.received(
        agency,
        list.map((i) => i.docId),
      )
      const seen = new Set<string>()
      for (const item of list) {
        if (this.ctx.shutdownSignal.aborted) return counts
        if (seen.has(item.docId)) continue
        seen.add(item.docId)
        const k = known.get(item.docId)
        if (k?.acked) continue
        if (k && item.status?.toLowerCase() === (k.outcome === 'failed' ? 'fail' : 'done')) {
          // The acknowledgement went through but its reply was lost (timeout, crash): the list says so, no second ack.
          await this.repo.markAcked(agency, item.docId, false)
          counts['skipped']!++
          continue
        }
        if (k) {
          // Stored (or refused) before a crash, acknowledgement still owed.
          await this.acknowledge(agency, item.docId, k.outcome === 'failed' ? 'fail' : 'done')
          counts['skipped']!++
          continue
        }
        counts[await this.take(agency, type, item.docId)]!++
        await this.repo.renewPoll(agency, leaseMs)
      }
      await this.repo.recordWindow(agency, type, startedAt)
    }
    return counts
  }

  private async acknowledge(agency: string, docId: string, status: 'done' | 'fail', reason?: string) {
    await this.vdxp().ack(agency, docId, status, reason, this.ctx.shutdownSignal)
    await this.repo.markAcked(agency, docId)
    this.metrics.axisAcks.labels(status).inc()
  }

  /** Takes one new message: fetch, parse, store, acknowledge. */
  async take(agency: string, type: VdxpMessageType, docId: string): Promise<Outcome> {
    const edoc = await this.vdxp().get(agency, docId, this.ctx.shutdownSignal)
    let parsed: ParsedIncoming
    try {
      parsed = await this.codec().parse(edoc.edxml, this.blobs)
      if ((type === 'edoc') !== (parsed.kind === 'document'))
        throw Object.assign(new Error(`a ${parsed.kind} message in the ${type} list`), { code: 'HUB_ERR_EDXML_INVALID' })
    } catch (e) {
      if (!isEdxmlRefusal(e)) throw e
      return this.refuse(agency, type, docId, (e as Error).message)
    }
    const dedupKey = createHash('sha256').update(edoc.edxml).digest('hex')
    return parsed.kind === 'document' ? this.storeDocument(agency, docId, parsed, dedupKey) : this.storeStatus(agency, docId, parsed, dedupKey)
  }

  private async refuse(agency: string, type: VdxpMessageType, docId: string, reason: string): Promise<Outcome> {
    const text = reason.slice(0, 500)
    const first = await this.repo.db.tx((q) => this.repo.recordReceived(q, { agency, axisDocId: docId, messageType: type, outcome: 'failed', reason: text }))
    this.metrics.received.labels(type, 'failed').inc()
    this.ctx.logger.warn({ agency, axisDocId: docId, reason: text }, 'received message refused; acknowledged fail')
    if (first) await this.acknowledge(agency, docId, 'fail', text)
    return 'failed'
  }

  private async storeDocument(agency: string, docId: string, p: Extract<ParsedIncoming, { kind: 'document' }>, dedupKey: string): Promise<Outcome> {
    if (!p.to.includes(agency) && p.to.length > 0) return this.refuse(agency, 'edoc', docId, `the document is not addressed to ${agency}`)
    const prior = await this.repo.receivedByDedup(agency, dedupKey)
    if (prior) return this.duplicate(agency, 'edoc', docId, prior)
    const id = randomUUID()
    const target = p.business.docType === 'new' ? undefined : await this.repo.byEdxmlId('in', agency, p.business.documentId ?? p.documentId)
    const doc = {
      id,
      agency,
      peer: p.from.organId,
      code: p.code ?? null,
      meta: { ...p.meta, promulgationDate: p.promulgationDate },
      edxml_document_id: p.documentId,
    }
    // The 01 status owed to the sender is built before the transaction and recorded in it.
    const arrived = p.business.docType === 'new' ? await this.intake.prepareStatus(doc, '01', 'Đã đến', undefined) : undefined
    const webhook = this.ctx.config.VDXP_WEBHOOK_URL !== ''
    let stored: boolean
    try {
      stored = await this.repo.db.tx(async (q) => {
        if (!(await this.repo.recordReceived(q, { agency, axisDocId: docId, messageType: 'edoc', outcome: 'stored', documentId: id }))) return false
        await this.repo.insertDocument(q, {
          id,
          direction: 'in',
          agency,
          peer: p.from.organId,
          receivers: p.to,
          businessType: p.business.docType,
          edxmlDocumentId: p.documentId,
          code: p.code ?? null,
          subject: p.subject ?? null,
          meta: doc.meta,
          state: 'received',
          relatedId: target?.id ?? null,
          axisDocId: docId,
          dedupKey,
          edxmlSha256: null,
          signature: p.signature,
          clientId: null,
          idempotencyKey: null,
          bodySha256: null,
          attachments: p.attachments,
        })
        if (p.business.docType !== 'new') {
          if (target) {
            const state = p.business.docType === 'revoke' ? 'revoked' : p.business.docType === 'update' ? 'updated' : 'replaced'
            await this.repo.applyChange(q, target.id, state, id, p.business.reason ?? null)
          } else {
            // Never silently: the message is kept with the reason it changed nothing.
            await this.repo.setReason(q, id, `no stored document ${p.business.documentId ?? p.documentId} to ${p.business.docType}`)
          }
        }
        if (arrived) await this.intake.recordStatus(q, doc, arrived, 'auto:01')
        if (webhook) await this.repo.setWebhookPending(q, id)
        return true
      })
    } catch (e) {
      if ((e as { code?: unknown }).code !== '23505') throw e
      // Another poller stored the same message a moment ago: its acknowledgement is its own.
      return 'duplicate'
    }
    if (!stored) return 'duplicate'
    this.metrics.received.labels('edoc', 'stored').inc()
    await this.acknowledge(agency, docId, 'done')
    await this.afterStore(id)
    return 'stored'
  }

  private async duplicate(agency: string, type: VdxpMessageType, docId: string, documentId: string | undefined): Promise<Outcome> {
    const first = await this.repo.db.tx((q) =>
      this.repo.recordReceived(q, { agency, axisDocId: docId, messageType: type, outcome: 'duplicate', ...(documentId ? { documentId } : {}) }),
    )
    this.metrics.received.labels(type, 'duplicate').inc()
    if (first) await this.acknowledge(agency, docId, 'done')
    return 'duplicate'
  }

  private async storeStatus(agency: string, docId: string, p: Extract<ParsedIncoming, { kind: 'status' }>, dedupKey: string): Promise<Outcome> {
    const sent = p.responseFor.documentId ? await this.repo.sentByEdxmlId(p.responseFor.documentId) : undefined
    if (!sent || sent.agency !== agency)
      return this.refuse(
        agency,
        'status',
        docId,
        `status ${p.statusCode} refers to no document sent by ${agency} (${p.responseFor.documentId ?? 'no DocumentId'})`,
      )
    const stored = await this.repo.db.tx(async (q) => {
      if (!(await this.repo.recordReceived(q, { agency, axisDocId: docId, messageType: 'status', outcome: 'stored', documentId: sent.id }))) return undefined
      return this.repo.insertStatus(q, {
        documentId: sent.id,
        direction: 'in',
        code: p.statusCode,
        description: p.description,
        staff: p.staff,
        at: p.timestamp,
        dedupKey,
      })
    })
    if (stored === undefined) return this.duplicate(agency, 'status', docId, sent.id)
    this.metrics.received.labels('status', 'stored').inc()
    await this.acknowledge(agency, docId, 'done')
    return 'stored'
  }

  /** Schedules one poll per agency every VDXP_POLL_MS (BullMQ hands each run to one worker), removing pollers of agencies no longer configured. */
  async start(): Promise<void> {
    const agencies = this.agencies()
    this.ctx.queues.startWorker({ name: QUEUES.documentPoll, processor: (job) => this.process(job as Job<PollJob>) }, 1)
    for (const s of await this.queue.getJobSchedulers()) {
      const agency = s.key?.startsWith('poll-') ? s.key.slice(5) : undefined
      if (agency && !agencies.includes(agency)) await this.queue.removeJobScheduler(s.key)
    }
    const cron = this.ctx.config.VDXP_AGENCY_SYNC_CRON
    if (cron)
      await this.queue.upsertJobScheduler(
        AGENCY_SYNC_JOB,
        { pattern: cron },
        { name: AGENCY_SYNC_JOB, opts: { removeOnComplete: true, removeOnFail: { age: 86_400 } } },
      )
    else await this.queue.removeJobScheduler(AGENCY_SYNC_JOB)
    for (const agency of agencies)
      await this.queue.upsertJobScheduler(
        `poll-${agency}`,
        { every: this.ctx.config.VDXP_POLL_MS },
        { name: POLL_JOB, data: { agency } satisfies PollJob, opts: { removeOnComplete: true, removeOnFail: { age: 86_400 } } },
      )
  }
}
