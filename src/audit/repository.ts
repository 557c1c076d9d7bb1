import type { Queryable } from '../store/index.js'
import type { AuditEntry as AuditRow, AuditQuery } from '../../schemas/v1/lookups.js'

export type { AuditRow }

/** Search filters with the subject already hashed. */
export type AuditSearch = Omit<AuditQuery, 'subjectId'> & { subjectHash?: string }

/** Newest first, cursor paging (`id < cursor`); `nextCursor` when more rows exist. */
export async function searchAuditRows(db: Queryable, q: AuditSearch): Promise<{ items: AuditRow[]; nextCursor?: string }> {
  const where: string[] = []
  const params: unknown[] = []
  const add = (sql: string, v: unknown) => {
    params.push(v)
    where.push(sql.replace('?', `$${params.length}`))
  }
  if (q.client) add('client_id = ?', q.client)
  if (q.service) add('service = ?', q.service)
  if (q.subjectHash) add('subject_hash = ?', q.subjectHash)
  if (q.from) add('at >= ?', q.from)
  if (q.to) add('at < ?', q.to)
  if (q.cursor) add('id < ?', q.cursor)
  params.push(q.limit + 1)
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, at, request_id, client_id, service, action, purpose, subject_hash, outcome, status, latency_ms, detail FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  )
  const items = rows.slice(0, q.limit).map(toAuditRow)
  return rows.length > q.limit ? { items, nextCursor: items[items.length - 1]!.id } : { items }
}

const opt = <T>(v: T | null | undefined) => (v === null || v === undefined ? undefined : v)

function toAuditRow(r: Record<string, unknown>): AuditRow {
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
}
