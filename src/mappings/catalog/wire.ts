import { MappingError } from '../errors.js'
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

const pad2 = (n: number): string => String(n).padStart(2, '0')

function validYmd(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  if (d > days) return undefined
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`
}

// Vietnam time is UTC+7 all year (no DST): an instant is shown as its local calendar day.
const VN_OFFSET_MS = 7 * 3600 * 1000
function vnDay(epochMs: number): string | undefined {
  if (!Number.isFinite(epochMs)) return undefined
  const d = new Date(epochMs + VN_OFFSET_MS)
  return validYmd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

/**
 * A calendar date from the national formats, as `YYYY-MM-DD`:
 * `dd/MM/yyyy` (also `d/M/yyyy`, `dd-MM-yyyy`, `dd.MM.yyyy`, optional time after),
 * `yyyy-MM-dd`, ISO date-times (with `Z`/offset → the day in Vietnam time; without →
 * the day as written), `yyyyMMdd`, `yyyyMMddHHmmss`, and .NET `/Date(ms)/`.
 * Unparseable or impossible dates (31/02) → `undefined`.
 */
export function toDate(value: unknown): string | undefined {
  const t = text(value)
  if (t === '') return undefined
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T].*)?$/.exec(t)
  if (m) return validYmd(Number(m[3]), Number(m[2]), Number(m[1]))
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/.exec(t)
  if (m) {
    const day = validYmd(Number(m[1]), Number(m[2]), Number(m[3]))
    if (!day || !m[7]) return day
    return vnDay(Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${normalizeOffset(m[7])}`))
  }
  m = /^(\d{4})(\d{2})(\d{2})(?:\d{6})?$/.exec(t)
  if (m) return validYmd(Number(m[1]), Number(m[2]), Number(m[3]))
  m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(t)
  if (m) return vnDay(Number(m[1]))
  return undefined
}

function normalizeOffset(offset: string): string {
  if (offset === 'Z') return 'Z'
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`
}
