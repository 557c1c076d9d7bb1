import { describe, expect, it } from 'vitest'
import { retryDelayMs } from '../../src/services/dossiers/backoff.js'
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
})
