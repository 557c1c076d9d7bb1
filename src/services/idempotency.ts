import { createHash } from 'node:crypto'
import { ClientRegistry, type Client } from '../auth/clients.js'

/**
 * Canonical JSON of a validated request body: object keys sorted (by UTF-16 code unit,
 * as `Array.prototype.sort`), no whitespace, `undefined` members dropped. Bodies reach
 * the services after JSON parsing and schema validation, so they hold only plain
 * objects, arrays, strings, finite numbers, booleans and null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  const obj = value as Record<string, unknown>
  const members = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
  return `{${members.join(',')}}`
}

/** SHA-256 (hex) of the canonical JSON: what an idempotency key is compared on. */
export const bodyHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex')

/**
 * The agencies a client serves, as a SQL array parameter: `'*' = ANY($n) OR agency_code = ANY($n)`
 * decides object-level access inside the statement that reads or writes the object.
 */
export const agencyParam = (client: Client): string[] => [...client.agencies]

export const serves = (client: Client, agencyCode: string | null | undefined): boolean =>
  agencyCode !== null && agencyCode !== undefined ? ClientRegistry.servesAgency(client, agencyCode) : client.agencies.has('*')
