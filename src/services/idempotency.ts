import { createHash } from 'node:crypto'
import { stringify } from 'safe-stable-stringify'
import { ClientRegistry, type Client } from '../auth/clients.js'

/**
 * Canonical JSON of a validated request body: object keys sorted, no whitespace,
 * `undefined` members dropped (safe-stable-stringify, pino's own deterministic
 * serializer). Lists keep their order: in a request body, order is meaning. (The
 * catalog's canonical form, which sorts lists as multisets, is a different contract.)
 */
const canonicalJson = (value: unknown): string => stringify(value) ?? 'null'

/** SHA-256 (hex) of the canonical JSON: what an idempotency key is compared on. */
export const bodyHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex')

/**
 * The agencies a client serves, as a SQL array parameter: `'*' = ANY($n) OR agency_code = ANY($n)`
 * decides object-level access inside the statement that reads or writes the object.
 */
export const agencyParam = (client: Client): string[] => [...client.agencies]

export const serves = (client: Client, agencyCode: string | null | undefined): boolean =>
  agencyCode !== null && agencyCode !== undefined ? ClientRegistry.servesAgency(client, agencyCode) : client.agencies.has('*')
