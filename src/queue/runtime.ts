import { Queue, Worker, type Processor, type WorkerOptions, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from '../log.js'
import { closeRedis, createRedis, type RedisTarget } from './redis.js'
import type { QueueName } from './names.js'
import { hubBackoffStrategy, type RetryPolicy } from './retry.js'
import { tracedProcessor } from '../telemetry/jobs.js'

/** Finished jobs are trimmed so Redis does not grow without bound. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
}

export interface ProcessorSpec {
  name: QueueName
  processor: Processor
  options?: Partial<Omit<WorkerOptions, 'connection' | 'prefix'>>
  /** Backoff of jobs added with `retryingJob(n)` (src/queue/retry.ts): the hub's one retry style. */
  retry?: RetryPolicy
}

/**
 * Owns the hub's BullMQ objects: one producer connection shared by all queues,
 * one blocking connection per worker (BullMQ duplicates it), and orderly closing.
 */
export class QueueRuntime {
  readonly producer: Redis
  private readonly queues = new Map<QueueName, Queue>()
  private readonly workers: Worker[] = []
  private workerConnection?: Redis

  constructor(
    /** Where Redis is (`redisTarget(config)`: one server or sentinels), or a plain URL. */
    readonly target: RedisTarget | string,
    readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.producer = createRedis(target, 'producer', log)
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name)
    if (!q) {
      q = new Queue(name, { connection: this.producer, prefix: this.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS })
      q.on('error', (err) => this.log.warn({ err: { message: err.message }, queue: name }, 'queue error'))
      this.queues.set(name, q)
    }
    return q
  }

  allQueues(): Queue[] {
    return [...this.queues.values()]
  }

  startWorker(spec: ProcessorSpec, concurrency: number): Worker {
    this.workerConnection ??= createRedis(this.target, 'worker', this.log)
    // Each job in a span, a child of the one that enqueued it (tracing on only).
    const worker = new Worker(spec.name, tracedProcessor(spec.name, spec.processor), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency,
      autorun: true,
      ...spec.options,
      ...(spec.retry ? { settings: { ...spec.options?.settings, backoffStrategy: hubBackoffStrategy(spec.retry) } } : {}),
    })
    worker.on('error', (err) => this.log.warn({ err: { message: err.message }, queue: spec.name }, 'worker error'))
    worker.on('failed', (job, err) => this.log.debug({ queue: spec.name, jobId: job?.id, err: { message: err.message } }, 'job attempt failed'))
    this.workers.push(worker)
    return worker
  }

  /** The started workers and whether each is taking jobs (the worker role's /health/ready). */
  workerStates(): { queue: string; running: boolean }[] {
    return this.workers.map((w) => ({ queue: w.name, running: w.isRunning() && !w.closing }))
  }

  /** Stop taking jobs and wait for active ones (processors watch the shutdown signal). */
  async closeWorkers(): Promise<void> {
    // A worker closed while still connecting leaves ioredis rejections behind: let it connect first.
    await Promise.all(this.workers.map((w) => w.waitUntilReady().catch(() => undefined)))
    await Promise.all(this.workers.map((w) => w.close()))
    this.workers.length = 0
    if (this.workerConnection) await closeRedis(this.workerConnection)
    this.workerConnection = undefined
  }

  async close(): Promise<void> {
    await this.closeWorkers()
    await Promise.all([...this.queues.values()].map((q) => q.close()))
    this.queues.clear()
    await closeRedis(this.producer)
  }
}
