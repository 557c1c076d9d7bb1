import { formatNationalDay, isIsoDay, nationalDay } from '../../shared/national-time.js'

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

/**
 * Normalizes a portal date to `YYYY-MM-DD` (the date in Vietnam), see `nationalDay`:
 * null for empty values and the .NET "no date" `0001-01-01`, `undefined` when the value
 * is present but not a valid date.
 */
export function parseDate(value: unknown): string | null | undefined {
  return nationalDay(text(value))
}

/** Writes a `YYYY-MM-DD` date the way the portal expects. */
export function formatDate(isoDate: string, format: 'yyyyMMddHHmmss' | 'dd/MM/yyyy'): string {
  return formatNationalDay(isoDate, format)
}

/** True for a well-formed `YYYY-MM-DD` calendar date. */
export const isIsoDate = isIsoDay
