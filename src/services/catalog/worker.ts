import { randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { Counter, type Registry } from 'prom-client'
import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq'
import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { HubError } from '../../errors.js'
import { sleep } from '../../lib/time.js'
import { QUEUES } from '../../queue/names.js'
import { databaseInstanceTag } from '../../store/instance.js'
import { isTransient, retryingJob, type RetryPolicy } from '../../queue/retry.js'
import { requireConnector, type ServiceContext } from '../context.js'
import type { CatalogRepository } from './repository.js'
import type { RunProgress } from './types.js'

/** Job data of the run coordinator (`catalog-sync` queue): references only. */
export interface CatalogRunJob {
  trigger: string
  /** Set once the coordinator has created or attached to a run. */
  runId?: number
}

/** Job data of one procedure fetch (`catalog-fetch` queue). */
export interface CatalogFetchJob {
  runId: number
  code: string
}

function metrics(registry: Registry) {
  return {
    fetches: new Counter({
      name: 'lgsp_hub_catalog_fetch_total',
      help: 'Catalog sync: LayThuTuc fetches by outcome (added, changed, unchanged, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    runs: new Counter({
      name: 'lgsp_hub_catalog_runs_total',
      help: 'Catalog sync runs finished, by final state',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
  }
}

/** Is this failed attempt the job's last (a permanent error, or no attempt left)? */
const isFinalAttempt = (job: Job, err: unknown) => !isTransient(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
const message = (e: unknown) => (e as Error).message

/**
 * Queue work of the national catalog sync (issue 5).
 *
 * Shape of a run: one coordinator job (`catalog-sync`) lists the procedures
 * (`LayDanhSachTTHC`) into `catalog_run_items`, then enqueues one fetch job per
 * procedure on `catalog-fetch` and watches the items until none is pending, then
 * records withdrawals and closes the run. Why child jobs rather than batches inside
 * the run job: the per-upstream rate limit is BullMQ's worker `limiter`, kept in Redis
 * and so shared by every worker process; per-procedure retries are BullMQ attempts
 * with the hub backoff (src/queue/retry.ts; the only retry layer on this path: the
 * fetch asks the transport for no read retries); fetches spread over all workers; and
 * after a crash the waiting jobs are still in Redis while the in-flight ones come back
 * as stalled. The items table is the truth: a fetch job whose item is no longer
 * pending does nothing, so a resumed run fetches no procedure twice needlessly and
 * skips none. Permanent errors stop at once (the backoff strategy returns -1); what
 * follows the last attempt is a state in the database (item or run `failed`).
 *
 * One run at a time: a partial unique index admits one pending/running run, and the
 * coordinator holds a lease on it (renewed at each checkpoint); a coordinator that
 * finds the lease live steps aside, one that finds it expired takes the run over.
 */
export class CatalogWorker {
  private readonly runQueue: Queue
  private readonly fetchQueue: Queue
  private readonly m: ReturnType<typeof metrics>
  private probeTimer?: NodeJS.Timeout
  private tag?: Promise<string>

  constructor(
    private readonly ctx: ServiceContext,
    private readonly repo: CatalogRepository,
  ) {
    this.runQueue = ctx.queues.queue(QUEUES.catalogSync)
    this.fetchQueue = ctx.queues.queue(QUEUES.catalogFetch)
    this.m = metrics(ctx.metrics.registry)
    // Every in-flight fetch listens on the shutdown signal (axios aborts on it).
    setMaxListeners(Math.max(64, ctx.config.CATALOG_CONCURRENCY * 4), ctx.shutdownSignal)
  }

  /** The connector; a hub without it cannot sync, and retrying will not change that. */
  private get dvcqg(): DvcqgApi {
    try {
      return requireConnector<DvcqgApi>(this.ctx.connectors, 'dvcqg')
    } catch (e) {
      if (e instanceof HubError) throw new UnrecoverableError(e.message)
      throw e
    }
  }

  private get retry(): RetryPolicy {
    return { baseMs: this.ctx.config.CATALOG_RETRY_BASE_MS, maxMs: this.ctx.config.RETRY_MAX_MS }
  }

  private get jobOptions(): JobsOptions {
    return { ...retryingJob(this.ctx.config.CATALOG_FETCH_ATTEMPTS), removeOnComplete: true, removeOnFail: { age: 86_400 } }
  }

  /**
   * Job ids name the run by this database's instance tag and its serial id: a database
   * wiped or restored starts its serials again, and its run 1 must not meet the `run-1`
   * an earlier database left in Redis (the add would be a no-op and the run would wait
   * for the orphan probe).
   */
  private instanceTag(): Promise<string> {
    this.tag ??= databaseInstanceTag(this.ctx.db).catch((e: unknown) => {
      this.tag = undefined
      throw e
    })
    return this.tag
  }

  /** The coordinator job of a run; the job id makes a second enqueue of the same run a no-op. */
  async enqueueRun(runId: number, trigger: string, suffix?: string): Promise<void> {
    const jobId = `run-${await this.instanceTag()}-${runId}${suffix ? `-${suffix}` : ''}`
    await this.runQueue.add('run', { trigger, runId } satisfies CatalogRunJob, { jobId, ...this.jobOptions, removeOnComplete: { age: 3600 } })
  }

  // ---------------------------------------------------------------- coordinator

  /** The `catalog-sync` processor: creates or resumes the run and drives it to its end. */
  async coordinate(job: Job<CatalogRunJob>): Promise<string> {
    const cfg = this.ctx.config
    let runId = job.data.runId
    if (runId === undefined) {
      runId = (await this.repo.createOrAttachRun(job.data.trigger)).runId
      await job.updateData({ ...job.data, runId })
    }
    const owner = randomBytes(8).toString('hex')
    let progress = await this.repo.takeLease(runId, owner, cfg.CATALOG_LOCK_MS)
    if (!progress) return 'not-active-or-locked'
    const log = this.ctx.logger.child({ catalogRun: runId })
    try {
      if (progress.phase !== 'fetch') {
        await job.updateProgress({ phase: 'list' })
        progress = await this.listPhase(runId)
        log.info({ total: progress.total }, 'catalog run listed procedures')
      }
      await this.enqueueFetches(runId)
      for (;;) {
        if (this.ctx.shutdownSignal.aborted) {
          await this.repo.releaseLease(runId, owner)
          return 'interrupted'
        }
        const p = await this.repo.checkpoint(runId, owner, cfg.CATALOG_LOCK_MS)
        if (!p) return 'lost-lease'
        await job.updateProgress({ ...p })
        if (p.done! + p.failed! >= p.total!) break
        await sleep(cfg.CATALOG_POLL_MS, this.ctx.shutdownSignal)
      }
      const run = await this.repo.finishRun(runId, owner)
      if (run) this.m.runs.labels('completed').inc()
      log.info({ counts: run?.counts }, 'catalog run completed')
      await job.updateProgress({ phase: 'done', ...run?.progress })
      return 'completed'
    } catch (e) {
      if (isFinalAttempt(job, e)) {
        await this.repo.failRun(runId, owner, message(e))
        this.m.runs.labels('failed').inc()
        log.warn({ err: { message: message(e) } }, 'catalog run failed')
      } else {
        await this.repo.releaseLease(runId, owner)
      }
      throw e // the hub backoff retries a transient failure, stops on a permanent one
    }
  }

  /** Agencies, fields, then the procedure list written into the run's items. */
  private async listPhase(runId: number): Promise<RunProgress> {
    const signal = this.ctx.shutdownSignal
    const dvcqg = this.dvcqg
    const agencies = await dvcqg.agencies(signal)
    const fields = await dvcqg.fields(signal)
    const list = await dvcqg.listProcedureCodes(undefined, signal)
    return this.repo.storeListing(
      runId,
      agencies,
      fields,
      list.map((p) => p.code),
    )
  }

  /** One fetch job per pending item; job ids dedupe against jobs still in Redis. */
  private async enqueueFetches(runId: number): Promise<void> {
    const codes = await this.repo.pendingCodes(runId)
    const opts = this.jobOptions
    const tag = await this.instanceTag()
    for (let i = 0; i < codes.length; i += 500) {
      await this.fetchQueue.addBulk(
        codes
          .slice(i, i + 500)
          .map((code) => ({ name: 'fetch', data: { runId, code } satisfies CatalogFetchJob, opts: { ...opts, jobId: `fetch-${tag}-${runId}-${code}` } })),
      )
    }
  }

  /** The `catalog-fetch` processor: fetch one procedure and store what changed. */
  async fetchOne(job: Job<CatalogFetchJob>): Promise<string> {
    const { runId, code } = job.data
    // Already fetched (a redelivered job) or its run has ended (failed): no upstream call.
    if (!(await this.repo.isFetchable(runId, code))) return 'skipped'
    try {
      const procedure = await this.dvcqg.procedure(code, this.ctx.shutdownSignal)
      const outcome = await this.repo.applyProcedure(runId, code, procedure)
      this.m.fetches.labels(outcome).inc()
      return outcome
    } catch (e) {
      const final = isFinalAttempt(job, e)
      await this.repo.recordFetchFailure(runId, code, message(e), final)
      this.m.fetches.labels(final ? 'failed' : 'retry').inc()
      throw e // the hub backoff retries a transient failure, stops on a permanent one
    }
  }

  // ---------------------------------------------------------------- workers

  async startWorkers(): Promise<void> {
    const cfg = this.ctx.config
    // Short locks let another worker take over a crashed one's jobs quickly.
    const lock = { lockDuration: cfg.CATALOG_LOCK_MS, stalledInterval: cfg.CATALOG_LOCK_MS, maxStalledCount: 20 }
    // Two slots: while one coordinator drives a run, a second trigger (schedule, resume)
    // is taken at once and steps aside on the live lease instead of queueing a rerun.
    this.ctx.queues.startWorker(
      { name: QUEUES.catalogSync, processor: (job) => this.coordinate(job as Job<CatalogRunJob>), options: lock, retry: this.retry },
      2,
    )
    this.ctx.queues.startWorker(
      {
        name: QUEUES.catalogFetch,
        processor: (job) => this.fetchOne(job as Job<CatalogFetchJob>),
        // The per-upstream rate limit lives in Redis: it holds across every worker process.
        options: { ...lock, limiter: { max: cfg.CATALOG_RATE_PER_SEC, duration: 1000 } },
        retry: this.retry,
      },
      cfg.CATALOG_CONCURRENCY,
    )
    if (cfg.CATALOG_SYNC_CRON.trim()) {
      const template = { name: 'run', data: { trigger: 'schedule' } satisfies CatalogRunJob, opts: { ...this.jobOptions, removeOnComplete: { age: 3600 } } }
      await this.runQueue.upsertJobScheduler('catalog-scheduled', { pattern: cfg.CATALOG_SYNC_CRON }, template)
    } else {
      await this.runQueue.removeJobScheduler('catalog-scheduled')
    }
    const probe = async () => {
      try {
        await this.resumeOrphans()
      } catch (e) {
        this.ctx.logger.warn({ err: { message: message(e) } }, 'catalog run probe failed')
      }
    }
    await probe()
    this.probeTimer = setInterval(() => void probe(), cfg.CATALOG_LOCK_MS)
    this.probeTimer.unref()
  }

  /** A run nobody coordinates (its process died, or Redis lost the job) gets a coordinator again. */
  async resumeOrphans(): Promise<number | undefined> {
    const lockMs = this.ctx.config.CATALOG_LOCK_MS
    const id = await this.repo.orphanRunId(lockMs)
    if (id === undefined) return undefined
    await this.enqueueRun(id, 'resume', `resume-${Math.floor(Date.now() / lockMs)}`)
    this.ctx.logger.info({ catalogRun: id }, 'catalog run without a live coordinator: resuming it')
    return id
  }

  async stop(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer)
  }
}
