import type { Queryable } from '../../../store/index.js'

export type StatsPeriod = 'day' | 'month' | 'year'

/** One agency and period: counts of events and signature outcomes. */
export interface StatsRow {
  agency: string
  /** Start of the period, `YYYY-MM-DD` (Vietnam time). */
  period: string
  digitised: number
  pushed: number
  mirrored: number
  reused: number
  /** Signature outcomes: valid, invalid, unsigned, untrusted. */
  sv: number
  si: number
  su: number
  st: number
}

export interface StatsFilter {
  period: StatsPeriod
  /** First and last day, inclusive, `YYYY-MM-DD` in Vietnam time. */
  from: string
  to: string
  agencyCode: string | null
}

// Periods are cut in Vietnam time (UTC+7, no daylight saving).
const LOCAL = `(ts AT TIME ZONE 'UTC' + interval '7 hours')`

/** The SQL of the digitisation statistics: documents stored, pushed and reused, per agency and period. */
export class StatsRepository {
  constructor(private readonly db: Queryable) {}

  async rows(f: StatsFilter): Promise<StatsRow[]> {
    const { rows } = await this.db.query<StatsRow>(
      `WITH ev AS (
         SELECT COALESCE(agency_code, '') AS agency, created_at AS ts, (source = 'local')::int AS digitised, 0 AS pushed, (source = 'national' AND fetch_state = 'stored')::int AS mirrored, 0 AS reused,
           (signature_status = 'valid')::int AS sv, (signature_status = 'invalid')::int AS si, (signature_status = 'unsigned')::int AS su, (signature_status = 'untrusted')::int AS st
         FROM warehouse_documents
         UNION ALL
         SELECT COALESCE(agency_code, ''), pushed_at, 0, 1, 0, 0, 0, 0, 0, 0 FROM warehouse_documents WHERE pushed_at IS NOT NULL
         UNION ALL
         SELECT COALESCE(agency_code, ''), used_at, 0, 0, 0, 1, 0, 0, 0, 0 FROM warehouse_usage
       )
       SELECT agency, to_char(date_trunc($1::text, ${LOCAL}), 'YYYY-MM-DD') AS period,
         sum(digitised)::int AS digitised, sum(pushed)::int AS pushed, sum(mirrored)::int AS mirrored, sum(reused)::int AS reused,
         sum(sv)::int AS sv, sum(si)::int AS si, sum(su)::int AS su, sum(st)::int AS st
       FROM ev WHERE ${LOCAL} >= $2::date AND ${LOCAL} < $3::date + 1 AND ($4::text IS NULL OR agency = $4::text)
       GROUP BY 1, 2 ORDER BY 2, 1`,
      [f.period, f.from, f.to, f.agencyCode],
    )
    return rows
  }
}
