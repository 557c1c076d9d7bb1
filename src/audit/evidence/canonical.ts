import { hash } from 'node:crypto'

/**
 * Canonical forms of what the audit chain hashes and signs. Canonical JSON is RFC 8785 (JCS)
 * for the values used here: object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers serialised as ECMAScript's JSON.stringify does; absent optional fields are `null`.
 * scripts/verify-audit-proof.mjs repeats these few lines on purpose (it must stand alone).
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v)
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError('canonical JSON has no NaN or Infinity')
    return JSON.stringify(v)
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof v}`)
}

/** The previous hash of the first chained record. */
export const GENESIS = '0'.repeat(64)

/** The hashed content of one chained audit record (version 1). */
export interface RecordContent {
  v: 1
  /** ISO 8601 UTC, millisecond precision. */
  at: string
  requestId: string | null
  clientId: string
  service: string
  action: string
  purpose: string | null
  subjectHash: string | null
  outcome: string
  status: number | null
  latencyMs: number | null
  detail: Record<string, unknown> | null
  /** Hex SHA-256 of the previous record in the chain (GENESIS for the first). */
  prev: string
}

const str = JSON.stringify
const orNull = (v: string | number | null) => (v === null ? 'null' : typeof v === 'number' ? canonicalJson(v) : str(v))

/** `canonicalJson(c)` unrolled for the fixed fields of a record (keys already in sorted order): verify re-hashes every record. */
export function canonicalRecord(c: RecordContent): string {
  return (
    `{"action":${str(c.action)},"at":${str(c.at)},"clientId":${str(c.clientId)},"detail":${c.detail === null ? 'null' : canonicalJson(c.detail)},` +
    `"latencyMs":${orNull(c.latencyMs)},"outcome":${str(c.outcome)},"prev":${str(c.prev)},"purpose":${orNull(c.purpose)},"requestId":${orNull(c.requestId)},` +
    `"service":${str(c.service)},"status":${orNull(c.status)},"subjectHash":${orNull(c.subjectHash)},"v":${canonicalJson(c.v)}}`
  )
}

/** A record's hash: hex SHA-256 of its canonical JSON (UTF-8). The Merkle leaf of a record is this hash's 32 bytes. */
export function recordHash(c: RecordContent): string {
  return hash('sha256', canonicalRecord(c), 'hex')
}

/** What a checkpoint signs: the whole chain up to `treeSize` records. */
export interface CheckpointBody {
  v: 1
  type: 'lgsp-hub-audit-checkpoint'
  /** Records in the log (chain positions 0…treeSize-1). */
  treeSize: number
  /** Hex RFC 6962 Merkle root over the records' hashes. */
  rootHash: string
  /** Hex hash of record treeSize-1 (GENESIS when empty). */
  headHash: string
  /** ISO 8601 UTC. */
  at: string
  /** Hex SHA-256 of the signing key's SubjectPublicKeyInfo (DER), first 32 hex digits. */
  keyId: string
}

/** The signed body of a stored checkpoint (its row without id and signature). */
export function checkpointBodyOf(cp: { treeSize: number; rootHash: string; headHash: string; at: Date; keyId: string }): CheckpointBody {
  return {
    v: 1,
    type: 'lgsp-hub-audit-checkpoint',
    treeSize: cp.treeSize,
    rootHash: cp.rootHash,
    headHash: cp.headHash,
    at: cp.at.toISOString(),
    keyId: cp.keyId,
  }
}

export function checkpointMessage(b: CheckpointBody): Buffer {
  return Buffer.from(canonicalJson(b), 'utf8')
}
