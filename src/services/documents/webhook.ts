import { createHmac } from 'node:crypto'
import type { Job, Queue } from 'bullmq'
import { QUEUES } from '../../queue/names.js'
import { retryingJob } from '../../queue/retry.js'
import type { ServiceContext } from '../context.js'
import type { DocumentMetrics } from './metrics.js'
import type { ReceiveRepository } from './receive/repository.js'
import { every } from './worker.js'

/** Deliveries of one document before it is parked (and the line behind it waits for an operator). */
export const WEBHOOK_ATTEMPTS = 8

/** `X-Hub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signWebhook(secret: string, body: string, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000)
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`
}

/**
 * The optional webhook (VDXP_WEBHOOK_URL): each received document is POSTed to the
 * provincial system, signed, in inbox order; a failure is retried with the hub backoff and
 * holds back the documents after it (the same ordering as the outbox); after
 * WEBHOOK_ATTEMPTS it is parked, and the inbox API still serves everything.
 */
export class WebhookWorker {
  private stopReconciler?: () => void

  constructor(
    private readonly ctx: ServiceContext,
    private readonly repo: ReceiveRepository,
    private readonly queue: Queue,
    private readonly metrics: DocumentMetrics,
  ) {}

  async trigger(_documentId?: string): Promise<void> {
    if (!this.ctx.config.VDXP_WEBHOOK_URL) return
    await this.queue
      .add(
        'drain',
        {},
        { ...retryingJob(WEBHOOK_ATTEMPTS), jobId: `drain-${Math.floor(Date.now() / 1000)}`, removeOnComplete: true, removeOnFail: { age: 86_400 } },
      )
      .catch((e: unknown) => this.ctx.logger.warn({ err: { message: (e as Error).message } }, 'could not enqueue a webhook drain; the reconciler will retry'))
  }

  async process(_job: Job): Promise<number> {
    const cfg = this.ctx.config
    let delivered = 0
    for (;;) {
      const next = await this.repo.nextWebhook()
      if (!next || next.webhook_state === 'parked') return delivered
      const body = JSON.stringify({
        event: 'document.received',
        id: next.id,
        inboxSeq: Number(next.inbox_seq),
        agency: next.agency,
        from: next.peer,
        businessType: next.business_type,
        edxmlDocumentId: next.edxml_document_id,
        subject: next.subject,
        url: `/v1/documents/${next.id}`,
      })
      let error: string | undefined
      try {
        const res = await fetch(cfg.VDXP_WEBHOOK_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature': signWebhook(cfg.VDXP_WEBHOOK_SECRET, body) },
          body,
          signal: AbortSignal.any([this.ctx.shutdownSignal, AbortSignal.timeout(cfg.UPSTREAM_TIMEOUT_MS)]),
          redirect: 'manual',
        })
        await res.body?.cancel()
        if (res.status < 200 || res.status >= 300) error = `webhook answered HTTP ${res.status}`
      } catch (e) {
        error = `webhook unreachable: ${(e as Error).name}`
      }
      if (!error) {
        await this.repo.webhookDone(next.id, 'delivered', null)
        this.metrics.webhook.labels('delivered').inc()
        delivered++
        continue
      }
      if (next.webhook_attempts + 1 >= WEBHOOK_ATTEMPTS) {
        await this.repo.webhookDone(next.id, 'parked', error)
        this.metrics.webhook.labels('parked').inc()
        this.ctx.logger.warn({ documentId: next.id, reason: error }, 'webhook delivery parked')
        return delivered
      }
      await this.repo.webhookFailed(next.id, error)
      this.metrics.webhook.labels('retry').inc()
      throw new Error(error)
    }
  }

  start(): void {
    const cfg = this.ctx.config
    if (!cfg.VDXP_WEBHOOK_URL) return
    this.ctx.queues.startWorker(
      { name: QUEUES.documentWebhook, processor: (job) => this.process(job), retry: { baseMs: cfg.RETRY_BASE_MS, maxMs: cfg.RETRY_MAX_MS } },
      1,
    )
    this.stopReconciler = every(this.ctx, cfg.RECONCILE_INTERVAL_MS, 'document webhook reconciler', () => this.trigger())
  }

  stop(): void {
    this.stopReconciler?.()
  }
}
