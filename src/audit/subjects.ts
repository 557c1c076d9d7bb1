import { fieldError } from '../errors.js'
import { validateBhxh, validateCccd, validateCmnd, validateMst, type IdResult } from '../validation/identifiers.js'
import type { SubjectAccess, SubjectIdType, SubjectQuery, SubjectReport } from '../../schemas/v1/audit-subjects.js'
import type { AuditWriter } from './index.js'

const VALIDATORS: Record<SubjectIdType, (s: string) => IdResult<unknown>> = {
  cccd: (s) => validateCccd(s, new Date()),
  cmnd: validateCmnd,
  mst: validateMst,
  'social-insurance': validateBhxh,
}

/** The identifier as the services hash it (the validators' normalized value), or a 400 naming the rule. */
export function subjectId(idType: SubjectIdType, idNumber: string): string {
  const r = VALIDATORS[idType](idNumber)
  if (!r.ok) throw fieldError('/params/idNumber', r.message, r.rule, 'HUB_ERR_BAD_IDENTIFIER')
  return r.value
}

/**
 * Every recorded access to one person's data, newest first: the audit rows whose subject
 * hash is this identifier's (lookups, warehouse reads, usage records, earlier reports).
 */
export async function subjectAccesses(audit: AuditWriter, idType: SubjectIdType, id: string, q: SubjectQuery): Promise<SubjectReport> {
  const page = await audit.query({
    subjectId: id,
    limit: q.limit,
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  })
  const items = page.items.map(
    (r): SubjectAccess => ({
      id: r.id,
      at: r.at,
      clientId: r.clientId,
      service: r.service,
      action: r.action,
      ...(r.purpose ? { purpose: r.purpose } : {}),
      outcome: r.outcome,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.requestId ? { requestId: r.requestId } : {}),
      ...(r.upstream ? { upstream: r.upstream } : {}),
    }),
  )
  return { idType, items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }
}

export const CSV_COLUMNS = ['id', 'at', 'clientId', 'service', 'action', 'purpose', 'outcome', 'status', 'requestId', 'upstream'] as const

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break; a value a
 * spreadsheet would run as a formula (= + - @ tab CR first) is prefixed with `'`.
 */
export function csvField(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The report as CSV: a header line, then one access per line (CRLF, UTF-8). */
export function subjectCsv(items: readonly SubjectAccess[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const it of items) lines.push(CSV_COLUMNS.map((c) => csvField(it[c])).join(','))
  return `${lines.join('\r\n')}\r\n`
}
