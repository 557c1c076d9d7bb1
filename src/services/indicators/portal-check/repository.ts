import type { Db } from '../../../store/index.js'

/** A sampled dossier: what the hub last delivered of it. */
export interface SampledDossier {
  code: string
  agency_code: string
  delivered_seq: number
  /** Provincial status of the last delivered event that carries one (null: none did). */
  status: string | null
}

export type CheckOutcome = 'confirmed' | 'missing' | 'status_differs' | 'error'

export interface CheckRecord {
  code: string
  agency: string
  deliveredSeq: number
  expected: number | null
  portal: number | null
  outcome: CheckOutcome
  reason: string | null
}

export interface CheckRow {
  dossier_code: string
  agency_code: string
  expected_status: number | null
  portal_status: number | null
  outcome: CheckOutcome
  confirmed: boolean
  reason: string | null
  checked_at: Date
}

export interface RunRow {
  id: string
  trigger: string
  started_at: Date
  finished_at: Date | null
}

// The last delivered event carrying a status: an upsert holds it in its dossier, an event in `status`.
const LAST_DELIVERED_STATUS = `(SELECT COALESCE(e.payload->>'status', e.payload->'dossier'->>'status') FROM dossier_events e
   WHERE e.dossier_code = d.code AND e.seq <= d.delivered_seq
     AND COALESCE(e.payload->>'status', e.payload->'dossier'->>'status') IS NOT NULL
   ORDER BY e.seq DESC LIMIT 1)`

/**
 * Every SQL statement of the portal spot-check. It reads the dossier ledger (dossiers,
 * dossier_events) and writes only its own tables (portal_check_runs, portal_checks).
 */
export class PortalCheckRepository {
  constructor(private readonly db: Db) {}

  /** Up to `limit` dossiers the portal accepted, received since `since`, picked at random. */
  async sample(since: Date, limit: number): Promise<SampledDossier[]> {
    const { rows } = await this.db.query<SampledDossier>(
      `SELECT d.code, d.agency_code, d.delivered_seq, ${LAST_DELIVERED_STATUS} AS status
       FROM dossiers d
       WHERE d.portal_known AND d.delivered_seq > 0 AND (d.snapshot->>'receivedAt')::timestamptz >= $1
       ORDER BY random() LIMIT $2`,
      [since.toISOString(), limit],
    )
    return rows
  }

  /** One dossier as it stands now (a delivery may have moved it while the portal was asked). */
  async current(code: string): Promise<SampledDossier | undefined> {
    const { rows } = await this.db.query<SampledDossier>(
      `SELECT d.code, d.agency_code, d.delivered_seq, ${LAST_DELIVERED_STATUS} AS status FROM dossiers d WHERE d.code = $1`,
      [code],
    )
    return rows[0]
  }

  async startRun(trigger: string): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>('INSERT INTO portal_check_runs (trigger) VALUES ($1) RETURNING id::text AS id', [trigger])
    return rows[0]!.id
  }

  async record(runId: string, c: CheckRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_checks (run_id, dossier_code, agency_code, delivered_seq, expected_status, portal_status, outcome, confirmed, reason)
       VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [runId, c.code, c.agency, c.deliveredSeq, c.expected, c.portal, c.outcome, c.outcome === 'confirmed', c.reason],
    )
  }

  async finishRun(runId: string): Promise<void> {
    await this.db.query('UPDATE portal_check_runs SET finished_at = now() WHERE id = $1::bigint', [runId])
  }

  /** The latest finished run, if any. */
  async latestRun(): Promise<RunRow | undefined> {
    const { rows } = await this.db.query<RunRow>(
      `SELECT id::text AS id, trigger, started_at, finished_at FROM portal_check_runs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT 1`,
    )
    return rows[0]
  }

  async checks(runId: string): Promise<CheckRow[]> {
    const { rows } = await this.db.query<CheckRow>(
      `SELECT dossier_code, agency_code, expected_status, portal_status, outcome, confirmed, reason, checked_at
       FROM portal_checks WHERE run_id = $1::bigint ORDER BY id`,
      [runId],
    )
    return rows
  }
}
