import { buffer } from 'node:stream/consumers'
import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq'
import { Counter, Gauge } from 'prom-client'
import { BlobNotFoundError } from '../../../documents/blob-store/index.js'
import { isMappingError } from '../../../mappings/shared/errors.js'
import { QUEUES } from '../../../queue/names.js'
import { isTransient, retryingJob } from '../../../queue/retry.js'
import type { Logger } from '../../../log.js'
import { startReconciler, type WarehouseParts } from '../parts.js'
import { recordOfRow } from './record.js'
import type { IntakeRepository } from './repository.js'
import { jobTraceContext } from '../../../telemetry/tracing.js'

/** Job data: the document's uuid, never citizen data. */
export interface PushJob {
  id: string
  /** W3C trace context of the request that enqueued the job (tracing on). */
  traceparent?: string
}

/**
 * Upload attempts of one push job (BullMQ attempts, the hub backoff between them). A
 * document whose attempts run out while the portal is still down stays `pending`: the
 * reconciler gives it a new job once its hold (RETRY_MAX_MS) has passed, so an outage
 * never turns a transient failure into a lost document.
 */
export const PUSH_ATTEMPTS = 10

const PUSH_JOB_OPTIONS: JobsOptions = { ...retryingJob(PUSH_ATTEMPTS), removeOnComplete: true, removeOnFail: { age: 86_400 } }

/** Puts uploads on the `warehouse-push` queue. A failed enqueue is logged: the reconciler finds the document. */
export class PushJobs {
  constructor(
    private readonly queue: Queue,
    private readonly logger: Logger,
  ) {}

  /** `suffix` makes the job id unique per trigger (the first one, or a reconciler pass). */
  async trigger(id: string, suffix: string): Promise<void> {
    try {
      await this.queue.add('push', { id, ...jobTraceContext() } satisfies PushJob, { ...PUSH_JOB_OPTIONS, jobId: `push-${id}-${suffix}` })
    } catch (e) {
      this.logger.warn({ documentId: id, err: { message: (e as Error).message } }, 'could not enqueue warehouse push; the reconciler will retry')
    }
  }
}

/**
 * The `warehouse-push` worker: uploads one local document (`DongBoKetQuaSoHoa`) under a
 * lease, so it is delivered once however many jobs ask. Transient failures are retried by
 * BullMQ with the hub backoff; a permanent refusal leaves the document `failed` with its reason.
 */
export class PushWorker {
  private readonly pushes: Counter<'outcome'>
  private stopReconciler?: () => void

  constructor(
    private readonly parts: WarehouseParts,
    private readonly repo: IntakeRepository,
    private readonly jobs: PushJobs,
  ) {
    const registers = [parts.ctx.metrics.registry]
    this.pushes = new Counter({
      name: 'lgsp_hub_warehouse_pushes_total',
      help: 'Upload attempts of local documents by outcome (pushed, retry, failed, blob_missing)',
      labelNames: ['outcome'] as const,
      registers,
    })
    new Gauge({
      name: 'lgsp_hub_warehouse_push_pending',
      help: 'Local documents not yet delivered to the national warehouse',
      registers,
      async collect() {
        this.set(await repo.countPending())
      },
    })
    new Gauge({
      name: 'lgsp_hub_warehouse_push_failed',
      help: 'Local documents that will not reach the national warehouse (refused, or their stored file is missing); the reason is the pushError of each',
      registers,
      async collect() {
        this.set(await repo.countFailed())
      },
    })
  }

  async process(job: Job<PushJob>): Promise<'pushed' | 'skipped'> {
    const { ctx } = this.parts
    const row = await this.repo.claimPush(job.data.id, Math.max(ctx.config.UPSTREAM_TIMEOUT_MS * 3, 30_000))
    if (!row) return 'skipped'
    try {
      const content = await buffer(this.parts.blobs.get(row.blob_sha256!))
      const { nationalId } = await this.parts.dvcqg().uploadDocument(recordOfRow(row, content), ctx.shutdownSignal)
      await this.repo.markPushed(row.id, nationalId)
      this.pushes.labels('pushed').inc()
      return 'pushed'
    } catch (e) {
      if (e instanceof BlobNotFoundError) return this.blobMissing(row.id, e.sha256, row.push_attempts + 1)
      const err = e instanceof Error ? e : new Error(String(e))
      const message = err.message.slice(0, 1000)
      const attempts = row.push_attempts + 1
      if (isMappingError(err) || !isTransient(err)) {
        await this.repo.markPushFailed(row.id, attempts, message)
        this.pushes.labels('failed').inc()
        ctx.logger.warn({ documentId: row.id, reason: message }, 'warehouse upload refused permanently')
        throw new UnrecoverableError(message)
      }
      // The job's next attempt comes within RETRY_MAX_MS (the backoff's ceiling); until then the reconciler keeps off.
      await this.repo.recordPushRetry(row.id, attempts, message, ctx.config.RETRY_MAX_MS)
      this.pushes.labels('retry').inc()
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
        ctx.logger.warn({ documentId: row.id, attempts, reason: message }, 'warehouse push job out of attempts; the reconciler resumes it')
      throw err
    }
  }

  /**
   * The document's stored file is missing: a local fault no retry repairs (the blob folder
   * is not shared by api and workers, or was lost). The document is `failed` with the
   * reason (its pushError in the API), counted (`outcome="blob_missing"`), logged at error.
   */
  private async blobMissing(id: string, sha256: string, attempts: number): Promise<never> {
    const reason = `local file missing: blob ${sha256} is not in this worker's blob store (BLOB_DIR must be shared by the api and worker roles)`
    await this.repo.markPushFailed(id, attempts, reason)
    this.pushes.labels('blob_missing').inc()
    this.parts.ctx.logger.error({ documentId: id, sha256, code: 'BLOB_NOT_FOUND' }, 'warehouse push impossible: the stored file is missing')
    throw new UnrecoverableError(reason)
  }

  /** Re-enqueues pending documents no job holds (lost trigger, crashed worker, attempts run out). */
  async reconcile(): Promise<{ pushes: number }> {
    const rows = await this.repo.pushesToResume(this.parts.ctx.config.RECONCILE_GRACE_MS)
    const pass = Date.now().toString(36)
    for (const r of rows) await this.jobs.trigger(r.id, `rc${r.push_attempts}-${pass}`)
    return { pushes: rows.length }
  }

  start(): void {
    const cfg = this.parts.ctx.config
    this.parts.ctx.queues.startWorker(
      { name: QUEUES.warehousePush, processor: (job) => this.process(job as Job<PushJob>), retry: { baseMs: cfg.RETRY_BASE_MS, maxMs: cfg.RETRY_MAX_MS } },
      Math.min(cfg.WORKER_CONCURRENCY, 16),
    )
    this.stopReconciler = startReconciler(this.parts.ctx, 'warehouse push', () => this.reconcile())
  }

  stop(): void {
    this.stopReconciler?.()
  }
}
