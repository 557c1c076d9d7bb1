import { createHmac } from 'node:crypto'
import type { Db, Queryable } from '../store/index.js'
import type { AuditEntry as AuditRow, AuditQuery } from '../../schemas/v1/lookups.js'

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
    e.latencyMs === undefined ? null : Math.round(e.latencyMs),
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

  /** The stored form of a subject id (for searches by subject). */
  hash(subjectId: string): string {
    return subjectHash(this.key, subjectId)
  }

  /** Writes one row now, for actions that must be on record before the answer. */
  write(e: AuditEntry): Promise<void> {
    return writeAudit(this.db, this.key, e)
  }

  /** Operators' view (`GET /admin/audit`): newest first, cursor paging; a subject id is searched by its hash. */
  async query(q: AuditQuery): Promise<{ items: AuditRow[]; nextCursor?: string }> {
    await this.flush()
    const where: string[] = []
    const params: unknown[] = []
    const add = (sql: string, v: unknown) => {
      params.push(v)
      where.push(sql.replace('?', `$${params.length}`))
    }
    if (q.client) add('client_id = ?', q.client)
    if (q.service) add('service = ?', q.service)
    if (q.subjectId) add('subject_hash = ?', this.hash(q.subjectId))
    if (q.from) add('at >= ?', q.from)
    if (q.to) add('at < ?', q.to)
    if (q.cursor) add('id < ?', q.cursor)
    params.push(q.limit + 1)
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT id, at, request_id, client_id, service, action, purpose, subject_hash, outcome, status, latency_ms, detail FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    )
    const opt = <T>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v)
    const items = rows.slice(0, q.limit).map((r): AuditRow => {
      const detail = (typeof r['detail'] === 'string' ? JSON.parse(r['detail']) : (r['detail'] ?? {})) as { upstream?: string; upstreamRef?: string }
      return {
        id: String(r['id']),
        at: new Date(r['at'] as string).toISOString(),
        requestId: opt(r['request_id'] as string | null),
        clientId: String(r['client_id']),
        service: String(r['service']),
        action: String(r['action']),
        purpose: opt(r['purpose'] as string | null),
        subjectHash: opt(r['subject_hash'] as string | null),
        outcome: String(r['outcome']),
        status: opt(r['status'] as number | null),
        latencyMs: opt(r['latency_ms'] as number | null),
        upstream: detail.upstream,
        upstreamRef: detail.upstreamRef,
      }
    })
    return rows.length > q.limit ? { items, nextCursor: items[items.length - 1]!.id } : { items }
  }

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
