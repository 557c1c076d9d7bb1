/**
 * National dates and times, in one place. Every national system writes local times in
 * Asia/Ho_Chi_Minh (UTC+7 all year, no DST) unless the value carries an offset.
 * Formats seen (docs NATIONAL-ENDPOINTS.md and the systems' replies):
 * `yyyyMMddHHmmss`, `yyyyMMdd`, `yyyy`, `dd/MM/yyyy` (also `d/M/yyyy`, `dd-MM-yyyy`,
 * `dd.MM.yyyy`, optionally followed by `HH:mm[:ss]`), `yyyy/MM/dd[ HH:mm:ss]`, ISO 8601
 * `yyyy-MM-dd[THH:mm[:ss[.fff]]][Z|±hh:mm|±hhmm]`, and .NET `/Date(ms[±hhmm])/`.
 * Pure: no clock, no I/O.
 */

/** Vietnam's offset from UTC, in milliseconds (no DST). */
export const VN_OFFSET_MS = 7 * 3_600_000

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** `YYYY-MM-DD` from parts (no check). */
export function isoDay(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`
}

/** True when the day exists (31/02 does not). */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function isClock(h: number, min: number, s: number): boolean {
  return h >= 0 && h < 24 && min >= 0 && min < 60 && s >= 0 && s < 60
}

/** The calendar day in Vietnam of an instant. */
export function vnDay(epochMs: number): string | undefined {
  if (!Number.isFinite(epochMs)) return undefined
  const t = new Date(epochMs + VN_OFFSET_MS)
  return isoDay(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate())
}

/** `Z`, `+07:00`, `+0700` → minutes east of UTC; undefined when not an offset. */
function offsetMinutes(o: string): number | undefined {
  if (o === 'Z') return 0
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(o)
  if (!m || Number(m[2]) > 14 || Number(m[3]) >= 60) return undefined
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]))
}

/** A value read from the wire: the date as written, its time, and its offset when one was given. */
export interface NationalDateTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  /** Minutes east of UTC when the value carried an offset (ISO) or is an instant (.NET). */
  offsetMinutes?: number
  /** .NET dates are instants: the epoch milliseconds as sent. */
  epochMs?: number
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/
const YEAR_FIRST_SLASH = /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/
const DOTNET = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/

/**
 * Reads any national date/time format. `undefined` when the text matches no format or
 * names an impossible day or clock time (31/02, 25:61).
 */
export function readNationalDateTime(text: string): NationalDateTime | undefined {
  const t = text.trim()
  let m: RegExpExecArray | null
  let parts: [number, number, number, string | undefined, string | undefined, string | undefined]
  let offset: number | undefined
  if ((m = COMPACT.exec(t)) || (m = YEAR_FIRST_SLASH.exec(t))) parts = [Number(m[1]), Number(m[2]), Number(m[3]), m[4], m[5], m[6]]
  else if ((m = DAY_FIRST.exec(t))) parts = [Number(m[3]), Number(m[2]), Number(m[1]), m[4], m[5], m[6]]
  else if ((m = ISO.exec(t))) {
    parts = [Number(m[1]), Number(m[2]), Number(m[3]), m[4], m[5], m[6]]
    if (m[7] !== undefined) {
      offset = offsetMinutes(m[7])
      if (offset === undefined) return undefined
    }
  } else if ((m = DOTNET.exec(t))) {
    const epochMs = Number(m[1])
    const d = new Date(epochMs)
    if (Number.isNaN(d.getTime())) return undefined
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      offsetMinutes: 0,
      epochMs,
    }
  } else return undefined
  const [year, month, day, h, min, s] = parts
  const [hour, minute, second] = [Number(h ?? 0), Number(min ?? 0), Number(s ?? 0)]
  if (!isCalendarDate(year, month, day) || !isClock(hour, minute, second)) return undefined
  return { year, month, day, hour, minute, second, ...(offset !== undefined ? { offsetMinutes: offset } : {}) }
}

/** Epoch milliseconds of a value; a value without offset is Vietnam local time. */
export function toEpochMs(v: NationalDateTime): number {
  if (v.epochMs !== undefined) return v.epochMs
  const local = Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second)
  return local - (v.offsetMinutes !== undefined ? v.offsetMinutes * 60_000 : VN_OFFSET_MS)
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string') return undefined
  const t = value.trim()
  return t === '' || t.toLowerCase() === 'null' ? undefined : t
}

/** The .NET "no date" (`0001-01-01T00:00:00`, `00010101…`, `01/01/0001`) and zero dates: year 0000 or 0001. */
function isNoDate(t: string): boolean {
  let m = COMPACT.exec(t)
  if (m) return Number(m[1]) <= 1 && Number(m[2]) <= 1 && Number(m[3]) <= 1
  if ((m = DAY_FIRST.exec(t))) return Number(m[3]) <= 1
  if ((m = ISO.exec(t)) || (m = YEAR_FIRST_SLASH.exec(t))) return Number(m[1]) <= 1
  return false
}

/**
 * The calendar day in Vietnam, `YYYY-MM-DD`, of a national date or time. A value with
 * an offset (or a .NET instant) is moved to Vietnam time first; one without is the day
 * as written. `null` when absent (empty, `null`) or the .NET "no date" (year 0001);
 * `undefined` when present but unreadable or impossible.
 */
export function nationalDay(value: unknown): string | null | undefined {
  const t = asText(value)
  if (t === undefined || isNoDate(t)) return null
  const v = readNationalDateTime(t)
  if (!v) return undefined
  if (v.year <= 1) return null
  return v.offsetMinutes === undefined ? isoDay(v.year, v.month, v.day) : vnDay(toEpochMs(v))
}

/**
 * A date that may be partial (dates of birth): `yyyyMMdd`, `yyyy-MM-dd…`, `d/M/yyyy`
 * or a bare `yyyy`. Month and day may be 0 (unknown) and are not checked: the caller
 * decides what an unknown or impossible day means.
 */
export function readPartialDate(text: string): { year: number; month: number; day: number } | undefined {
  const t = text.trim()
  let m: RegExpExecArray | null
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t)) || (m = /^(\d{4})-(\d{2})-(\d{2})/.exec(t))) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
  if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) return { year: Number(m[3]), month: Number(m[2]), day: Number(m[1]) }
  if ((m = /^(\d{4})$/.exec(t))) return { year: Number(m[1]), month: 0, day: 0 }
  return undefined
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/**
 * An ISO 8601 instant (offset required) → `yyyyMMddHHmmss` in Vietnam time. Fractions
 * of a second are dropped. `format`: not an ISO timestamp with offset (a local time is
 * refused: its instant is unknown); `calendar`: impossible day, time or offset; `range`:
 * the Vietnamese year is outside 1000–9999.
 */
export function toNationalTimestamp(iso: string): { ok: true; value: string } | { ok: false; reason: 'format' | 'calendar' | 'range' } {
  const m = ISO_INSTANT.exec(iso)
  if (!m) return { ok: false, reason: 'format' }
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]))
  const offset = offsetMinutes(m[7]!)
  if (offset === undefined || !isCalendarDate(y!, mo!, d!) || !isClock(h!, mi!, s!)) return { ok: false, reason: 'calendar' }
  const local = new Date(0)
  local.setUTCFullYear(y!, mo! - 1, d!)
  local.setUTCHours(h!, mi!, s!, 0)
  const t = new Date(local.getTime() - offset * 60_000 + VN_OFFSET_MS)
  const year = t.getUTCFullYear()
  if (year < 1000 || year > 9999) return { ok: false, reason: 'range' }
  return { ok: true, value: formatParts(year, t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()) }
}

function formatParts(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  return pad(y, 4) + pad(mo) + pad(d) + pad(h) + pad(mi) + pad(s)
}

/** True for a well-formed `YYYY-MM-DD` calendar date. */
export function isIsoDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))
}

/** Writes a `YYYY-MM-DD` day in a national date format (time of day 00:00:00). */
export function formatNationalDay(isoDate: string, format: 'yyyyMMddHHmmss' | 'yyyyMMdd' | 'dd/MM/yyyy' | 'yyyy/MM/dd'): string {
  const [y, mo, d] = isoDate.split('-')
  if (format === 'dd/MM/yyyy') return `${d}/${mo}/${y}`
  if (format === 'yyyy/MM/dd') return `${y}/${mo}/${d}`
  return format === 'yyyyMMdd' ? `${y}${mo}${d}` : `${y}${mo}${d}000000`
}
