import type { NationalStatus } from './status-map.js'

/** What the portal holds of one dossier, read from a `TraCuuHoSo` answer. */
export interface PortalDossierState {
  /** `TrangThaiHoSo` as the portal shows it (1..10), or null when it sent none or an unreadable one. */
  status: NationalStatus | null
}

/**
 * The `result` list of `TraCuuHoSo` for `code`: the portal's record of it, or null when the
 * portal does not hold it (an empty list). The portal sends `TrangThaiHoSo` as a string or a
 * number ("2" and 2 alike); a record of another code in the list does not count.
 */
export function fromTraCuuHoSo(code: string, result: readonly unknown[]): PortalDossierState | null {
  const records = result.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
  const record = records.find((r) => r['MaHoSo'] === undefined || String(r['MaHoSo']) === code)
  if (!record) return null
  const raw = record['TrangThaiHoSo']
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,2}$/.test(raw.trim()) ? Number(raw.trim()) : NaN
  return { status: Number.isInteger(n) && n >= 1 && n <= 10 ? (n as NationalStatus) : null }
}
