import { createHmac } from 'node:crypto'
import type { Logger } from '../../log.js'
import type { Db } from '../../store/index.js'
import type { AuditEntry, AuditQuery } from '../../../schemas/v1/lookups.js'

/** One access to personal data, as written to `audit_log` (migration 0001). */
export interface AuditRecord {
  requestId: string
  clientId: string
  service: string
  action: string
  purpose: string
  /** The clear subject identifier: hashed (HMAC-SHA256) before it is stored. */
  subjectId: string
  outcome: string
  status: number
  latencyMs: number
  upstream: string
  upstreamRef?: string
}

/** HMAC-SHA256 of a subject identifier under the configured key (hex). */
export function hashSubject(key: string, subjectId: string): string {
  return createHmac('sha256', key).update(subjectId.trim(), 'utf8').digest('hex')
}

const COLUMNS = ['request_id', 'client_id', 'service', 'action', 'purpose', 'subject_hash', 'outcome', 'status', 'latency_ms', 'detail'] as const

/**
 * The audit trail of lookups. Rows are buffered and written in batches (every
 * `flushMs` or `batchSize` rows, and on shutdown) so that auditing never sits on the
 * answer's critical path; a failed write is retried with the next batch and logged
 * (without personal data: identifiers are only ever stored hashed).
 */
export class AuditLog {
  private buffer: unknown[][] = []
  private timer?: NodeJS.Timeout
  private flushing?: Promise<void>
  written = 0

  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly logger: Logger,
    private readonly opts = { flushMs: 100, batchSize: 200, maxBuffered: 100_000 },
  ) {}

  hash(subjectId: string): string {
    return hashSubject(this.key, subjectId)
  }

  record(r: AuditRecord): void {
    const detail = { upstream: r.upstream, ...(r.upstreamRef ? { upstreamRef: r.upstreamRef } : {}) }
    this.buffer.push([r.requestId, r.clientId, r.service, r.action, r.purpose, this.hash(r.subjectId), r.outcome, r.status, Math.round(r.latencyMs), JSON.stringify(detail)])
    if (this.buffer.length > this.opts.maxBuffered) {
      this.logger.error({ dropped: this.buffer.length - this.opts.maxBuffered }, 'audit buffer full: oldest rows dropped')
      this.buffer.splice(0, this.buffer.length - this.opts.maxBuffered)
    }
    if (this.buffer.length >= this.opts.batchSize) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs)
  }

  /** Writes everything buffered (awaits a flush already running). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    while (this.flushing) await this.flushing
    if (!this.buffer.length) return
    const rows = this.buffer.splice(0, this.opts.batchSize * 5)
    this.flushing = this.write(rows)
      .catch((e: unknown) => {
        this.logger.error({ err: { message: (e as Error).message }, rows: rows.length }, 'audit write failed; rows kept for the next flush')
        this.buffer.unshift(...rows)
        this.timer ??= setTimeout(() => void this.flush(), 1000)
      })
      .finally(() => {
        this.flushing = undefined
      })
    await this.flushing
    if (this.buffer.length) await this.flush()
  }

  private async write(rows: unknown[][]): Promise<void> {
    const params: unknown[] = []
    const values = rows.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`)
    await this.db.query(`INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, params)
    this.written += rows.length
  }

  async query(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
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
    const page = rows.slice(0, q.limit)
    const items = page.map((r): AuditEntry => {
      const detail = (typeof r['detail'] === 'string' ? JSON.parse(r['detail']) : (r['detail'] ?? {})) as { upstream?: string; upstreamRef?: string }
      const opt = <T>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v)
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

  async close(): Promise<void> {
    await this.flush()
  }
}
