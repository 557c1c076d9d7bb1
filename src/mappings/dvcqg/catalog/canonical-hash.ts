import { createHash } from 'node:crypto'
import type { Procedure } from './types.js'

/** Lists whose order carries meaning; every other list is compared as a multiset. */
const ORDERED_LISTS = new Set(['steps'])

/**
 * Canonical JSON of a value: object keys sorted, `undefined` properties dropped, and
 * lists sorted by their own canonical JSON, except the lists named in ORDERED_LISTS
 * (the steps of a case). Two procedures that differ only by list order or key order
 * have the same canonical JSON, which is exactly when `diffProcedures` reports nothing.
 */
export function canonicalJson(value: unknown, key = ''): string {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonicalJson(v === undefined ? null : v))
    if (!ORDERED_LISTS.has(key)) items.sort()
    return `[${items.join(',')}]`
  }
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>
    const parts = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k], k)}`)
    return `{${parts.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * SHA-256 (hex) of the procedure's canonical JSON: equal hashes mean nothing to store,
 * so a sync can skip an unchanged procedure without diffing it.
 */
export function canonicalHash(procedure: Procedure): string {
  return createHash('sha256').update(canonicalJson(procedure), 'utf8').digest('hex')
}
