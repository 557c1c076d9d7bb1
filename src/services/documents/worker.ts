import { buffer } from 'node:stream/consumers'
import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq'
import type { VdxpApi } from '../../connectors/vdxp/index.js'
import type { BlobStore } from '../../documents/blob-store/index.js'
import { UpstreamError } from '../../http/errors.js'
import { QUEUES } from '../../queue/names.js'
import { isTransient, retryingJob } from '../../queue/retry.js'
import type { ServiceContext } from '../context.js'
import type { DocumentMetrics } from './metrics.js'
import type { DocumentRepository } from './repository.js'
import { jobTraceContext } from '../../telemetry/tracing.js'

/** Job data: the document's uuid (never content). */
export interface SendJob {
  documentId: string
  /** W3C trace context of the request that enqueued the job (tracing on). */
  traceparent?: string
}

/**
 * Attempts of one send job; when they run out while the axis is down, the outbox rows stay
 * `pending` and the reconciler gives the document a new job once the hold has passed.
 */
export const SEND_ATTEMPTS = 10
const SEND_JOB_OPTIONS: JobsOptions = { ...retryingJob(SEND_ATTEMPTS), removeOnComplete: true, removeOnFail: { age: 86_400 } }

/**
 * Starts a repeating timer (unref'd) running `pass`; a failed pass is logged and the next one
 * tries again. Returns the stop function.
 */
export function every(ctx: ServiceContext, ms: number, name: string, pass: () => Promise<unknown>): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    pass()
      .catch((e: unknown) => ctx.logger.warn({ err: { message: (e as Error).message } }, `${name} failed`))
      .finally(() => (running = false))
  }, ms)
  timer.unref()
  return () => clearInterval(timer)
}

/**
 * The `document-send` worker: delivers a document's outbox rows (the document itself, its
 * revoke/update/replace, the statuses posted about it) in order, under the document's send
 * lease, so one worker at a time sends it and a status never overtakes the one before it.
 * Transient failures are retried with the hub backoff; a permanent refusal parks the row
 * with the axis's reason, and the rows after it wait.
 */
export class SendWorker {
  private stopReconciler?: () => void

  constructor(
    private readonly ctx: ServiceContext,
    private readonly repo: DocumentRepository,
    private readonly blobs: BlobStore,
    private readonly queue: Queue,
    private readonly metrics: DocumentMetrics,
    private readonly vdxp: () => VdxpApi,
  ) {}

  /** `suffix` makes the job id unique per trigger (intake, a status, a reconciler pass). */
  async trigger(documentId: string, suffix = Date.now().toString(36) + Math.random().toString(36).slice(2, 6)): Promise<void> {
    try {
      await this.queue.add('send', { documentId, ...jobTraceContext() } satisfies SendJob, { ...SEND_JOB_OPTIONS, jobId: `send-${documentId}-${suffix}` })
    } catch (e) {
      this.ctx.logger.warn({ documentId, err: { message: (e as Error).message } }, 'could not enqueue a document send; the reconciler will retry')
    }
  }

  async process(job: Job<SendJob>): Promise<number> {
    const { documentId } = job.data
    const cfg = this.ctx.config
    const leaseMs = Math.max(cfg.UPSTREAM_TIMEOUT_MS * 3, 30_000)
    if (!(await this.repo.claimSend(documentId, leaseMs))) {
      // Another job is sending this document; if rows are waiting, come back after it (a retried attempt).
      if (await this.repo.nextOutbox(documentId)) throw new Error('document is being sent by another job; retrying after it')
      return 0
    }
    let sent = 0
    try {
      for (;;) {
        if (this.ctx.shutdownSignal.aborted) throw new Error('shutting down')
        const row = await this.repo.nextOutbox(documentId)
        if (!row || row.state === 'parked') return sent
        try {
          const edxml = await buffer(this.blobs.get(row.edxml_sha256))
          const { docId } = await this.vdxp().send(row.sender, edxml, row.kind === 'document' ? 'edoc' : 'status', this.ctx.shutdownSignal)
          await this.repo.markSent(row, docId)
          this.metrics.sent.labels(row.kind).inc()
          sent++
        } catch (e) {
          const err = e instanceof Error ? e : new Error(String(e))
          const message = err.message.slice(0, 1000)
          const auth = err instanceof UpstreamError && err.kind === 'auth'
          if (!isTransient(err) && !auth) {
            await this.repo.park(row, message)
            this.metrics.parked.labels(row.kind).inc()
            this.ctx.logger.warn({ documentId, outbox: row.id, reason: message }, 'document message refused by the axis; parked')
            throw new UnrecoverableError(message)
          }
          // Credentials refused: an operator's fix, never a reason to drop the message; retried slowly.
          await this.repo.recordRetry(row, message, cfg.RETRY_MAX_MS)
          this.metrics.retries.labels(row.kind).inc()
          throw err
        }
      }
    } finally {
      await this.repo.releaseSend(documentId).catch(() => undefined)
    }
  }

  /** Re-enqueues documents with pending outbox rows no job holds. */
  async reconcile(): Promise<number> {
    const ids = await this.repo.sendsToResume(this.ctx.config.RECONCILE_GRACE_MS)
    const pass = `rc${Date.now().toString(36)}`
    for (const id of ids) await this.trigger(id, pass)
    if (ids.length) this.ctx.logger.info({ documents: ids.length }, 'document send reconciler re-enqueued work')
    return ids.length
  }

  start(): void {
    const cfg = this.ctx.config
    this.ctx.queues.startWorker(
      {
        name: QUEUES.documentSend,
        processor: (job) => this.process(job as Job<SendJob>),
        retry: { baseMs: cfg.RETRY_BASE_MS, maxMs: cfg.RETRY_MAX_MS },
      },
      Math.min(cfg.WORKER_CONCURRENCY, 16),
    )
    this.stopReconciler = every(this.ctx, cfg.RECONCILE_INTERVAL_MS, 'document send reconciler', () => this.reconcile())
  }

  stop(): void {
    this.stopReconciler?.()
  }
}
