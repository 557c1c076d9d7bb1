import type { Db } from '../../../store/index.js'

/**
 * The operator console's dossier queries (search, timeline, filtered replay): every SQL
 * statement of them. The code prefix is an index range on `code COLLATE "C"`
 * (dossiers_code_c_idx), never a LIKE on caller text; the agency filter compares the last
 * `suffixLength` characters of the fixed-width agency code (the agency and its units,
 * src/services/indicators/agency.ts).
 */

export type SearchState = 'delivered' | 'pending' | 'failed' | 'parked'

export interface DossierFilter {
  /** Code range [lower, upper) from a prefix, COLLATE "C". */
  range?: { lower: string; upper: string }
  /** The agency's significant suffix (e.g. `06.H56`): codes ending with it are the agency and its units. */
  agencySuffix?: string
  procedure?: string
  state?: SearchState
}

export interface SearchRow {
  code: string
  agency_code: string
  procedure_code: string
  state: SearchState
  pending: number
  received_at: string | null
  touched_at: Date
  parked_reason: string | null
}

export interface TimelineEventRow {
  seq: number
  event_id: string
  kind: string
  status: string | null
  occurred_at: string | null
  accepted_at: Date
  state: string
  delivered_at: Date | null
}

export interface TimelineAttemptRow {
  first_seq: number
  last_seq: number
  at: Date
  outcome: string
  upstream_status: number | null
  error_kind: string | null
  message: string | null
  latency_ms: number
}

const STATE_OF = `CASE WHEN d.state = 'parked' THEN 'parked' WHEN d.delivered_seq >= d.last_seq THEN 'delivered'
  WHEN d.attempts > 0 THEN 'failed' ELSE 'pending' END`

const STATE_WHERE: Record<SearchState, string> = {
  parked: `d.state = 'parked'`,
  delivered: `d.state = 'active' AND d.delivered_seq >= d.last_seq`,
  failed: `d.state = 'active' AND d.delivered_seq < d.last_seq AND d.attempts > 0`,
  pending: `d.state = 'active' AND d.delivered_seq < d.last_seq AND d.attempts = 0`,
}

const COLUMNS = `d.code, d.agency_code, d.procedure_code, ${STATE_OF} AS state, GREATEST(d.last_seq - d.delivered_seq, 0) AS pending,
  d.snapshot->>'receivedAt' AS received_at, d.touched_at, d.parked_reason`

/** WHERE clause and parameters of a filter; `first` is the number of the first parameter. */
function where(f: DossierFilter, first: number): { sql: string; params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${first + params.length - 1}`
  }
  if (f.range) parts.push(`d.code COLLATE "C" >= ${p(f.range.lower)} AND d.code COLLATE "C" < ${p(f.range.upper)}`)
  if (f.agencySuffix) parts.push(`right(d.agency_code, ${f.agencySuffix.length}) = ${p(f.agencySuffix)}`)
  if (f.procedure) parts.push(`d.procedure_code = ${p(f.procedure)}`)
  if (f.state) parts.push(STATE_WHERE[f.state])
  return { sql: parts.length ? parts.join(' AND ') : 'true', params }
}

export class DossierConsoleRepository {
  constructor(private readonly db: Db) {}

  /** One page of dossiers matching `f`, by code (C order), after code `after`. */
  async search(f: DossierFilter, limit: number, after?: string): Promise<SearchRow[]> {
    const w = where(f, 3)
    const { rows } = await this.db.query<SearchRow>(
      `SELECT ${COLUMNS} FROM dossiers d
       WHERE ($2::text IS NULL OR d.code COLLATE "C" > $2) AND ${w.sql}
       ORDER BY d.code COLLATE "C" LIMIT $1`,
      [limit, after ?? null, ...w.params],
    )
    return rows
  }

  async dossier(code: string): Promise<SearchRow | undefined> {
    const { rows } = await this.db.query<SearchRow>(`SELECT ${COLUMNS} FROM dossiers d WHERE d.code = $1`, [code])
    return rows[0]
  }

  /** The dossier's events, oldest first (at most `limit`). */
  async events(code: string, limit: number): Promise<TimelineEventRow[]> {
    const { rows } = await this.db.query<TimelineEventRow>(
      `SELECT seq, event_id, kind, COALESCE(payload->>'status', payload->'dossier'->>'status') AS status,
              COALESCE(payload->>'occurredAt', payload->'step'->>'at') AS occurred_at, accepted_at, state, delivered_at
       FROM dossier_events WHERE dossier_code = $1 ORDER BY seq LIMIT $2`,
      [code, limit],
    )
    return rows
  }

  /** The dossier's delivery attempts, oldest first (at most `limit`). */
  async attempts(code: string, limit: number): Promise<TimelineAttemptRow[]> {
    const { rows } = await this.db.query<TimelineAttemptRow>(
      `SELECT first_seq, last_seq, at, outcome, upstream_status, error_kind, message, latency_ms
       FROM delivery_attempts WHERE dossier_code = $1 ORDER BY id LIMIT $2`,
      [code, limit],
    )
    return rows
  }

  /** How many parked dossiers match `f`, and the first `sample` codes. */
  async parkedPreview(f: Omit<DossierFilter, 'state'>, sample: number): Promise<{ count: number; sample: string[] }> {
    const w = where({ ...f, state: 'parked' }, 2)
    const { rows } = await this.db.query<{ n: string; codes: string[] | null }>(
      `SELECT count(*) AS n, (array_agg(code ORDER BY code COLLATE "C"))[1:$1] AS codes FROM dossiers d WHERE ${w.sql}`,
      [sample, ...w.params],
    )
    return { count: Number(rows[0]?.n ?? 0), sample: rows[0]?.codes ?? [] }
  }

  /** Puts the parked dossiers matching `f` back in line (their parked events pending again); the ones unparked. */
  async unparkWhere(f: Omit<DossierFilter, 'state'>): Promise<{ code: string; last_seq: number }[]> {
    return this.db.tx(async (q) => {
      const w = where({ ...f, state: 'parked' }, 1)
      const r = await q.query<{ code: string; last_seq: number }>(
        `UPDATE dossiers d SET state = 'active', attempts = 0, next_attempt_at = NULL, parked_reason = NULL, parked_at = NULL, touched_at = now()
         WHERE ${w.sql} RETURNING d.code, d.last_seq`,
        w.params,
      )
      if (r.rows.length)
        await q.query(`UPDATE dossier_events SET state = 'pending' WHERE state = 'parked' AND dossier_code = ANY($1::text[])`, [r.rows.map((x) => x.code)])
      return r.rows
    })
  }
}
