import { createHmac } from 'node:crypto'
import type { Queryable } from '../store/index.js'

/** Keyed SHA-256 (HMAC) of a subject identifier: audit rows can be matched per subject without holding the identifier. */
export function subjectHash(key: string, subjectId: string): string {
  return createHmac('sha256', key).update(subjectId.trim()).digest('hex')
}

/** One access to personal data or one operator action. */
export interface AuditEntry {
  clientId: string
  service: string
  action: string
  /** Clear subject id: hashed here, never stored. */
  subjectId?: string
  outcome: string
  status?: number
  latencyMs?: number
  requestId?: string
  purpose?: string
  detail?: Record<string, unknown>
}

/** Writes one audit_log row (subject hashed with `key`). */
export async function writeAudit(db: Queryable, key: string, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (request_id, client_id, service, action, purpose, subject_hash, outcome, status, latency_ms, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.requestId ?? null,
      e.clientId,
      e.service,
      e.action,
      e.purpose ?? null,
      e.subjectId ? subjectHash(key, e.subjectId) : null,
      e.outcome,
      e.status ?? null,
      e.latencyMs ?? null,
      e.detail ? JSON.stringify(e.detail) : null,
    ],
  )
}
