import { createHmac } from 'node:crypto'
import type { Db, Queryable } from '../store/index.js'

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

const COLUMNS = 10

function values(key: string, e: AuditEntry): unknown[] {
  return [
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
  ]
}

async function insert(db: Queryable, key: string, entries: AuditEntry[]): Promise<void> {
  const params: unknown[] = []
  const rows = entries.map((e, i) => {
    params.push(...values(key, e))
    return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`
  })
  await db.query(
    `INSERT INTO audit_log (request_id, client_id, service, action, purpose, subject_hash, outcome, status, latency_ms, detail) VALUES ${rows.join(', ')}`,
    params,
  )
}

/** Writes one audit_log row now (subject hashed with `key`). */
export async function writeAudit(db: Queryable, key: string, e: AuditEntry): Promise<void> {
  await insert(db, key, [e])
}

/**
 * Audit rows of a hot read path, written in batches off the request path: a reuse query at
 * 100 requests/s must not pay a database round trip and a WAL sync per answer. Rows are
 * flushed every `flushMs` (or at `maxBatch` rows) in one multi-row INSERT committed without
 * waiting for the WAL flush, and on `close()`. A process crash can lose the rows of the last
 * flush interval; it cannot lose rows already flushed. A failed flush is retried at the next tick.
 */
export class AuditWriter {
  private buffer: AuditEntry[] = []
  private timer?: NodeJS.Timeout
  private flushing?: Promise<void>

  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly onError: (err: Error, rows: number) => void,
    private readonly flushMs = 50,
    private readonly maxBatch = 500,
  ) {}

  record(e: AuditEntry): void {
    // A database down for long must not exhaust memory: keep the newest rows.
    if (this.buffer.length >= 100_000) this.buffer.shift()
    this.buffer.push(e)
    if (this.buffer.length >= this.maxBatch) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs)
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await this.flushing
    if (this.buffer.length === 0) return
    const batch = this.buffer.splice(0, this.maxBatch)
    this.flushing = this.db
      .tx(async (q) => {
        await q.query('SET LOCAL synchronous_commit TO OFF')
        await insert(q, this.key, batch)
      })
      .catch((err: Error) => {
        this.onError(err, batch.length)
        this.buffer.unshift(...batch.slice(0, 10_000))
      })
      .finally(() => {
        this.flushing = undefined
        if (this.buffer.length) this.timer ??= setTimeout(() => void this.flush(), this.flushMs)
      })
    await this.flushing
  }

  async close(): Promise<void> {
    await this.flush()
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
