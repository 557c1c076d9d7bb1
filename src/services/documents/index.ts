import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { DocumentChangeBody, DocumentSendBody, DocumentView, StatusBody } from '../../../schemas/v1/documents.js'
import type { VdxpApi } from '../../connectors/vdxp/index.js'
import { DiskBlobStore, type BlobStore } from '../../documents/blob-store/index.js'
import { HubError } from '../../errors.js'
import { ClientRegistry, type Client } from '../../inbound-auth/clients.js'
import { QUEUES } from '../../queue/names.js'
import { requireConnector, type HubService, type ServiceContext } from '../context.js'
import { DocumentConsole } from './console/index.js'
import { defaultEdxmlCodec } from './edxml-port.js'
import { documentMetrics, type DocumentMetrics } from './metrics.js'
import { ReceiveRepository } from './receive/repository.js'
import { ReceiveWorker } from './receive/worker.js'
import type { DocumentRow } from './repository.js'
import { SendIntake, type Accepted } from './send.js'
import { STATUS_NAMES, type BusinessType, type EdxmlCodec } from './types.js'
import { WebhookWorker } from './webhook.js'
import { SendWorker } from './worker.js'

export type { EdxmlCodec } from './types.js'

/**
 * Document exchange through the national axis (VDXP), the API the routes call: sending
 * (stored, built into edXML, delivered from the outbox in order), receiving (a poller per
 * agency, acknowledged after the commit), the province's inbox and webhook, business
 * statuses both ways, and the axis's agency list. SQL in repository.ts and
 * receive/repository.ts; queue processors in worker.ts, receive/worker.ts, webhook.ts.
 */
export class DocumentService implements HubService {
  readonly metrics: DocumentMetrics
  readonly repo: ReceiveRepository
  readonly blobs: BlobStore
  readonly intake: SendIntake
  readonly sender: SendWorker
  readonly receiver: ReceiveWorker
  readonly webhook: WebhookWorker
  /** The operator console's reads: the inbox of every agency and a document's timeline. */
  readonly console: DocumentConsole
  private codecImpl?: EdxmlCodec

  constructor(
    private readonly ctx: ServiceContext,
    codec?: EdxmlCodec,
  ) {
    this.codecImpl = codec
    this.repo = new ReceiveRepository(ctx.db)
    this.console = new DocumentConsole(ctx.readDb)
    // A blob folder of its own: the warehouse sweep deletes files its own rows do not reference.
    this.blobs = new DiskBlobStore(ctx.config.VDXP_BLOB_DIR || join(ctx.config.DATA_DIR, 'document-blobs'))
    this.metrics = documentMetrics(ctx.metrics, this.repo)
    const vdxp = () => requireConnector<VdxpApi>(ctx.connectors, 'vdxp')
    this.sender = new SendWorker(ctx, this.repo, this.blobs, ctx.queues.queue(QUEUES.documentSend), this.metrics, vdxp)
    this.intake = new SendIntake(
      this.repo,
      this.blobs,
      () => this.codec(),
      (id) => this.sender.trigger(id),
      async (o) => this.agencyName(o),
    )
    this.webhook = new WebhookWorker(ctx, this.repo, ctx.queues.queue(QUEUES.documentWebhook), this.metrics)
    this.receiver = new ReceiveWorker(
      ctx,
      this.repo,
      this.blobs,
      () => this.codec(),
      this.intake,
      ctx.queues.queue(QUEUES.documentPoll),
      this.metrics,
      vdxp,
      (id) => this.webhook.trigger(id),
      () => this.syncAgencies(),
    )
  }

  private codec(): EdxmlCodec {
    this.codecImpl ??= defaultEdxmlCodec()
    return this.codecImpl
  }

  private names?: Map<string, string>
  private async agencyName(organId: string): Promise<string | undefined> {
    this.names ??= new Map((await this.repo.agencies()).map((a) => [a.organ_id, a.name]))
    return this.names.get(organId)
  }

  // ---------------------------------------------------------------- sending

  send(body: DocumentSendBody, client: Client): Promise<Accepted> {
    return this.intake.send(body, client)
  }

  change(id: string, kind: Exclude<BusinessType, 'new'>, body: DocumentChangeBody, client: Client): Promise<Accepted> {
    return this.intake.change(id, kind, body, client)
  }

  postStatus(id: string, body: StatusBody, client: Client) {
    return this.intake.postStatus(id, body, client)
  }

  // ---------------------------------------------------------------- reading

  private async view(d: DocumentRow): Promise<DocumentView> {
    const [attachments, timeline] = await Promise.all([this.repo.attachments(d.id), this.repo.timeline(d.id)])
    const opt = <T>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v)
    return {
      id: d.id,
      direction: d.direction,
      agency: d.agency,
      peer: d.peer,
      receivers: d.receivers,
      businessType: d.business_type,
      edxmlDocumentId: d.edxml_document_id,
      code: opt(d.code),
      subject: opt(d.subject),
      state: d.state,
      stateReason: opt(d.state_reason),
      relatedId: opt(d.related_id),
      changedBy: opt(d.changed_by),
      axisDocId: opt(d.axis_doc_id),
      signature: opt(d.signature),
      inboxSeq: opt(d.inbox_seq === null ? null : Number(d.inbox_seq)),
      ackedAt: d.acked_at ? d.acked_at.toISOString() : undefined,
      createdAt: d.created_at.toISOString(),
      meta: d.meta,
      attachments: attachments.map((a) => ({
        n: a.n,
        name: a.name,
        contentType: a.content_type,
        size: Number(a.size),
        sha256: a.sha256,
        url: `/v1/documents/${d.id}/attachments/${a.n}`,
      })),
      timeline: timeline.map((s) => ({
        direction: s.direction,
        statusCode: s.code,
        name: STATUS_NAMES[s.code] ?? s.code,
        ...(s.description ? { description: s.description } : {}),
        at: s.at,
        recordedAt: s.created_at.toISOString(),
        ...(s.delivery ? { delivery: s.delivery } : {}),
      })),
    }
  }

  /** A document of an agency the client serves, else 404 (exactly like a missing one). */
  private async own(id: string, client: Client): Promise<DocumentRow> {
    const d = await this.repo.byId(id)
    if (!d || !ClientRegistry.servesAgency(client, d.agency)) throw new HubError('HUB_ERR_NOT_FOUND', `document ${id} is unknown`)
    return d
  }

  async get(id: string, client: Client): Promise<DocumentView> {
    return this.view(await this.own(id, client))
  }

  async inbox(q: { after?: number; limit: number; agency?: string; unacked?: boolean }, client: Client) {
    const served = ClientRegistry.agencyList(client)
    const agencies = q.agency ? (ClientRegistry.servesAgency(client, q.agency) ? [q.agency] : []) : served.includes('*') ? null : served
    const rows = await this.repo.inbox(q.after ?? 0, q.limit, agencies, q.unacked ?? false)
    const items = await Promise.all(rows.map((r) => this.view(r)))
    return { items, next: rows.length ? Number(rows[rows.length - 1]!.inbox_seq) : (q.after ?? 0) }
  }

  async attachment(id: string, n: number, client: Client): Promise<{ stream: Readable; name: string; contentType: string; size: number; sha256: string }> {
    await this.own(id, client)
    const a = (await this.repo.attachments(id)).find((x) => x.n === n)
    if (!a) throw new HubError('HUB_ERR_NOT_FOUND', `document ${id} has no attachment ${n}`)
    return { stream: this.blobs.get(a.sha256), name: a.name, contentType: a.content_type, size: Number(a.size), sha256: a.sha256 }
  }

  async ack(id: string, client: Client) {
    const d = await this.own(id, client)
    if (d.direction !== 'in') throw new HubError('HUB_ERR_CONFLICT', `document ${id} was sent, not received: nothing to acknowledge`)
    const r = await this.repo.ack(id, client.id)
    if (!r) throw new HubError('HUB_ERR_NOT_FOUND', `document ${id} is unknown`)
    if (r.first) this.metrics.acked.inc()
    return { id, ackedAt: r.ackedAt.toISOString(), first: r.first }
  }

  // ---------------------------------------------------------------- agencies and operators

  async agencies() {
    return {
      items: (await this.repo.agencies()).map((a) => ({
        organId: a.organ_id,
        name: a.name,
        ...(a.parent_id ? { parentId: a.parent_id } : {}),
        active: a.active,
      })),
    }
  }

  /** Syncs the axis's agency list (operators, the scheduled sync): unknown recipients are then refused at the edge. */
  async syncAgencies(): Promise<{ agencies: number }> {
    const list = await requireConnector<VdxpApi>(this.ctx.connectors, 'vdxp').agencies(this.ctx.shutdownSignal)
    const n = await this.repo.upsertAgencies(list)
    this.names = undefined
    return { agencies: n }
  }

  outbox(state: 'pending' | 'parked' | 'sent', limit: number) {
    return this.repo.outboxList(state, limit)
  }

  /** Puts parked messages (of one document, or all) back in line. */
  async replay(documentId?: string): Promise<string[]> {
    const ids = await this.repo.unpark(documentId)
    for (const id of ids) await this.sender.trigger(id)
    return ids
  }

  // ---------------------------------------------------------------- background work

  async startWorkers(): Promise<void> {
    if (!this.ctx.connectors.has('vdxp')) return
    this.sender.start()
    this.webhook.start()
    await this.receiver.start()
  }

  async stop(): Promise<void> {
    this.sender.stop()
    this.webhook.stop()
  }
}
