import type { Queryable } from '../../../store/index.js'
import { DOC_COLUMNS, type DocRow } from '../document/repository.js'

/** The reuse query's filters, already resolved (codes from the request and the catalog). */
export interface OwnerDocumentFilter {
  ownerId: string
  documentCodes: readonly string[]
  resultCodes: readonly string[]
  /** Valid (and already issued) on this `YYYY-MM-DD` date. */
  validOn: string | null
  signature: string | null
  /** Agencies the client serves (`*` for all): local documents of other agencies are left out. */
  agencies: readonly string[]
  limit: number
  offset: number
}

export interface UsageInput {
  documentId: string
  dossierCode: string
  procedureCode: string | null
  componentCode: string
  agencyCode: string
}

/** All SQL of the reuse reads: an owner's stored documents and the usage records. */
export class ReuseRepository {
  constructor(private readonly db: Queryable) {}

  /** Stored documents of an owner, newest issue first; no codes given means every code. Never a document the signature policy blocked. */
  async ownerDocuments(f: OwnerDocumentFilter): Promise<DocRow[]> {
    const byCode = f.documentCodes.length > 0 || f.resultCodes.length > 0
    const { rows } = await this.db.query<DocRow>(
      `SELECT ${DOC_COLUMNS} FROM warehouse_documents
       WHERE owner_id = $1 AND fetch_state = 'stored' AND signature_decision <> 'blocked'
         AND (NOT $2::boolean OR document_code = ANY($3::text[]) OR result_code = ANY($4::text[]))
         AND ($5::date IS NULL OR ((permanent OR valid_until IS NULL OR valid_until >= $5::date) AND (issued_on IS NULL OR issued_on <= $5::date)))
         AND ($6::text IS NULL OR signature_status = $6::text)
         AND (source = 'national' OR '*' = ANY($9::text[]) OR agency_code = ANY($9::text[]))
       ORDER BY issued_on DESC NULLS LAST, created_at DESC, id LIMIT $7 OFFSET $8`,
      [f.ownerId, byCode, f.documentCodes, f.resultCodes, f.validOn, f.signature, f.limit, f.offset, f.agencies],
    )
    return rows
  }

  /** When the owner was last mirrored completely from the national warehouse (null: never). */
  async lastMirrored(ownerId: string): Promise<Date | null> {
    const { rows } = await this.db.query<{ last_synced_at: Date | string | null }>(`SELECT last_synced_at FROM warehouse_mirror_owners WHERE owner_id = $1`, [
      ownerId,
    ])
    const v = rows[0]?.last_synced_at
    return v ? new Date(v) : null
  }

  /** Records a usage once per document, dossier and component; true when it is new. */
  async insertUsage(u: UsageInput): Promise<boolean> {
    const res = await this.db.query(
      `INSERT INTO warehouse_usage (document_id, dossier_code, procedure_code, component_code, agency_code) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (document_id, dossier_code, component_code) DO NOTHING`,
      [u.documentId, u.dossierCode, u.procedureCode, u.componentCode, u.agencyCode],
    )
    return (res.rowCount ?? 0) > 0
  }
}
