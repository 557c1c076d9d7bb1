import { describe, expect, it } from 'vitest'
import { UnrecoverableError } from 'bullmq'
import { HUB_BACKOFF, hubBackoffStrategy, retryDelayMs } from '../../src/queue/retry.js'
import { DRAIN_ATTEMPTS, DRAIN_JOB_OPTIONS } from '../../src/services/dossiers/worker.js'
import { isRetryable, parseRetryAfter, UpstreamError } from '../../src/http/errors.js'

describe('retry policy', () => {
  it('grows exponentially with jitter between half and the full step, capped', () => {
    expect(retryDelayMs(1, 1000, 60_000, undefined, () => 0)).toBe(500)
    expect(retryDelayMs(1, 1000, 60_000, undefined, () => 1)).toBe(1000)
    expect(retryDelayMs(4, 1000, 60_000, undefined, () => 1)).toBe(8000)
    expect(retryDelayMs(30, 1000, 60_000, undefined, () => 1)).toBe(60_000)
  })

  it('honours Retry-After as a floor, within the cap', () => {
    expect(retryDelayMs(1, 100, 60_000, 5000, () => 0)).toBe(5000)
    expect(retryDelayMs(1, 100, 3000, 5000, () => 0)).toBe(3000)
  })

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })

  it('tells transient from permanent failures in one place', () => {
    const e = (kind: ConstructorParameters<typeof UpstreamError>[1], status?: number) => new UpstreamError('dvcqg', kind, 'x', { status })
    expect(isRetryable(e('timeout'))).toBe(true)
    expect(isRetryable(e('network'))).toBe(true)
    expect(isRetryable(e('http', 503))).toBe(true)
    expect(isRetryable(e('http', 429))).toBe(true)
    expect(isRetryable(e('malformed'))).toBe(true)
    expect(isRetryable(e('http', 400))).toBe(false)
    expect(isRetryable(e('rejected'))).toBe(false)
    expect(isRetryable(e('auth'))).toBe(false)
    expect(isRetryable(new Error('mapping'))).toBe(false)
  })

  it('the BullMQ strategy retries transient failures on that curve and stops at once for permanent ones', () => {
    const strategy = hubBackoffStrategy({ baseMs: 1000, maxMs: 60_000 }, () => 1)
    const e = (kind: ConstructorParameters<typeof UpstreamError>[1], status?: number, retryAfterMs?: number) =>
      new UpstreamError('dvcqg', kind, 'x', { status, retryAfterMs })
    expect(strategy(1, HUB_BACKOFF, e('http', 503))).toBe(1000)
    expect(strategy(3, HUB_BACKOFF, e('timeout'))).toBe(4000)
    expect(strategy(1, HUB_BACKOFF, e('http', 429, 7000))).toBe(7000)
    expect(strategy(1, HUB_BACKOFF, new Error('database blip'))).toBe(1000)
    expect(strategy(1, HUB_BACKOFF, e('rejected'))).toBe(-1)
    expect(strategy(1, HUB_BACKOFF, e('http', 400))).toBe(-1)
    expect(strategy(1, HUB_BACKOFF, new UnrecoverableError('no'))).toBe(-1)
  })

  it('dossier drain jobs retry through BullMQ attempts and the hub backoff', () => {
    expect(DRAIN_JOB_OPTIONS.attempts).toBe(DRAIN_ATTEMPTS)
    expect(DRAIN_ATTEMPTS).toBeGreaterThan(1)
    expect(DRAIN_JOB_OPTIONS.backoff).toEqual({ type: HUB_BACKOFF })
  })
})
