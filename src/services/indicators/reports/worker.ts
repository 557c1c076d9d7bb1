import { randomBytes } from 'node:crypto'
import { UnrecoverableError, type Job, type JobsOptions, type Queue } from 'bullmq'
import { QUEUES } from '../../../queue/names.js'
import { retryingJob } from '../../../queue/retry.js'
import type { ServiceContext } from '../../context.js'
import { parsePeriod, previousPeriod, type Period, type PeriodKind } from './period.js'

/** Job data of the `indicator-reports` queue: references only. */
export interface ReportJob {
  /** An operator's request names the period; a scheduled run names the kind and reports on the one just ended. */
  period?: string
  kind?: PeriodKind
  /** One agency; absent: the province and every agency of REPORTS_AGENCIES. */
  agency?: string
  trigger: 'schedule' | 'operator'
}

/** What a run generates: one (period, agency) pair per report, both formats each. */
export type Generate = (period: Period, agency: string | null, trigger: string) => Promise<unknown>

const SCHEDULERS: Record<PeriodKind, string> = { month: 'reports-monthly', quarter: 'reports-quarterly' }
const JOB_OPTIONS: JobsOptions = {
  ...retryingJob(3),
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 7 * 86_400 },
}

/**
 * The report schedule: two BullMQ job schedulers (REPORTS_MONTHLY_CRON, REPORTS_QUARTERLY_CRON, in
 * REPORTS_TZ) on the `indicator-reports` queue, so whichever worker process is up runs each tick
 * once. A tick reports on the period before the one its scheduled time falls in (a run on
 * 1 December 01:00 reports on November). Generating the same period again replaces its files.
 */
export class ReportWorker {
  readonly queue: Queue

  constructor(
    private readonly ctx: ServiceContext,
    private readonly generate: Generate,
  ) {
    this.queue = ctx.queues.queue(QUEUES.indicatorReports)
  }

  /** The agencies a run without a named agency covers: the province (null), then the configured ones. */
  private agencies(job: ReportJob): (string | null)[] {
    if (job.agency) return [job.agency]
    const listed = this.ctx.config.REPORTS_AGENCIES.split(',').map((a) => a.trim())
    return [null, ...new Set(listed.filter(Boolean))]
  }

  /** The period a job reports on; a scheduled job's is taken from the time it was due, not when it ran. */
  periodOf(job: Job<ReportJob>): Period {
    if (job.data.period) {
      const p = parsePeriod(job.data.period)
      if (!p) throw new UnrecoverableError(`unknown report period ${job.data.period}`)
      return p
    }
    if (!job.data.kind) throw new UnrecoverableError('a report job names a period or a kind')
    const dueAt = new Date(job.timestamp + (job.opts.delay ?? 0))
    return previousPeriod(job.data.kind, dueAt, this.ctx.config.REPORTS_TZ)
  }

  async process(job: Job<ReportJob>): Promise<{ period: string; reports: number }> {
    const period = this.periodOf(job)
    const agencies = this.agencies(job.data)
    for (const agency of agencies) {
      if (this.ctx.shutdownSignal.aborted) throw new Error('shutting down') // retried: a replaced file is harmless
      await this.generate(period, agency, job.data.trigger)
    }
    this.ctx.logger.info({ period: period.id, agencies: agencies.length }, 'indicator reports generated')
    return { period: period.id, reports: agencies.length }
  }

  /** An operator's request: always a new job (a generation started earlier may have read older numbers). */
  async request(period: Period, agency: string | undefined): Promise<string> {
    const jobId = `report-${period.id}-${agency ?? 'all'}-${Date.now()}-${randomBytes(3).toString('hex')}`
    const job = await this.queue.add('generate', { period: period.id, trigger: 'operator', ...(agency ? { agency } : {}) } satisfies ReportJob, {
      ...JOB_OPTIONS,
      jobId,
      removeOnComplete: true,
      removeOnFail: true,
    })
    return job.id ?? jobId
  }

  async start(): Promise<void> {
    const cfg = this.ctx.config
    this.ctx.queues.startWorker(
      {
        name: QUEUES.indicatorReports,
        retry: { baseMs: 30_000, maxMs: this.ctx.config.RETRY_MAX_MS },
        processor: (job) => this.process(job as Job<ReportJob>),
      },
      1,
    )
    const crons: [PeriodKind, string][] = [
      ['month', cfg.REPORTS_MONTHLY_CRON.trim()],
      ['quarter', cfg.REPORTS_QUARTERLY_CRON.trim()],
    ]
    for (const [kind, pattern] of crons) {
      if (pattern) {
        const template = { name: `scheduled-${kind}`, data: { kind, trigger: 'schedule' } satisfies ReportJob, opts: JOB_OPTIONS }
        await this.queue.upsertJobScheduler(SCHEDULERS[kind], { pattern, tz: cfg.REPORTS_TZ }, template)
      } else {
        await this.queue.removeJobScheduler(SCHEDULERS[kind])
      }
    }
  }
}
