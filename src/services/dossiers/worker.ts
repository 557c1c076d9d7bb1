import { randomBytes } from 'node:crypto'
import type { Job, JobsOptions, Queue } from 'bullmq'
import type { DossierEvent, DossierUpsert } from '../../../schemas/v1/dossier.js'
import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { UpstreamError, isRetryable, toUpstreamError } from '../../http/errors.js'
import { isMappingError } from '../../mappings/shared/errors.js'
import { chunkSteps, toDongBoHoSoMC, toHoSo, toTienDo } from '../../mappings/dvcqg/to-dvcqg.js'
import type { TienDoStep } from '../../mappings/dvcqg/types.js'
import { isStatusOnlyProcedure, toDongBoTrangThaiHoSo } from '../../mappings/dvcqg/to-dvcqg-status.js'
import { QUEUES } from '../../queue/names.js'
import { retryDelayMs, retryingJob } from '../../queue/retry.js'
import { requireConnector, type ServiceContext } from '../context.js'
import type { DossierMetrics } from './metrics.js'
import type { DossierRepository, EventRow, FailedDelivery } from './repository.js'
import type { PortalExtrasSource } from '../digitisation/index.js'
import { annotateSpan, jobTraceContext } from '../../telemetry/tracing.js'

/** Job data holds a reference only: never citizen data in Redis. */
export interface DrainJob {
  dossierCode: string
  /** W3C trace context of the intake that enqueued the drain (tracing on): a trace id, never personal data. */
  traceparent?: string
}

/**
 * Attempts of one drain job before it gives up: a transient failure throws and BullMQ
 * retries with the hub backoff (RETRY_BASE_MS doubling, capped at RETRY_MAX_MS, Retry-After
 * honoured). A transient failure never parks a dossier: after the last attempt the
 * dossier stays active and the reconciler starts a new job once its retry time passed.
 */
export const DRAIN_ATTEMPTS = 20

/**
 * Drain jobs retry through the hub backoff; finished ones are removed so their ids can be
 * reused (a reconciler id must not be blocked by a failed job of the same id; every
 * attempt is in delivery_attempts).
 */
export const DRAIN_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, ...retryingJob(DRAIN_ATTEMPTS) } as const satisfies JobsOptions

/** At most this many consecutive step-only events travel in one delivery (one portal call). */
const MAX_GROUP = 10

export const drainJobId = (code: string, suffix: string) => `drain-${code}-${suffix}`

type GroupResult = { outcome: 'delivered'; releasedSeq?: number } | { outcome: 'parked' | 'lost_lease' } | { outcome: 'retry'; error: unknown }

/**
 * Delivery of dossier events to DVCQG. Each dossier drains in sequence, one worker at a
 * time (a lease in the database), stopping at the first failure. One drain job per
 * dossier from intake (deduplicated by id); a failed delivery throws so the same job
 * retries with the hub backoff, and events arriving meanwhile fold into it (the job
 * keeps its deduplication id until it finishes) and are delivered after the failed one.
 * A permanent rejection parks the dossier; the reconciler re-enqueues dossiers whose
 * job was lost (crash, flushed Redis, exhausted attempts).
 */
export class DossierWorker {
  private reconcileTimer?: NodeJS.Timeout

  constructor(
    private readonly ctx: ServiceContext,
    private readonly repo: DossierRepository,
    private readonly queue: Queue,
    private readonly metrics: DossierMetrics,
    /** Audit-derived databases, supplement requests and warehouse links of the dossier record. */
    private readonly extras?: PortalExtrasSource,
  ) {}

  // ---------------------------------------------------------------- triggers

  /**
   * The intake's trigger: one deduplicated drain job per dossier. While it waits (the
   * batching delay, or a retry's backoff), more events of the dossier add nothing; while
   * it runs, BullMQ keeps one follow-up job (`keepLastIfActive`), so an event committed
   * during a drain is never left without a job. Failure is not fatal: the reconciler
   * enqueues what was missed.
   */
  triggerIntake(dossierCode: string): Promise<void> {
    return this.enqueue(dossierCode, { delay: this.ctx.config.DOSSIER_BATCH_MS, deduplication: { id: `drain-${dossierCode}`, keepLastIfActive: true } })
  }

  /** Enqueues a drain of the dossier under its own id (continuations, replays). */
  trigger(dossierCode: string, suffix: string): Promise<void> {
    return this.enqueue(dossierCode, { jobId: drainJobId(dossierCode, suffix) })
  }

  private async enqueue(dossierCode: string, opts: JobsOptions): Promise<void> {
    try {
      await this.queue.add('drain', { dossierCode, ...jobTraceContext() } satisfies DrainJob, { ...opts, ...DRAIN_JOB_OPTIONS })
    } catch (e) {
      this.ctx.logger.warn({ dossierCode, err: { message: (e as Error).message } }, 'could not enqueue dossier drain; the reconciler will retry')
    }
  }

  // ---------------------------------------------------------------- delivery

  /**
   * The BullMQ processor: drains one dossier. Throws after a transient failure (lease
   * released, failure recorded) so BullMQ retries this job; a retry attempt is the
   * backoff itself, so it may take the lease before the recorded retry time.
   */
  async drain(job: Job<DrainJob>): Promise<string> {
    const code = job.data.dossierCode
    annotateSpan({ 'hub.dossier.code': code })
    const repo = this.repo
    const token = randomBytes(8).toString('hex')
    const lease = await repo.lease(code, token, this.ctx.config.DOSSIER_LEASE_MS, job.attemptsMade > 0)
    if (!lease) return 'skipped'
    let portalKnown = lease.portalKnown
    let delivered = lease.deliveredSeq
    let buffer = lease.events
    let outcome = 'drained'
    let failure: unknown
    let released: { pending: boolean; last_seq: number } | undefined
    try {
      for (;;) {
        if (this.ctx.shutdownSignal.aborted) {
          outcome = 'interrupted'
          break
        }
        if (buffer.length === 0) {
          // Done unless something is pending: release in the same statement that checks.
          const lastSeq = await repo.releaseIfDrained(code, token)
          if (lastSeq !== undefined) {
            released = { pending: false, last_seq: lastSeq }
            break
          }
          const read = await repo.readAfter(code, delivered)
          buffer = read.events
          if (buffer.length === 0) {
            const lastSeq = read.lastSeq ?? delivered
            if (lastSeq > delivered) {
              // Sequence numbers without an event (a concurrent duplicate's bump): close the
              // gap only if no event arrived since the read (last_seq unchanged).
              if (!(await repo.closeGap(code, token, lastSeq))) {
                if (!(await repo.holdsLease(code, token))) {
                  outcome = 'lost_lease'
                  break
                }
                continue // an event arrived meanwhile: read again
              }
              delivered = lastSeq
              continue
            }
            outcome = 'lost_lease' // delivered_seq >= last_seq yet the release failed: not ours any more
            break
          }
        }
        // Consecutive step-only events travel together (≤ 10 steps a call, order kept).
        const group = [buffer[0]!]
        if (!group[0]!.payload.dossier) {
          for (const r of buffer.slice(1)) {
            if (r.payload.dossier || group.length >= MAX_GROUP) break
            group.push(r)
          }
        }
        const result = await this.deliverGroup(code, group, portalKnown, token, job.attemptsMade + 1)
        if (result.outcome === 'retry') failure = result.error
        if (result.outcome !== 'delivered') {
          outcome = result.outcome
          break
        }
        portalKnown = portalKnown || group.some((g) => g.payload.dossier)
        delivered = group[group.length - 1]!.seq
        buffer = buffer.slice(group.length)
        if (result.releasedSeq !== undefined) {
          // That was the dossier's last event: the delivery statement released the lease.
          released = { pending: false, last_seq: result.releasedSeq }
          break
        }
      }
    } finally {
      // The release waits for any intake holding the row, so it sees every event committed meanwhile.
      if (!released) released = await repo.release(code, token)
    }
    if ((outcome === 'drained' || outcome === 'interrupted') && released?.pending) {
      // Events committed while we held the lease were not enqueued: pick them up.
      await this.trigger(code, `c${released.last_seq}-${token}`)
    }
    // BullMQ retries this job after the hub backoff (Retry-After honoured); events that
    // arrive meanwhile wait behind the failed one, since every drain starts at delivered_seq.
    annotateSpan({ 'hub.drain.outcome': outcome, 'hub.drain.delivered_seq': delivered })
    if (outcome === 'retry') throw failure
    return outcome
  }

  private async deliverGroup(code: string, group: EventRow[], portalKnown: boolean, token: string, attempt: number): Promise<GroupResult> {
    const statusMap = this.ctx.maps.status
    const first = group[0]!
    const started = performance.now()
    let operation = first.payload.dossier ? 'DongBoHoSoMC' : 'CapNhatTienDoHoSoMC'
    try {
      const dvcqg = requireConnector<DvcqgApi>(this.ctx.connectors, 'dvcqg')
      const signal = this.ctx.shutdownSignal
      if (first.payload.dossier) {
        if (first.parts_done < 1) {
          const { status, occurredAt } = first.payload
          if (this.statusOnly(first, portalKnown) && status !== undefined && occurredAt !== undefined) {
            operation = 'DongBoTrangThaiHoSo'
            await dvcqg.syncStatus(toDongBoTrangThaiHoSo(code, status, occurredAt, statusMap), signal)
          } else {
            const extras = await this.extras?.portalExtras(code, first.seq)
            const hoso = toHoSo(first.payload.dossier as DossierUpsert, { statusMap, procedureCodeMap: this.ctx.maps.procedureCodes, extras })
            await dvcqg.syncDossier(toDongBoHoSoMC(hoso, portalKnown), signal)
          }
          if (first.payload.step) {
            // Remember the half already delivered, so a failed step does not resend the dossier.
            await this.repo.markDossierPartDone(code, first.seq, token)
            first.parts_done = 1
          }
        }
        if (first.payload.step) {
          operation = 'CapNhatTienDoHoSoMC'
          const step = toTienDo(code, first.payload as DossierEvent, { statusMap, currentStatus: first.payload.status })
          await dvcqg.updateProgress({ data: [step] }, signal)
        }
      } else {
        const steps: TienDoStep[] = group.map((g) => toTienDo(code, g.payload as DossierEvent, { statusMap, currentStatus: g.payload.status }))
        for (const chunk of chunkSteps(steps)) await dvcqg.updateProgress(chunk, signal)
      }
    } catch (e) {
      return this.onFailure(code, group, operation, e, Math.round(performance.now() - started), token, attempt)
    }
    const latencyMs = Math.round(performance.now() - started)
    const { ok, releasedSeq } = await this.repo.deliveredOrReleased({
      code,
      token,
      seqs: group.map((g) => g.seq),
      portalKnown: Boolean(first.payload.dossier),
      leaseMs: this.ctx.config.DOSSIER_LEASE_MS,
      operation,
      latencyMs,
    })
    if (!ok) return { outcome: 'lost_lease' }
    this.metrics.delivered.inc(group.length)
    const now = Date.now()
    for (const g of group) this.metrics.latency.observe((now - new Date(g.accepted_at).getTime()) / 1000)
    return { outcome: 'delivered', releasedSeq }
  }

  /**
   * A plain status change (no step, no supplement) of a dossier the portal knows, whose
   * national procedure is configured as status-only (DVCQG_STATUS_ONLY_PROCEDURES).
   */
  private statusOnly(row: EventRow, portalKnown: boolean): boolean {
    const { dossier, step, supplement } = row.payload
    if (row.kind !== 'event' || !portalKnown || !dossier || step || supplement) return false
    const map = this.ctx.maps.procedureCodes
    const national =
      map !== undefined && Object.hasOwn(map, dossier.procedureCode) ? (map[dossier.procedureCode] ?? dossier.procedureCode) : dossier.procedureCode
    return isStatusOnlyProcedure(this.ctx.config.DVCQG_STATUS_ONLY_PROCEDURES, national)
  }

  /** Transient → recorded, then retried by BullMQ; permanent (rejection, mapping) → the dossier is parked. */
  private async onFailure(
    code: string,
    group: EventRow[],
    operation: string,
    e: unknown,
    latencyMs: number,
    token: string,
    attempt: number,
  ): Promise<GroupResult> {
    const cfg = this.ctx.config
    const err = isMappingError(e) ? e : toUpstreamError('dvcqg', e)
    const retryable = !isMappingError(err) && isRetryable(err)
    const kind = isMappingError(err) ? 'mapping' : err.kind
    const status = err instanceof UpstreamError ? err.status : undefined
    this.metrics.failed.labels(kind === 'http' ? `http_${status}` : kind).inc()
    const failed: FailedDelivery = { code, seqs: group.map((g) => g.seq), operation, status, kind, message: err.message.slice(0, 1000), latencyMs }
    if (retryable) {
      // The latest moment BullMQ's backoff can retry this attempt (its jitter at most): until
      // then the reconciler and other jobs leave the dossier alone.
      const retryAfter = err instanceof UpstreamError ? err.retryAfterMs : undefined
      const holdMs = retryDelayMs(attempt, cfg.RETRY_BASE_MS, cfg.RETRY_MAX_MS, retryAfter, () => 1)
      await this.repo.recordRetry(failed, token, holdMs)
      return { outcome: 'retry', error: err }
    }
    await this.repo.park(failed)
    this.metrics.parked.inc()
    this.ctx.logger.warn({ dossierCode: code, seq: failed.seqs[0], reason: failed.message }, 'dossier parked after a permanent rejection')
    return { outcome: 'parked' }
  }

  // ---------------------------------------------------------------- reconciler

  /** Re-enqueues dossiers with undelivered events whose job was lost (crash, flushed Redis, attempts exhausted). */
  async reconcile(): Promise<number> {
    const rows = await this.repo.stalled(this.ctx.config.RECONCILE_GRACE_MS)
    if (rows.length === 0) return 0
    await this.queue.addBulk(
      rows.map((r) => ({
        name: 'drain',
        data: { dossierCode: r.code } satisfies DrainJob,
        opts: { jobId: drainJobId(r.code, `r${r.last_seq}`), ...DRAIN_JOB_OPTIONS },
      })),
    )
    return rows.length
  }

  start(): void {
    const cfg = this.ctx.config
    this.ctx.queues.startWorker(
      { name: QUEUES.dossierSync, processor: (job) => this.drain(job as Job<DrainJob>), retry: { baseMs: cfg.RETRY_BASE_MS, maxMs: cfg.RETRY_MAX_MS } },
      cfg.WORKER_CONCURRENCY,
    )
    const tick = async () => {
      try {
        const n = await this.reconcile()
        if (n) this.ctx.logger.info({ dossiers: n }, 'reconciler re-enqueued dossiers with undelivered events')
      } catch (e) {
        this.ctx.logger.warn({ err: { message: (e as Error).message } }, 'reconciler pass failed')
      }
    }
    this.reconcileTimer = setInterval(() => void tick(), cfg.RECONCILE_INTERVAL_MS)
    this.reconcileTimer.unref()
  }

  stop(): void {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer)
  }
}
