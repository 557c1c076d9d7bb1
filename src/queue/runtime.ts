import { Queue, Worker, type Processor, type WorkerOptions, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from '../log.js'
import { createRedis } from './redis.js'
import type { QueueName } from './names.js'

/** Finished jobs are trimmed so Redis does not grow without bound. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
}

export interface ProcessorSpec {
  name: QueueName
  processor: Processor
  options?: Partial<Omit<WorkerOptions, 'connection' | 'prefix'>>
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
    readonly url: string,
    readonly prefix: string,
    private readonly log: Logger,
  ) {
    this.producer = createRedis(url, 'producer', log)
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
    this.workerConnection ??= createRedis(this.url, 'worker', this.log)
    const worker = new Worker(spec.name, spec.processor, {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency,
      autorun: true,
      ...spec.options,
    })
    worker.on('error', (err) => this.log.warn({ err: { message: err.message }, queue: spec.name }, 'worker error'))
    worker.on('failed', (job, err) =>
      this.log.debug({ queue: spec.name, jobId: job?.id, err: { message: err.message } }, 'job attempt failed'),
    )
    this.workers.push(worker)
    return worker
  }

  /** Stop taking jobs and wait for active ones (processors watch the shutdown signal). */
  async closeWorkers(): Promise<void> {
    // A worker closed while still connecting leaves ioredis rejections behind: let it connect first.
    await Promise.all(this.workers.map((w) => w.waitUntilReady().catch(() => undefined)))
    await Promise.all(this.workers.map((w) => w.close()))
    this.workers.length = 0
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect())
    this.workerConnection = undefined
  }

  async close(): Promise<void> {
    await this.closeWorkers()
    await Promise.all([...this.queues.values()].map((q) => q.close()))
    this.queues.clear()
    await this.producer.quit().catch(() => this.producer.disconnect())
  }
}
