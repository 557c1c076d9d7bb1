import type { Queryable } from '../../../store/index.js'
import type { Inventory } from './manifest.js'

export type RowOutcome = 'stored' | 'already' | 'blocked' | 'error'

export interface ImportRow {
  id: string
  source: string
  state: 'running' | 'done' | 'failed'
  rows_total: number
  stored: number
  already: number
  blocked: number
  failed: number
  inventory: Inventory[] | null
  error: string | null
  started_at: Date | string
  finished_at: Date | string | null
}

export interface RowRecord {
  row: number
  documentId: string | null
  agencyCode: string | null
  outcome: RowOutcome
  rule?: string
  field?: string
  message?: string
}

export interface ImportedDoc {
  documentId: string
  warehouseId: string
  agencyCode: string
  pages: number
  sha256: string
  signed: boolean
  importId: string
}

export interface AgencyProgressRow {
  agency_code: string
  documents: number
  pages: number
  unsigned: number
}

/** All SQL of the backlog import: imports, their rows, the imported documents and the per-agency progress. */
export class ImportRepository {
  constructor(private readonly db: Queryable) {}

  async create(id: string, source: string, rows: number, inventory: Inventory[] | null): Promise<void> {
    await this.db.query(`INSERT INTO digitisation_imports (id, source, rows_total, inventory) VALUES ($1, $2, $3, $4)`, [
      id,
      source,
      rows,
      inventory ? JSON.stringify(inventory) : null,
    ])
  }

  async finish(id: string, state: 'done' | 'failed', error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE digitisation_imports SET state = $2, error = $3, finished_at = now(),
         stored = (SELECT count(*) FROM digitisation_import_rows WHERE import_id = $1 AND outcome = 'stored'),
         already = (SELECT count(*) FROM digitisation_import_rows WHERE import_id = $1 AND outcome = 'already'),
         blocked = (SELECT count(*) FROM digitisation_import_rows WHERE import_id = $1 AND outcome = 'blocked'),
         failed = (SELECT count(*) FROM digitisation_import_rows WHERE import_id = $1 AND outcome = 'error')
       WHERE id = $1`,
      [id, state, error],
    )
  }

  async byId(id: string): Promise<ImportRow | undefined> {
    const { rows } = await this.db.query<ImportRow>(`SELECT * FROM digitisation_imports WHERE id = $1`, [id])
    return rows[0]
  }

  /** Records a batch of row outcomes (one statement). */
  async recordRows(importId: string, rows: readonly RowRecord[]): Promise<void> {
    if (rows.length === 0) return
    await this.db.query(
      `INSERT INTO digitisation_import_rows (import_id, row_no, document_id, agency_code, outcome, rule, field, message)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       ON CONFLICT (import_id, row_no) DO NOTHING`,
      [
        importId,
        rows.map((r) => r.row),
        rows.map((r) => r.documentId),
        rows.map((r) => r.agencyCode),
        rows.map((r) => r.outcome),
        rows.map((r) => r.rule ?? null),
        rows.map((r) => r.field ?? null),
        rows.map((r) => r.message ?? null),
      ],
    )
  }

  /** Outcome counts of an import so far (progress while it runs). */
  async counts(importId: string): Promise<Record<RowOutcome, number>> {
    const { rows } = await this.db.query<{ outcome: RowOutcome; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM digitisation_import_rows WHERE import_id = $1 GROUP BY outcome`,
      [importId],
    )
    const out = { stored: 0, already: 0, blocked: 0, error: 0 }
    for (const r of rows) out[r.outcome] = r.n
    return out
  }

  async errors(importId: string, limit: number): Promise<RowRecord[]> {
    const { rows } = await this.db.query<{ row_no: number; document_id: string | null; rule: string; field: string; message: string }>(
      `SELECT row_no, document_id, rule, field, message FROM digitisation_import_rows WHERE import_id = $1 AND outcome = 'error' ORDER BY row_no LIMIT $2`,
      [importId, limit],
    )
    return rows.map((r) => ({ row: r.row_no, documentId: r.document_id, agencyCode: null, outcome: 'error', rule: r.rule, field: r.field, message: r.message }))
  }

  /** The document id an earlier import stored this file under, if any. */
  async documentOfFile(sha256: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ document_id: string }>(`SELECT document_id FROM digitisation_imported WHERE file_sha256 = $1 LIMIT 1`, [sha256])
    return rows[0]?.document_id
  }

  /** Records an imported document once (a re-run finds it there). */
  async recordImported(d: ImportedDoc): Promise<void> {
    await this.db.query(
      `INSERT INTO digitisation_imported (document_id, warehouse_id, agency_code, pages, file_sha256, signed, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (document_id) DO NOTHING`,
      [d.documentId, d.warehouseId, d.agencyCode, d.pages, d.sha256, d.signed, d.importId],
    )
  }

  /** Signed documents and their pages imported per agency (every import), and how many more the signature gate blocked. */
  async progress(): Promise<AgencyProgressRow[]> {
    const { rows } = await this.db.query<AgencyProgressRow>(
      `SELECT agency_code, count(*) FILTER (WHERE signed)::int AS documents, COALESCE(sum(pages) FILTER (WHERE signed), 0)::int AS pages,
         count(*) FILTER (WHERE NOT signed)::int AS unsigned
       FROM digitisation_imported GROUP BY agency_code ORDER BY agency_code`,
    )
    return rows
  }
}
