import { isAxiosError } from 'axios'
import { HubError, type HubErrorCode } from '../errors.js'

export type UpstreamErrorKind =
  | 'timeout' // no answer in time
  | 'network' // refused, reset, DNS
  | 'http' // answered with an error status
  | 'rejected' // answered 2xx but the envelope says no (business error)
  | 'malformed' // answered something we cannot read (HTML from a proxy, broken JSON)
  | 'auth' // credentials refused after one refresh
  | 'circuit_open'
  | 'aborted' // we gave up (shutdown)
  | 'too_large' // answered more than a configured limit (reply bytes, a mapped field's length)

/** Which bound an upstream reply broke (`too_large` errors; metrics label). */
export type UpstreamLimit = 'reply_bytes' | 'field_chars'

/** A failed call to a national system, normalised once for every connector. */
export class UpstreamError extends Error {
  constructor(
    readonly upstream: string,
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly opts: { status?: number; retryAfterMs?: number; upstreamCode?: string; limit?: UpstreamLimit; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'UpstreamError'
  }
  get status() {
    return this.opts.status
  }
  get retryAfterMs() {
    return this.opts.retryAfterMs
  }
}

/**
 * The one place that tells transient from permanent failures: timeouts, connection
 * faults, 5xx, 429, malformed answers (usually a proxy's error page) and an open
 * circuit are retried; business rejections, 4xx, auth and mapping errors are not.
 * A reply over a size limit (`too_large`) is permanent: the same question gets the
 * same oversized answer, so it is neither retried nor counted against the breaker.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof UpstreamError) {
    switch (err.kind) {
      case 'timeout':
      case 'network':
      case 'circuit_open':
      case 'malformed':
      case 'aborted':
        return true
      case 'http':
        return err.status === undefined || err.status >= 500 || err.status === 429 || err.status === 408
      default:
        return false
    }
  }
  return false
}

/** `Retry-After` as seconds or an HTTP date → milliseconds (undefined when absent/bad). */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const s = String(value).trim()
  if (/^\d+$/.test(s)) return Number(s) * 1000
  const at = Date.parse(s)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT'])

/** Normalises an axios (or other) error into an UpstreamError. */
export function toUpstreamError(upstream: string, err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err
  if (isAxiosError(err)) {
    // The transport's overall deadline (AbortSignal.timeout) fired: a timeout, not a shutdown.
    const reason = (err.config?.signal as AbortSignal | undefined)?.reason as { name?: string } | undefined
    if (err.code === 'ERR_CANCELED' && reason?.name === 'TimeoutError') {
      return new UpstreamError(upstream, 'timeout', `${upstream} did not answer in time (deadline)`, { cause: err })
    }
    if (err.code === 'ERR_BAD_RESPONSE' && /^maxContentLength size of \d+ exceeded$/.test(err.message)) {
      return new UpstreamError(upstream, 'too_large', `${upstream} answered more than the reply limit (${err.message.replace(/\D/g, '')} bytes)`, {
        limit: 'reply_bytes',
        cause: err,
      })
    }
    if (err.code === 'ERR_CANCELED') return new UpstreamError(upstream, 'aborted', `${upstream}: call aborted`, { cause: err })
    if (err.response) {
      const status = err.response.status
      return new UpstreamError(upstream, 'http', `${upstream} answered HTTP ${status}`, {
        status,
        retryAfterMs: parseRetryAfter(err.response.headers?.['retry-after']),
        cause: err,
      })
    }
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' || /timeout/i.test(err.message)) {
      return new UpstreamError(upstream, 'timeout', `${upstream} did not answer in time`, { cause: err })
    }
    if (err.code && NETWORK_CODES.has(err.code)) {
      return new UpstreamError(upstream, 'network', `${upstream} unreachable (${err.code})`, { cause: err })
    }
    return new UpstreamError(upstream, 'network', `${upstream}: ${err.message}`, { cause: err })
  }
  const e = err as { code?: string; message?: string }
  if (e?.code && NETWORK_CODES.has(e.code)) return new UpstreamError(upstream, 'network', `${upstream} unreachable (${e.code})`, { cause: err })
  return new UpstreamError(upstream, 'malformed', `${upstream}: ${e?.message ?? String(err)}`, { cause: err })
}

/** How an upstream failure is answered to the provincial system (lookups). */
export function upstreamToHubError(err: UpstreamError): HubError {
  const map: Record<UpstreamErrorKind, HubErrorCode> = {
    timeout: 'HUB_ERR_UPSTREAM_TIMEOUT',
    network: 'HUB_ERR_UPSTREAM_UNAVAILABLE',
    http: 'HUB_ERR_UPSTREAM_UNAVAILABLE',
    rejected: 'HUB_ERR_UPSTREAM_REJECTED',
    malformed: 'HUB_ERR_UPSTREAM_BAD_REPLY',
    auth: 'HUB_ERR_UPSTREAM_UNAVAILABLE',
    circuit_open: 'HUB_ERR_CIRCUIT_OPEN',
    aborted: 'HUB_ERR_UPSTREAM_UNAVAILABLE',
    too_large: err.opts.limit === 'field_chars' ? 'HUB_ERR_UPSTREAM_BAD_REPLY' : 'HUB_ERR_UPSTREAM_REPLY_TOO_LARGE',
  }
  const code = err.kind === 'http' && err.status !== undefined && err.status < 500 && err.status !== 429 ? 'HUB_ERR_UPSTREAM_REJECTED' : map[err.kind]
  const retryAfter =
    err.retryAfterMs !== undefined
      ? Math.ceil(err.retryAfterMs / 1000)
      : code === 'HUB_ERR_CIRCUIT_OPEN' || code === 'HUB_ERR_UPSTREAM_UNAVAILABLE'
        ? 5
        : undefined
  return new HubError(code, err.message, { retryAfter, cause: err, extra: { upstream: err.upstream } })
}
