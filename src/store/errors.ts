/**
 * Whether an error means "the database cannot be reached right now" (stopped, restarting,
 * failing over, out of connections), as opposed to a bad statement or a constraint: the
 * first is a 503 with Retry-After that a caller retries, the second a bug or a refusal.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
/** SQLSTATE: admin/crash shutdown, cannot connect now, too many connections, read-only (a demoted primary). */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '25006'])
/** What pg and pg-pool say when a connection ends or cannot be had, without an error code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'terminating connection',
  'Connection ended',
]

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true
    // AggregateError (a host with several addresses, all refused).
    const errors = (e as { errors?: unknown }).errors
    if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x))) return true
  }
  return false
}
