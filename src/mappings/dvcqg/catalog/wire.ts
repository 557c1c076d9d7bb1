import { MappingError } from '../../shared/errors.js'
import { nationalDay } from '../../shared/national-time.js'
/**
 * Tolerant readers for DVCQG catalog wire records. Real replies mix key casing
 * (`MaTTHC` / `MATTHC`, `URL` / `Url`), send numbers as strings or strings as numbers,
 * `null` for empty lists, and stray whitespace; these helpers absorb all of that.
 */

export type WireRecord = Record<string, unknown>

/** Thrown when a record is unusable (not an object, or no procedure code). */
export class CatalogMappingError extends MappingError {
  constructor(message: string) {
    super('record', message)
    this.name = 'CatalogMappingError'
  }
}

export function isRecord(value: unknown): value is WireRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const squash = (key: string): string => key.replace(/[_\s-]/g, '').toLowerCase()

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

/**
 * Value of the first of `names` present, matching keys exactly first, then case- and
 * underscore-insensitively (`MA_KQ_THAYTHE` ~ `MaKQThayThe`). A blank value yields to
 * a non-blank one under another accepted name (`MaTTHC: ""` next to `MATTHC: "1.1"`).
 */
export function field(rec: WireRecord, ...names: string[]): unknown {
  let fallback: unknown
  for (const name of names) {
    const v = rec[name]
    if (!blank(v)) return v
    if (v !== undefined && v !== null) fallback ??= v
  }
  const wanted = new Set(names.map(squash))
  for (const [key, v] of Object.entries(rec)) {
    if (!wanted.has(squash(key))) continue
    if (!blank(v)) return v
    if (v !== undefined && v !== null) fallback ??= v
  }
  return fallback
}

/** NFC, trimmed, whitespace (incl. NBSP and newlines) collapsed; numbers and booleans stringified. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value.normalize('NFC').replace(/\s+/gu, ' ').trim()
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return ''
}

/** Like {@link text} but `undefined` for empty, so optional properties stay absent. */
/** `{ [key]: value }` when the value is present, `{}` otherwise: spread into a record, an absent field stays absent. */
export function present<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>)
}

export function optionalText(value: unknown): string | undefined {
  const t = text(value)
  return t === '' ? undefined : t
}

/**
 * A list from the wire: arrays as is, `null`/missing → [], a single object → [it],
 * and a JSON-encoded array string (seen when a proxy re-serializes) → parsed.
 */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined)
  if (value === undefined || value === null) return []
  if (typeof value === 'string') {
    const t = value.trim()
    if (t.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(t)
        if (Array.isArray(parsed)) return parsed.filter((v) => v !== null && v !== undefined)
      } catch {
        return []
      }
    }
    return []
  }
  return isRecord(value) ? [value] : []
}

/** The records of a wire list (non-object entries dropped). */
export function records(value: unknown): WireRecord[] {
  return list(value).filter(isRecord)
}

/**
 * A number from the wire: `15`, `"15"`, `" 0.5 "`, `"50.000"` / `"50,000"` / `"1.500.000"`
 * (Vietnamese thousands separators), `"2,5"` (decimal comma). Anything else → `null`.
 */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  let t = value.replace(/\s+/g, '').replace(/(đồng|vnđ|vnd|đ)$/iu, '')
  if (t === '') return null
  if (/^-?\d{1,3}([.,]\d{3})+$/.test(t)) t = t.replace(/[.,]/g, '')
  else if (/^-?\d+,\d+$/.test(t)) t = t.replace(',', '.')
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null
  const n = Number(t)
  return Number.isFinite(n) ? n : null
}

/** A non-negative integer count (copies); missing or invalid → 0. */
export function toCount(value: unknown): number {
  const n = toNumber(value)
  return n !== null && n >= 0 ? Math.trunc(n) : 0
}

/**
 * A calendar date from the national formats, as `YYYY-MM-DD` (the day in Vietnam time
 * for values with an offset; see `nationalDay`). Absent, unparseable or impossible → `undefined`.
 */
export function toDate(value: unknown): string | undefined {
  return nationalDay(text(value)) ?? undefined
}
