import { createHash } from 'node:crypto'
import { stringify } from 'safe-stable-stringify'

/**
 * Canonical JSON of a validated request body: object keys sorted, no whitespace,
 * `undefined` members dropped (safe-stable-stringify, pino's own deterministic
 * serializer). Lists keep their order: in a request body, order is meaning. (The
 * catalog's canonical form, which sorts lists as multisets, is a different contract.)
 */
const canonicalJson = (value: unknown): string => stringify(value) ?? 'null'

/** SHA-256 (hex) of the canonical JSON: what an idempotency key is compared on. */
export const bodyHash = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('hex')
