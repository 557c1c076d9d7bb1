import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq'
import { isMappingError } from '../../../mappings/shared/errors.js'
import { QUEUES } from '../../../queue/names.js'
import { isTransient, retryingJob } from '../../../queue/retry.js'
import type { ServiceContext } from '../../context.js'
import { startReconciler } from '../parts.js'
import type { MirrorResult, MirrorService } from './index.js'
import type { MirrorRepository } from './repository.js'

/** Job data: the owner's surrogate key, never an identity number. */
export interface MirrorJob {
  ownerRef: string
  backfillId?: string
}

/**
 * Runs of one owner before it is left `failed` (BullMQ attempts, the hub backoff between
 * them): with the default RETRY_BASE_MS/RETRY_MAX_MS about two minutes of a portal glitch.
 */
export const MIRROR_ATTEMPTS = 8
/** Only a job holds an owner `pending` or `running`; one untouched this long lost its job. */
const STALLED_OWNER_MS = 10 * 60_000

const MIRROR_JOB_OPTIONS: JobsOptions = { ...retryingJob(MIRROR_ATTEMPTS), removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } }

/** Puts owners on the `warehouse-mirror` queue, one job each. */
export class MirrorJobs {
  constructor(private readonly queue: Queue) {}

  /** `tag` makes the job id unique per backfill or reconciler pass (ids hold no ':'). */
  async enqueue(owners: readonly { ref: string; backfillId?: string | null }[], tag: string): Promise<void> {
    if (owners.length === 0) return
    await this.queue.addBulk(
      owners.map((o) => ({
        name: 'mirror',
        data: { ownerRef: o.ref, ...(o.backfillId ? { backfillId: o.backfillId } : {}) } satisfies MirrorJob,
        opts: { ...MIRROR_JOB_OPTIONS, jobId: `mirror-${o.ref}-${tag}` },
      })),
    )
  }
}

/**
 * The `warehouse-mirror` worker: one owner per job. A failed run is retried by BullMQ with
 * the hub backoff (stored files are kept, so a retry fetches only what is missing); a
 * permanent failure or the last attempt leaves the owner `failed` in the database.
 */
export class MirrorWorker {
  private stopReconciler?: () => void

  constructor(
    private readonly ctx: ServiceContext,
    private readonly repo: MirrorRepository,
    private readonly mirror: MirrorService,
    private readonly jobs: MirrorJobs,
  ) {}

  async process(job: Job<MirrorJob>): Promise<MirrorResult | 'skipped'> {
    const owner = await this.repo.ownerByRef(job.data.ownerRef)
    if (!owner) return 'skipped'
    try {
      return await this.mirror.mirrorOwner(owner.owner_id, {
        signal: this.ctx.shutdownSignal,
        onProgress: (done, total) => (done === total || done % 5 === 0 ? job.updateProgress({ done, total }) : undefined),
      })
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e))
      const permanent = isMappingError(err) || !isTransient(err)
      const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      await this.repo.setOwnerState(owner.owner_id, final ? 'failed' : 'pending', err.message.slice(0, 1000))
      if (permanent) throw new UnrecoverableError(err.message)
      throw err
    }
  }

  /** Re-enqueues owners whose mirror stalled (a worker died, Redis lost the job). */
  async reconcile(): Promise<{ owners: number }> {
    const owners = await this.repo.claimStalledOwners(STALLED_OWNER_MS)
    await this.jobs.enqueue(
      owners.map((o) => ({ ref: o.ref, backfillId: o.backfill_id })),
      `rc${Date.now().toString(36)}`,
    )
    return { owners: owners.length }
  }

  start(): void {
    const cfg = this.ctx.config
    this.ctx.queues.startWorker(
      { name: QUEUES.warehouseMirror, processor: (job) => this.process(job as Job<MirrorJob>), retry: { baseMs: cfg.RETRY_BASE_MS, maxMs: cfg.RETRY_MAX_MS } },
      cfg.WAREHOUSE_MIRROR_CONCURRENCY,
    )
    this.stopReconciler = startReconciler(this.ctx, 'warehouse mirror', () => this.reconcile())
  }

  stop(): void {
    this.stopReconciler?.()
  }
}
