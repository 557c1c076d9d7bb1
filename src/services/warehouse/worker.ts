import { UnrecoverableError, type Job, type Queue } from 'bullmq'
import { Counter } from 'prom-client'
import type { SweepResult } from '../../documents/blob-store/index.js'
import { QUEUES } from '../../queue/names.js'
import type { WarehouseParts } from './parts.js'

const BLOB_SWEEP_JOB = 'blob-sweep'

/**
 * The `housekeeping` worker: the blob sweep. Mirrored and local documents share the blob
 * store, so the sweep belongs to the warehouse as a whole: it deletes files no document row
 * references once older than BLOB_SWEEP_GRACE_MS (blobs of refused or failed uploads, files a
 * mirrored document no longer points to, stale temporary files). One repeatable job for all
 * worker processes: BullMQ hands each run to exactly one of them.
 */
export class BlobSweeper {
  private readonly swept: Counter<'kind'>
  private readonly queue: Queue

  constructor(private readonly parts: WarehouseParts) {
    this.queue = parts.ctx.queues.queue(QUEUES.housekeeping)
    this.swept = new Counter({
      name: 'lgsp_hub_warehouse_blobs_swept_total',
      help: 'Files deleted by the blob sweeper: unreferenced blobs (blob) and stale temporary files (temp)',
      labelNames: ['kind'] as const,
      registers: [parts.ctx.metrics.registry],
    })
  }

  async process(job: Job): Promise<SweepResult> {
    if (job.name !== BLOB_SWEEP_JOB) throw new UnrecoverableError(`unknown housekeeping job ${job.name}`)
    return this.sweep()
  }

  async sweep(): Promise<SweepResult> {
    const { ctx, blobs, documents } = this.parts
    const result = await blobs.sweep({
      graceMs: ctx.config.BLOB_SWEEP_GRACE_MS,
      signal: ctx.shutdownSignal,
      referenced: (hashes) => documents.referencedBlobs(hashes),
    })
    this.swept.labels('blob').inc(result.removed)
    this.swept.labels('temp').inc(result.tempRemoved)
    if (result.removed || result.tempRemoved) ctx.logger.info({ ...result }, 'blob sweeper deleted unreferenced files')
    return result
  }

  /** Starts the worker and schedules the sweep every BLOB_SWEEP_INTERVAL_MS (0: unscheduled). */
  async start(): Promise<void> {
    const { ctx } = this.parts
    const every = ctx.config.BLOB_SWEEP_INTERVAL_MS
    if (every > 0) {
      ctx.queues.startWorker({ name: QUEUES.housekeeping, processor: (job) => this.process(job) }, 1)
      await this.queue.upsertJobScheduler(BLOB_SWEEP_JOB, { every }, { name: BLOB_SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: { age: 86_400 } } })
    } else {
      await this.queue.removeJobScheduler(BLOB_SWEEP_JOB)
    }
  }
}
