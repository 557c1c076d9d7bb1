import { UnrecoverableError, type BackoffStrategy, type JobsOptions } from 'bullmq'
import { UpstreamError, isRetryable } from '../http/errors.js'

/**
 * The hub's one retry style for queue work: BullMQ's own `attempts` with the custom
 * backoff below. A job's processor throws; this strategy sees the error and decides:
 * permanent failures (the shared classifier `isRetryable` in http/errors.ts says no,
 * or UnrecoverableError) stop at once, transient ones wait an exponential, jittered
 * delay that a `Retry-After` from the national system can only lengthen. What to do
 * after the last attempt (e.g. park a dossier) stays a state in the database, decided
 * by the capability that owns the job.
 */
export const HUB_BACKOFF = 'hub'

export interface RetryPolicy {
  /** First retry delay; doubles each attempt. */
  baseMs: number
  /** Ceiling of any delay, `Retry-After` included. */
  maxMs: number
}

/**
 * Delay before retry `attempt` (1-based): exponential from `baseMs`, capped at `maxMs`,
 * with "equal jitter" (half fixed, half random) so a fleet of failed jobs does not
 * retry in lock-step. A `Retry-After` from the upstream is a floor.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  return Math.round(Math.min(maxMs, Math.max(jittered, retryAfterMs ?? 0)))
}

/**
 * Is this failure worth another attempt? Upstream errors by the shared classifier;
 * UnrecoverableError never; anything else (database blip, Redis reconnect, a bug) is
 * retried: the attempt limit bounds it and the capability records the last error.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof UnrecoverableError) return false
  if (err instanceof UpstreamError) return isRetryable(err)
  return true
}

/** The BullMQ `backoffStrategy` for a policy: -1 (no retry) for permanent errors. */
export function hubBackoffStrategy(policy: RetryPolicy, random: () => number = Math.random): BackoffStrategy {
  return (attemptsMade, _type, err) => {
    if (!isTransient(err)) return -1
    const retryAfter = err instanceof UpstreamError ? err.retryAfterMs : undefined
    return retryDelayMs(attemptsMade, policy.baseMs, policy.maxMs, retryAfter, random)
  }
}

/** Job options that retry through the hub backoff (the worker must be started with the same policy). */
export function retryingJob(attempts: number): Pick<JobsOptions, 'attempts' | 'backoff'> {
  return { attempts, backoff: { type: HUB_BACKOFF } }
}
