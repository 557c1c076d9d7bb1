/**
 * The `error_code` JSON envelope shared by the hub-designed REST contracts of the
 * business registry, tax and civil-status systems (docs/contracts/). Success is
 * 0 / "0" / "00" as on DVCQG; the codes below are the contract's own.
 */
import { htmlErrorPage, isNode } from './soap-reply.js'
import type { XmlNode } from './soap-reply.js'
import { fault, malformed, notFound } from './upstream-result.js'
import type { UpstreamFault, UpstreamMalformed, UpstreamNotFound } from './upstream-result.js'
import { nationalDay } from './national-time.js'

/** Envelope codes of the registry contracts. */
export const ENVELOPE_CODES = Object.freeze({
  /** No record for the key asked about. */
  NOT_FOUND: '01',
  /** The request was invalid (bad key, missing parameter). */
  INVALID_REQUEST: '02',
  /** The token is missing, expired or lacks the right. */
  UNAUTHORIZED: '03',
  /** Rate limit reached. */
  RATE_LIMITED: '04',
  /** Internal error of the national system. */
  SYSTEM_ERROR: '99',
})

/** An accepted envelope: the payload under `dataKey` and the transaction id, if any. */
export interface EnvelopeOk {
  readonly kind: 'ok'
  readonly data: unknown
  readonly upstreamRef?: string
}

export type EnvelopeResult = EnvelopeOk | UpstreamNotFound | UpstreamFault | UpstreamMalformed

function normalizeCode(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v).padStart(2, '0')
  if (typeof v === 'string' && v.trim() !== '') return /^\d+$/.test(v.trim()) ? v.trim().padStart(2, '0') : v.trim()
  return undefined
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim()
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}

/**
 * Reads an envelope given as parsed JSON or as the raw body text (which may be an
 * HTML page from a proxy or broken JSON). `dataKey` names the payload (`Data` for
 * the business registry, `data` elsewhere). An `ok` envelope with an empty payload
 * (null, {}, []) is reported as `not_found`.
 */
export function readEnvelope(reply: unknown, dataKey: string): EnvelopeResult {
  let body: unknown = reply
  if (typeof reply === 'string') {
    const html = htmlErrorPage(reply)
    if (html) return html
    try {
      body = JSON.parse(reply)
    } catch {
      return malformed('The reply is not valid JSON.')
    }
  }
  if (!isNode(body)) return malformed('The reply is not a JSON object.')
  const env: XmlNode = body
  const code = normalizeCode(env['error_code'])
  const message = str(env['message']) ?? str(env['error_message'])
  const ref = str(env['ma_giao_dich']) ?? str(env['transaction_id'])
  if (code === undefined) return malformed('The reply has no error_code.')
  if (code === '00') {
    const data = env[dataKey]
    const empty = data === undefined || data === null || (Array.isArray(data) && data.length === 0) || (isNode(data) && Object.keys(data).length === 0)
    if (empty) return notFound('The national system returned no record for this key.', ref)
    return ref === undefined ? { kind: 'ok', data } : { kind: 'ok', data, upstreamRef: ref }
  }
  const text = message ?? `The national system answered with error_code ${code}.`
  switch (code) {
    case ENVELOPE_CODES.NOT_FOUND:
      return notFound(text, ref)
    case ENVELOPE_CODES.RATE_LIMITED:
    case ENVELOPE_CODES.SYSTEM_ERROR:
      return fault(code, text, true)
    default:
      return fault(code, text, false)
  }
}

/** Trimmed non-empty string, or undefined (numbers are stringified). */
export function optText(v: unknown): string | undefined {
  return str(v)
}

/** A date as `YYYY-MM-DD` (see `nationalDay`); undefined when absent or not a real date. */
export function optDate(v: unknown): string | undefined {
  return nationalDay(v) ?? undefined
}

/** Drops undefined properties so optional fields are absent, not `undefined`. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}
