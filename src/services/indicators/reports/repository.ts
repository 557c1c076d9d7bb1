import type { Db } from '../../../store/index.js'

/** A generated report file as stored. */
export interface ReportRow {
  id: string
  period: string
  period_from: string
  period_to: string
  /** '' for the whole province. */
  agency_code: string
  format: 'csv' | 'xlsx'
  blob_sha256: string
  size: string
  trigger: string
  generated_at: Date
}

export interface NewReport {
  period: string
  from: string
  to: string
  agency: string | null
  format: 'csv' | 'xlsx'
  sha256: string
  size: number
  trigger: string
}

export interface ReportFilter {
  period?: string
  /** An agency code, or '' for the province-wide reports; undefined: all. */
  agency?: string
  limit: number
}

const COLUMNS = `id::text AS id, period, to_char(period_from, 'YYYY-MM-DD') AS period_from, to_char(period_to, 'YYYY-MM-DD') AS period_to,
  agency_code, format, blob_sha256, size::text AS size, trigger, generated_at`

/** Every SQL statement of the indicator reports. */
export class ReportRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records a generated file. The same period, agency and format again replaces the row (same
   * id, new file, new time): the latest generation wins.
   */
  async save(r: NewReport): Promise<ReportRow> {
    const { rows } = await this.db.query<ReportRow>(
      `INSERT INTO indicator_reports (period, period_from, period_to, agency_code, format, blob_sha256, size, trigger)
       VALUES ($1, $2::date, $3::date, $4, $5, $6, $7, $8)
       ON CONFLICT (period, agency_code, format) DO UPDATE SET blob_sha256 = EXCLUDED.blob_sha256, size = EXCLUDED.size,
         trigger = EXCLUDED.trigger, period_from = EXCLUDED.period_from, period_to = EXCLUDED.period_to, generated_at = now()
       RETURNING ${COLUMNS}`,
      [r.period, r.from, r.to, r.agency ?? '', r.format, r.sha256, r.size, r.trigger],
    )
    return rows[0]!
  }

  /** Newest first. */
  async list(f: ReportFilter): Promise<ReportRow[]> {
    const { rows } = await this.db.query<ReportRow>(
      `SELECT ${COLUMNS} FROM indicator_reports
       WHERE ($1::text IS NULL OR period = $1) AND ($2::text IS NULL OR agency_code = $2)
       ORDER BY generated_at DESC, id DESC LIMIT $3`,
      [f.period ?? null, f.agency ?? null, f.limit],
    )
    return rows
  }

  async get(id: string): Promise<ReportRow | undefined> {
    const { rows } = await this.db.query<ReportRow>(`SELECT ${COLUMNS} FROM indicator_reports WHERE id = $1::bigint`, [id])
    return rows[0]
  }
}
