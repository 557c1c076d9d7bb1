/**
 * Provincial status code → DVCQG `TrangThaiHoSo` (NATIONAL-ENDPOINTS.md §1.3).
 * The table is configuration (`config/status-map.json`); nothing here guesses.
 */

/** DVCQG status codes 1..10. */
export type NationalStatus = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10

/** A validated, immutable status table. Lookups are exact (case-sensitive). */
export type StatusMap = ReadonlyMap<string, NationalStatus>

const TERMINAL: ReadonlySet<number> = new Set([3, 7, 10])

function isNationalStatus(value: unknown): value is NationalStatus {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10
}

/**
 * Validates a parsed status-map JSON object: `{ "<provincial code>": <1..10>, … }`.
 * Keys starting with `$` (`$comment`, `$schema`) are documentation and skipped.
 * @throws Error naming the offending key when a value is not an integer 1..10,
 *   a key is blank, or the map is empty.
 */
export function parseStatusMap(json: unknown): StatusMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('status map: expected a JSON object of "<provincial code>": <DVCQG status 1..10>')
  }
  const map = new Map<string, NationalStatus>()
  for (const [key, value] of Object.entries(json)) {
    if (key.startsWith('$')) continue
    if (key.trim() === '' || key !== key.trim()) {
      throw new Error(`status map: key ${JSON.stringify(key)} is blank or has surrounding spaces`)
    }
    if (!isNationalStatus(value)) {
      throw new Error(`status map: key "${key}" maps to ${JSON.stringify(value)}; expected an integer DVCQG status 1..10`)
    }
    map.set(key, value)
  }
  if (map.size === 0) throw new Error('status map: no status codes defined')
  return map
}

/** The national code of a provincial status, or `undefined` when the table has none. */
export function toNationalStatus(map: StatusMap, provincialCode: string): NationalStatus | undefined {
  return map.get(provincialCode)
}

/** True for the national codes after which a dossier does not move: 3, 7, 10. */
export function isTerminalStatus(code: number): boolean {
  return TERMINAL.has(code)
}

/** DVCQG `TrangThaiHoSo` 2: the dossier was received (NATIONAL-ENDPOINTS.md §1.3). */
export const NATIONAL_RECEIVED: NationalStatus = 2

/** The first provincial code the table maps to `national`, or `undefined` when none does. */
export function provincialCodeFor(map: StatusMap, national: NationalStatus): string | undefined {
  for (const [code, n] of map) if (n === national) return code
  return undefined
}
