/** Small, pure helpers for the portal's loosely typed JSON. */

export type WireObject = Readonly<Record<string, unknown>>

export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads the first present field among `names`, ignoring case (portals vary: `MaKetQua`, `maKetQua`, `MAKETQUA`). */
export function field(obj: WireObject, ...names: string[]): unknown {
  for (const name of names) {
    if (name in obj) return obj[name]
  }
  const lowered = names.map((n) => n.toLowerCase())
  for (const key of Object.keys(obj)) {
    if (lowered.includes(key.toLowerCase())) return obj[key]
  }
  return undefined
}

/** A trimmed string, or null for absent/empty/"null"; numbers become strings. */
export function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  return trimmed === '' || trimmed.toLowerCase() === 'null' ? null : trimmed
}

/** Booleans as the portal sends them: true/false, "True"/"False", "1"/"0", 1/0. `undefined` when unreadable. */
export function bool(value: unknown): boolean | null | undefined {
  if (value === undefined || value === null || value === '') return null
  if (typeof value === 'boolean') return value
  if (value === 1 || value === 0) return value === 1
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase()
    if (v === 'true' || v === '1') return true
    if (v === 'false' || v === '0') return false
  }
  return undefined
}

const VN_OFFSET_MS = 7 * 3600 * 1000

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return d <= days
}

function isClock(h: number, min: number, s: number): boolean {
  return h >= 0 && h < 24 && min >= 0 && min < 60 && s >= 0 && s < 60
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** The calendar date in Asia/Ho_Chi_Minh (UTC+7, no DST) of an instant. */
function vnDate(epochMs: number): string {
  const t = new Date(epochMs + VN_OFFSET_MS)
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate())
}

/**
 * Normalizes a portal date to `YYYY-MM-DD` (the date in Vietnam).
 * Accepts `yyyyMMddHHmmss`, `yyyyMMdd`, `dd/MM/yyyy[ HH:mm[:ss]]`, ISO 8601 (with or without offset)
 * and .NET `/Date(ms)/`. Returns null for empty values and the .NET "no date" `0001-01-01`,
 * `undefined` when the value is present but not a valid date.
 */
export function parseDate(value: unknown): string | null | undefined {
  const raw = text(value)
  if (raw === null) return null
  let m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(raw)
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (y <= 1 && mo <= 1 && d <= 1) return null
    if (m[4] !== undefined && !isClock(Number(m[4]), Number(m[5]), Number(m[6]))) return undefined
    return isCalendarDate(y, mo, d) ? iso(y, mo, d) : undefined
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(raw)
  if (m) {
    const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (y <= 1) return null
    if (m[4] !== undefined && !isClock(Number(m[4]), Number(m[5]), Number(m[6] ?? 0))) return undefined
    return isCalendarDate(y, mo, d) ? iso(y, mo, d) : undefined
  }
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw)
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    if (y <= 1) return null
    if (!isCalendarDate(y, mo, d)) return undefined
    if (m[4] !== undefined && !isClock(Number(m[4]), Number(m[5]), Number(m[6] ?? 0))) return undefined
    if (m[7] === undefined) return iso(y, mo, d) // local time: already Vietnamese
    const instant = Date.parse(raw.replace(' ', 'T'))
    return Number.isNaN(instant) ? undefined : vnDate(instant)
  }
  m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(raw)
  if (m) return vnDate(Number(m[1]))
  return undefined
}

/** Writes a `YYYY-MM-DD` date the way the portal expects. */
export function formatDate(isoDate: string, format: 'yyyyMMddHHmmss' | 'dd/MM/yyyy'): string {
  const [y, mo, d] = isoDate.split('-')
  return format === 'dd/MM/yyyy' ? `${d}/${mo}/${y}` : `${y}${mo}${d}000000`
}

/** True for a well-formed `YYYY-MM-DD` calendar date. */
export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))
}
