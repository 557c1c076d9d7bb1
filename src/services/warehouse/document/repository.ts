import type { Queryable } from '../../../store/index.js'
import type { SignatureOutcome } from '../../../documents/signature/index.js'

/** A `warehouse_documents` row as the capabilities read it (dates as text, timestamps as Date). */
export interface DocRow {
  id: string
  local_id: string | null
  source: 'local' | 'national'
  owner_id: string
  owner_id_type: string
  owner_name: string | null
  document_code: string | null
  result_code: string | null
  title: string | null
  number: string | null
  issuing_agency: string | null
  custodian_agency: string | null
  issued_on: string | Date | null
  valid_until: string | Date | null
  permanent: boolean
  scope: string | null
  summary: string | null
  signer: string | null
  digitisation_kind: string | null
  procedure_code: string | null
  field_code: string | null
  dossier_code: string | null
  agency_code: string | null
  blob_sha256: string | null
  size: string | number | null
  content_type: string | null
  file_name: string | null
  fetch_state: string
  signature_status: SignatureOutcome['status'] | null
  signature_reason: string | null
  signature_signer: string | null
  signature_signed_at: Date | null
  signature_checked_at: Date | null
  /** The signature policy's decision (migration 0800): `blocked` is never pushed nor offered for reuse. */
  signature_decision: 'pass' | 'warn' | 'blocked'
  signature_policy: string | null
  signature_reasons: string[]
  national_ref: string | null
  client_id: string | null
  body_sha256: string | null
  push_state: string
  push_attempts: number
  last_push_error: string | null
  created_at: Date
}

/** The column list of {@link DocRow} (dates read as text: no time zone shift on either engine). */
export const DOC_COLUMNS = `id, local_id, source, owner_id, owner_id_type, owner_name, document_code, result_code, title, number, issuing_agency,
  custodian_agency, issued_on::text AS issued_on, valid_until::text AS valid_until, permanent, scope, summary, signer, digitisation_kind,
  procedure_code, field_code, dossier_code, agency_code, blob_sha256, size, content_type, file_name, fetch_state, signature_status,
  signature_reason, signature_signer, signature_signed_at, signature_checked_at, signature_decision, signature_policy, signature_reasons, national_ref, client_id, body_sha256, push_state, push_attempts, last_push_error, created_at`

/** Reads of single documents shared by intake (replays), reuse (reads) and the blob sweeper. */
export class DocumentRepository {
  constructor(private readonly db: Queryable) {}

  async byId(id: string): Promise<DocRow | undefined> {
    const { rows } = await this.db.query<DocRow>(`SELECT ${DOC_COLUMNS} FROM warehouse_documents WHERE id = $1`, [id])
    return rows[0]
  }

  /** A locally digitised document by the province's id (`documentId`, the national `Ma`). */
  async byLocalId(localId: string): Promise<DocRow | undefined> {
    const { rows } = await this.db.query<DocRow>(`SELECT ${DOC_COLUMNS} FROM warehouse_documents WHERE local_id = $1`, [localId])
    return rows[0]
  }

  /** Of these blob hashes, the ones a document references (the one column referencing blobs, local and mirrored alike). */
  async referencedBlobs(hashes: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query<{ blob_sha256: string }>(`SELECT DISTINCT blob_sha256 FROM warehouse_documents WHERE blob_sha256 = ANY($1::text[])`, [
      hashes,
    ])
    return rows.map((r) => r.blob_sha256)
  }
}
