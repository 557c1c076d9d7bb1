import type { Job, JobsOptions, Queue } from 'bullmq'
import { QUEUES } from '../../../queue/names.js'
import { retryingJob } from '../../../queue/retry.js'
import type { ServiceContext } from '../../context.js'

/** Job data of the `portal-check` queue: nothing but who asked. */
export interface PortalCheckJob {
  trigger: 'schedule' | 'operator'
}

const SCHEDULER = 'portal-check-scheduled'
const JOB_OPTIONS: JobsOptions = {
  ...retryingJob(2),
  removeOnComplete: { age: 86_400 },
  removeOnFail: { age: 7 * 86_400 },
}

/**
 * The spot-check's schedule: one BullMQ job scheduler (PORTAL_CHECK_CRON in REPORTS_TZ) on the
 * `portal-check` queue; each tick is one run, taken by one worker process.
 */
export class PortalCheckWorker {
  readonly queue: Queue

  constructor(
    private readonly ctx: ServiceContext,
    private readonly run: (trigger: string) => Promise<unknown>,
  ) {
    this.queue = ctx.queues.queue(QUEUES.portalCheck)
  }

  /** An operator's "check now"; while one is waiting, a second request is the same job. */
  async request(): Promise<string> {
    const job = await this.queue.add('check', { trigger: 'operator' } satisfies PortalCheckJob, {
      ...JOB_OPTIONS,
      jobId: 'portal-check-operator',
      removeOnComplete: true,
      removeOnFail: true,
    })
    return job.id ?? 'portal-check-operator'
  }

  async start(): Promise<void> {
    this.ctx.queues.startWorker(
      {
        name: QUEUES.portalCheck,
        retry: { baseMs: 30_000, maxMs: this.ctx.config.RETRY_MAX_MS },
        processor: (job) => this.run((job as Job<PortalCheckJob>).data.trigger),
      },
      1,
    )
    const pattern = this.ctx.config.PORTAL_CHECK_CRON.trim()
    if (pattern) {
      const template = { name: 'scheduled', data: { trigger: 'schedule' } satisfies PortalCheckJob, opts: JOB_OPTIONS }
      await this.queue.upsertJobScheduler(SCHEDULER, { pattern, tz: this.ctx.config.REPORTS_TZ }, template)
    } else {
      await this.queue.removeJobScheduler(SCHEDULER)
    }
  }
}
