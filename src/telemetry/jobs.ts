import { SpanKind } from '@opentelemetry/api'
import type { Job, Processor } from 'bullmq'
import { contextFromTraceparent, inSpan, tracingEnabled } from './tracing.js'

/**
 * Wraps a queue processor so each job runs inside a consumer span, a child of the span
 * that enqueued it when the job data carries its `traceparent` (see jobTraceContext),
 * and active while the processor calls national systems. Tracing off: the processor itself.
 */
export function tracedProcessor(queue: string, processor: Processor): Processor {
  if (!tracingEnabled()) return processor
  return (job: Job, token?: string, signal?: AbortSignal) =>
    inSpan(
      `${queue} ${job.name}`,
      SpanKind.CONSUMER,
      {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
        'messaging.message.id': job.id ?? '',
        'hub.job.attempt': job.attemptsMade + 1,
      },
      () => processor(job, token, signal),
      contextFromTraceparent((job.data as { traceparent?: unknown } | undefined)?.traceparent),
    )
}
