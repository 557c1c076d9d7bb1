/**
 * The outcome of translating one national-system reply. Mappings never throw on
 * upstream data: every shape a reply can take (a record, "not found", a fault, garbage)
 * becomes one of these, so services can map outcomes to HTTP without try/catch.
 */
export type UpstreamResult<T> = UpstreamFound<T> | UpstreamNotFound | UpstreamFault | UpstreamMalformed

/** The upstream answered with a record. */
export interface UpstreamFound<T> {
  readonly kind: 'found'
  readonly value: T
  /** The upstream's own reference for this answer (request id, record id), kept for audit. */
  readonly upstreamRef?: string
}

/** The upstream answered cleanly that no such subject exists (→ 404). */
export interface UpstreamNotFound {
  readonly kind: 'not_found'
  readonly message: string
  readonly upstreamRef?: string
}

/** The upstream answered with an error of its own (SOAP fault, `error_code` ≠ 0, proxy error page). */
export interface UpstreamFault {
  readonly kind: 'fault'
  /** The upstream's code as sent (`soap:Server`, `"99"`, `HTTP_502`…), never translated. */
  readonly code: string
  readonly message: string
  /** True when asking again later may succeed (upstream down, overloaded, proxy error). */
  readonly retryable: boolean
}

/** The reply could not be understood at all (not XML/JSON, wrong shape). Not retryable. */
export interface UpstreamMalformed {
  readonly kind: 'malformed'
  readonly message: string
}

/** Builds a `found` outcome, leaving `upstreamRef` out when unknown. */
export function found<T>(value: T, upstreamRef?: string): UpstreamFound<T> {
  return upstreamRef === undefined || upstreamRef === '' ? { kind: 'found', value } : { kind: 'found', value, upstreamRef }
}

/** Builds a `not_found` outcome. */
export function notFound(message: string, upstreamRef?: string): UpstreamNotFound {
  return upstreamRef === undefined || upstreamRef === '' ? { kind: 'not_found', message } : { kind: 'not_found', message, upstreamRef }
}

/** Builds a `fault` outcome. */
export function fault(code: string, message: string, retryable: boolean): UpstreamFault {
  return { kind: 'fault', code, message, retryable }
}

/** Builds a `malformed` outcome. */
export function malformed(message: string): UpstreamMalformed {
  return { kind: 'malformed', message }
}

/** Applies `fn` to the value of a `found` outcome; other outcomes pass through unchanged. */
export function mapFound<T, U>(result: UpstreamResult<T>, fn: (value: T) => U): UpstreamResult<U> {
  return result.kind === 'found' ? found(fn(result.value), result.upstreamRef) : result
}
