import type { AuditWriter } from '../../audit/index.js'
import type { BlobStore } from '../../documents/blob-store/index.js'
import { QUEUES } from '../../queue/names.js'
import type { CatalogReader } from '../catalog/reader.js'
import type { DossierReader } from '../dossiers/reader.js'
import type { HubService, ServiceContext } from '../context.js'
import { IntakeService, SignatureRecheck } from './intake/index.js'
import { PushJobs, PushWorker } from './intake/worker.js'
import { MirrorService } from './mirror/index.js'
import { MirrorJobs, MirrorWorker } from './mirror/worker.js'
import { createWarehouseParts } from './parts.js'
import type { SignatureGate } from './signature-gate.js'
import { ReuseService, type UsageLinks } from './reuse/index.js'
import { StatsService } from './stats/index.js'
import { BlobSweeper } from './worker.js'

export type { Caller } from './reuse/index.js'
export type { MirrorResult } from './mirror/index.js'

/**
 * The e-document warehouse: documents of citizens and organisations, mirrored from the
 * national warehouse and digitised locally. Its capabilities, each a facade the routes call:
 * - `mirror`: backfills and per-owner mirroring (`warehouse-mirror` queue);
 * - `intake`: local documents stored, then pushed (`warehouse-push` queue);
 * - `reuse`: the owner query, documents, files and usage records (audited reads);
 * - `stats`: digitisation statistics.
 * They share the blob store (swept by `sweeper`) and the signature check.
 */
export class WarehouseService implements HubService {
  readonly mirror: MirrorService
  readonly intake: IntakeService
  readonly reuse: ReuseService
  readonly stats: StatsService
  readonly sweeper: BlobSweeper
  readonly blobs: BlobStore
  /** The audit trail the reads are recorded in (durable before each answer). */
  readonly audit: AuditWriter
  readonly trustAnchorsSource: string
  readonly mirrorWorker: MirrorWorker
  readonly pushWorker: PushWorker
  /** The signature gate (policy, revocation cache) every ingested file passes. */
  readonly gate: SignatureGate
  /** Re-checks a stored file's signature with today's policy, anchors and revocation answers. */
  readonly signatures: SignatureRecheck

  constructor(ctx: ServiceContext, catalog: CatalogReader, dossiers: DossierReader, links?: UsageLinks) {
    const parts = createWarehouseParts(ctx)
    this.blobs = parts.blobs
    this.audit = ctx.audit
    this.trustAnchorsSource = parts.trustAnchorsSource
    this.gate = parts.gate
    const mirrorJobs = new MirrorJobs(ctx.queues.queue(QUEUES.warehouseMirror))
    const pushJobs = new PushJobs(ctx.queues.queue(QUEUES.warehousePush), ctx.logger)
    this.mirror = new MirrorService(parts, mirrorJobs)
    this.intake = new IntakeService(parts, pushJobs, catalog)
    this.signatures = new SignatureRecheck(parts, this.intake.repo, pushJobs)
    const mirror = this.mirror
    this.reuse = new ReuseService(
      parts,
      catalog,
      dossiers,
      { mirrorOwner: (ownerId) => mirror.mirrorOwner(ownerId), failed: (ownerId, message) => mirror.repo.setOwnerState(ownerId, 'failed', message) },
      links,
    )
    this.stats = new StatsService(ctx.db)
    this.sweeper = new BlobSweeper(parts)
    // Built with the service (their metrics are served by every role); started by startWorkers only.
    this.mirrorWorker = new MirrorWorker(ctx, this.mirror.repo, this.mirror, mirrorJobs)
    this.pushWorker = new PushWorker(parts, this.intake.repo, pushJobs)
  }

  async startWorkers(): Promise<void> {
    this.mirrorWorker.start()
    this.pushWorker.start()
    await this.sweeper.start()
  }

  async stop(): Promise<void> {
    this.mirrorWorker.stop()
    this.pushWorker.stop()
    this.gate.close()
  }
}
