import type { SignatureColumns } from '../signature-gate.js'
import type { Queryable } from '../../../store/index.js'
import { DOC_COLUMNS, type DocRow } from '../document/repository.js'

/** A locally digitised document as intake stores it (`push_state` starts `pending`). */
export interface LocalDocumentInput {
  localId: string
  ownerIdType: string
  ownerId: string
  ownerName: string | null
  documentCode: string
  resultCode: string | null
  title: string | null
  number: string | null
  issuingAgency: string | null
  issuedOn: string | null
  validUntil: string | null
  permanent: boolean
  scope: string | null
  summary: string | null
  signer: string | null
  digitisationKind: string | null
  agencyCode: string
  procedureCode: string | null
  fieldCode: string | null
  dossierCode: string | null
  blobSha256: string
  size: number
  contentType: string
  fileName: string
  signatureStatus: string
  signatureReason: string | null
  signatureSigner: string | null
  signatureSignedAt: string | null
  /** The signature policy's decision: `blocked` is stored with push_state `none` (never pushed). */
  signatureDecision?: 'pass' | 'warn' | 'blocked'
  signaturePolicy?: string
  signatureReasons?: readonly string[]
  /** JSON of the check's evidence (chain, algorithms, revocation answer, time). */
  signatureEvidence?: string
  clientId: string
  /** Idempotency hash of the request body (the file as its content hash). */
  bodySha256: string
}

/** A local document whose upload has no job (lost, or its job's attempts ran out). */
export interface PushToResume {
  id: string
  push_attempts: number
}

/**
 * All SQL of local intake and the push outbox. Push states: `pending` → `pushed`, or
 * `failed` on a permanent refusal. One pusher at a time holds `push_lease_until`; while a
 * job owns the retries, `push_next_at` keeps the reconciler away.
 */
export class IntakeRepository {
  constructor(private readonly db: Queryable) {}

  /** Inserts a local document; undefined when its `local_id` already exists (a concurrent request won). */
  async insertLocal(d: LocalDocumentInput): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(
      `INSERT INTO warehouse_documents (local_id, owner_id_type, owner_id, owner_name, document_code, result_code, title, number, issuing_agency,
         issued_on, valid_until, permanent, scope, summary, signer, digitisation_kind, source, agency_code, procedure_code, field_code, dossier_code,
         blob_sha256, size, content_type, file_name, fetch_state, signature_status, signature_reason, signature_signer, signature_signed_at,
         signature_checked_at, push_state, client_id, body_sha256, signature_decision, signature_policy, signature_reasons, signature_evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'local', $17, $18, $19, $20, $21, $22, $23, $24, 'stored',
         $25, $26, $27, $28, now(), CASE WHEN $31::text = 'blocked' THEN 'none' ELSE 'pending' END, $29, $30, $31, $32, $33::text[], $34::jsonb)
       ON CONFLICT (local_id) WHERE local_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        d.localId,
        d.ownerIdType,
        d.ownerId,
        d.ownerName,
        d.documentCode,
        d.resultCode,
        d.title,
        d.number,
        d.issuingAgency,
        d.issuedOn,
        d.permanent ? null : d.validUntil,
        d.permanent,
        d.scope,
        d.summary,
        d.signer,
        d.digitisationKind,
        d.agencyCode,
        d.procedureCode,
        d.fieldCode,
        d.dossierCode,
        d.blobSha256,
        d.size,
        d.contentType,
        d.fileName,
        d.signatureStatus,
        d.signatureReason,
        d.signatureSigner,
        d.signatureSignedAt,
        d.clientId,
        d.bodySha256,
        d.signatureDecision ?? 'pass',
        d.signaturePolicy ?? null,
        d.signatureReasons ?? [],
        d.signatureEvidence ?? null,
      ],
    )
    return rows[0]?.id
  }

  /**
   * Stores a new signature check of a document. A local document not yet delivered follows the
   * decision: blocked → out of the push outbox (`none`); no longer blocked → back in (`pending`).
   * Answers the push state before and after.
   */
  async recordSignatureCheck(id: string, c: SignatureColumns): Promise<{ before: string; after: string } | undefined> {
    const { rows } = await this.db.query<{ before: string; after: string }>(
      `UPDATE warehouse_documents d SET signature_status = $2, signature_reason = $3, signature_signer = $4, signature_signed_at = $5, signature_checked_at = now(),
         signature_decision = $6, signature_policy = $7, signature_reasons = $8::text[], signature_evidence = $9::jsonb, updated_at = now(),
         push_state = CASE
           WHEN d.source = 'local' AND d.local_id IS NOT NULL AND d.push_state = 'none' AND $6::text <> 'blocked' THEN 'pending'
           WHEN d.source = 'local' AND d.push_state = 'pending' AND $6::text = 'blocked' THEN 'none'
           ELSE d.push_state END
       FROM (SELECT id, push_state FROM warehouse_documents WHERE id = $1 FOR UPDATE) old
       WHERE d.id = old.id RETURNING old.push_state AS before, d.push_state AS after`,
      [
        id,
        c.signatureStatus,
        c.signatureReason,
        c.signatureSigner,
        c.signatureSignedAt,
        c.signatureDecision,
        c.signaturePolicy,
        c.signatureReasons,
        c.signatureEvidence,
      ],
    )
    return rows[0]
  }

  /** Leases a pending document for one upload; undefined when it is delivered, refused or leased by another pusher. */
  async claimPush(id: string, leaseMs: number): Promise<DocRow | undefined> {
    const { rows } = await this.db.query<DocRow>(
      `UPDATE warehouse_documents SET push_lease_until = now() + make_interval(secs => $2::float8 / 1000)
       WHERE id = $1 AND push_state = 'pending' AND signature_decision <> 'blocked' AND (push_lease_until IS NULL OR push_lease_until < now())
       RETURNING ${DOC_COLUMNS}`,
      [id, leaseMs],
    )
    return rows[0]
  }

  /** Delivered: the national id is kept (a first one is never overwritten). */
  async markPushed(id: string, nationalId: string | null): Promise<void> {
    await this.db.query(
      `UPDATE warehouse_documents SET push_state = 'pushed', pushed_at = now(), push_attempts = push_attempts + 1, last_push_error = NULL,
         national_ref = COALESCE(national_ref, $2), push_lease_until = NULL, push_next_at = NULL, updated_at = now() WHERE id = $1`,
      [id, nationalId],
    )
  }

  /** A transient failure: the lease is released; the job's retry owns the document for up to `holdMs`. */
  async recordPushRetry(id: string, attempts: number, error: string, holdMs: number): Promise<void> {
    await this.db.query(
      `UPDATE warehouse_documents SET push_attempts = $2, last_push_error = $3, push_next_at = now() + make_interval(secs => $4::float8 / 1000),
         push_lease_until = NULL, updated_at = now() WHERE id = $1`,
      [id, attempts, error, holdMs],
    )
  }

  /** A permanent refusal: the final state, kept with its reason. */
  async markPushFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE warehouse_documents SET push_state = 'failed', push_attempts = $2, last_push_error = $3, push_lease_until = NULL, updated_at = now() WHERE id = $1`,
      [id, attempts, error],
    )
  }

  /** Pending documents no job holds: not leased, past their hold, untouched for `graceMs`; oldest first. */
  async pushesToResume(graceMs: number, limit = 1000): Promise<PushToResume[]> {
    const { rows } = await this.db.query<PushToResume>(
      `SELECT id, push_attempts FROM warehouse_documents
       WHERE push_state = 'pending' AND (push_next_at IS NULL OR push_next_at <= now())
         AND (push_lease_until IS NULL OR push_lease_until < now())
         AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY updated_at LIMIT $2`,
      [graceMs, limit],
    )
    return rows
  }

  /** Local documents that will not be delivered (the `push_failed` gauge). */
  async countFailed(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE push_state = 'failed'`)
    return rows[0]?.n ?? 0
  }

  /** Local documents not yet delivered (the `push_pending` gauge). */
  async countPending(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE push_state = 'pending'`)
    return rows[0]?.n ?? 0
  }
}
