import type { Queryable } from '../../../store/index.js'
import type { OwnerIdType } from '../../../documents/integrity.js'

export type MirrorOwnerState = 'pending' | 'running' | 'done' | 'failed'

/** A `warehouse_mirror_owners` row as the mirror job reads it. */
export interface MirrorOwnerRow {
  owner_id: string
  state: MirrorOwnerState
}

/** An owner the reconciler hands back to the queue (its job was lost). */
export interface StalledOwnerRow {
  ref: string
  backfill_id: string | null
  attempts: number
}

/** One stored file of a national result, as the mirror upserts it. */
export interface MirroredFileInput {
  ownerIdType: OwnerIdType
  ownerId: string
  documentCode: string | null
  resultCode: string | null
  title: string | null
  number: string | null
  custodianAgency: string | null
  issuedOn: string | null
  validUntil: string | null
  permanent: boolean
  signer: string | null
  agencyCode: string
  blobSha256: string
  size: number
  fileName: string | null
  nationalFilePath: string
  /** Downloads this file took (integrity re-downloads included). */
  fetchAttempts: number
  signatureStatus: string
  signatureReason: string | null
  signatureSigner: string | null
  signatureSignedAt: string | null
  /** The signature policy's decision, mode, reasons and evidence (JSON). */
  signatureDecision?: string
  signaturePolicy?: string
  signatureReasons?: readonly string[]
  signatureEvidence?: string
  /** The national identity of the file (custodian agency | path): the upsert key. */
  nationalRef: string
}

/** A file that could not be stored: the metadata is kept with the failure, so operators see what is missing. */
export interface FailedFileInput {
  ownerIdType: OwnerIdType
  ownerId: string
  resultCode: string | null
  title: string | null
  number: string | null
  custodianAgency: string | null
  agencyCode: string
  fileName: string | null
  nationalFilePath: string
  fetchAttempts: number
  error: string
  nationalRef: string
}

export interface BackfillCounts {
  state: MirrorOwnerState
  n: number
  docs: number
}

/** All SQL of the mirror: owners (resumable backfills) and the mirrored documents. */
export class MirrorRepository {
  constructor(private readonly db: Queryable) {}

  /** Marks an owner running (inserting it when a mirror was asked for directly), counting the attempt. */
  async startOwner(ownerId: string, type: OwnerIdType): Promise<void> {
    await this.db.query(
      `INSERT INTO warehouse_mirror_owners (owner_id, owner_id_type, state, attempts) VALUES ($1, $2, 'running', 1)
       ON CONFLICT (owner_id) DO UPDATE SET state = 'running', attempts = warehouse_mirror_owners.attempts + 1, updated_at = now()`,
      [ownerId, type],
    )
  }

  /** Of these national file refs, the ones already stored, with their blob hash. */
  async storedFiles(refs: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ national_ref: string; blob_sha256: string }>(
      `SELECT national_ref, blob_sha256 FROM warehouse_documents WHERE national_ref = ANY($1::text[]) AND fetch_state = 'stored'`,
      [refs],
    )
    return new Map(rows.map((r) => [r.national_ref, r.blob_sha256]))
  }

  /** Records a pass over an owner: `done` without error; with one, the error stays and the state is left to the job. */
  async finishOwner(ownerId: string, cursor: { files: number; stored: number }, documentsSeen: number, error: string | null): Promise<void> {
    if (error !== null) {
      await this.db.query(`UPDATE warehouse_mirror_owners SET cursor = $2, documents_seen = $3, last_error = $4, updated_at = now() WHERE owner_id = $1`, [
        ownerId,
        JSON.stringify(cursor),
        documentsSeen,
        error,
      ])
      return
    }
    await this.db.query(
      `UPDATE warehouse_mirror_owners SET state = 'done', cursor = $2, documents_seen = $3, last_error = NULL, last_synced_at = now(), updated_at = now() WHERE owner_id = $1`,
      [ownerId, JSON.stringify(cursor), documentsSeen],
    )
  }

  /** Inserts or refreshes a stored national file (idempotent on its national ref). */
  async upsertMirrored(f: MirroredFileInput): Promise<void> {
    await this.db.query(
      `INSERT INTO warehouse_documents (owner_id_type, owner_id, document_code, result_code, title, number, issuing_agency, custodian_agency,
         issued_on, valid_until, permanent, signer, source, agency_code, blob_sha256, size, content_type, file_name, national_file_path,
         fetch_state, fetch_attempts, signature_status, signature_reason, signature_signer, signature_signed_at, signature_checked_at, national_ref,
         signature_decision, signature_policy, signature_reasons, signature_evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, 'national', $12, $13, $14, 'application/pdf', $15, $16,
         'stored', $17, $18, $19, $20, $21, now(), $22, $23, $24, $25::text[], $26::jsonb)
       ON CONFLICT (national_ref) WHERE national_ref IS NOT NULL DO UPDATE SET
         document_code = EXCLUDED.document_code, result_code = EXCLUDED.result_code, title = EXCLUDED.title, number = EXCLUDED.number,
         issued_on = EXCLUDED.issued_on, valid_until = EXCLUDED.valid_until, permanent = EXCLUDED.permanent, signer = EXCLUDED.signer,
         blob_sha256 = EXCLUDED.blob_sha256, size = EXCLUDED.size, file_name = EXCLUDED.file_name, fetch_state = 'stored',
         fetch_attempts = warehouse_documents.fetch_attempts + EXCLUDED.fetch_attempts, last_fetch_error = NULL,
         signature_status = EXCLUDED.signature_status, signature_reason = EXCLUDED.signature_reason, signature_signer = EXCLUDED.signature_signer,
         signature_signed_at = EXCLUDED.signature_signed_at, signature_checked_at = now(), signature_decision = EXCLUDED.signature_decision,
         signature_policy = EXCLUDED.signature_policy, signature_reasons = EXCLUDED.signature_reasons, signature_evidence = EXCLUDED.signature_evidence,
         updated_at = now()`,
      [
        f.ownerIdType,
        f.ownerId,
        f.documentCode,
        f.resultCode,
        f.title,
        f.number,
        f.custodianAgency,
        f.issuedOn,
        f.permanent ? null : f.validUntil,
        f.permanent,
        f.signer,
        f.agencyCode,
        f.blobSha256,
        f.size,
        f.fileName,
        f.nationalFilePath,
        f.fetchAttempts,
        f.signatureStatus,
        f.signatureReason,
        f.signatureSigner,
        f.signatureSignedAt,
        f.nationalRef,
        f.signatureDecision ?? 'pass',
        f.signaturePolicy ?? null,
        f.signatureReasons ?? [],
        f.signatureEvidence ?? null,
      ],
    )
  }

  /** Records a file that failed every download (no blob); a stored row of the same file keeps its blob. */
  async recordFetchFailure(f: FailedFileInput): Promise<void> {
    await this.db.query(
      `INSERT INTO warehouse_documents (owner_id_type, owner_id, result_code, title, number, custodian_agency, source, agency_code, file_name, national_file_path, fetch_state, fetch_attempts, last_fetch_error, national_ref)
       VALUES ($1, $2, $3, $4, $5, $6, 'national', $7, $8, $9, 'failed', $10, $11, $12)
       ON CONFLICT (national_ref) WHERE national_ref IS NOT NULL DO UPDATE SET fetch_attempts = warehouse_documents.fetch_attempts + EXCLUDED.fetch_attempts,
         last_fetch_error = EXCLUDED.last_fetch_error, updated_at = now()`,
      [
        f.ownerIdType,
        f.ownerId,
        f.resultCode,
        f.title,
        f.number,
        f.custodianAgency,
        f.agencyCode,
        f.fileName,
        f.nationalFilePath,
        f.fetchAttempts,
        f.error,
        f.nationalRef,
      ],
    )
  }

  /** The owner a job refers to (jobs carry the surrogate key, never the identity number). */
  async ownerByRef(ref: string): Promise<MirrorOwnerRow | undefined> {
    const { rows } = await this.db.query<MirrorOwnerRow>(`SELECT owner_id, state FROM warehouse_mirror_owners WHERE ref = $1`, [ref])
    return rows[0]
  }

  async setOwnerState(ownerId: string, state: MirrorOwnerState, error: string | null): Promise<void> {
    await this.db.query(`UPDATE warehouse_mirror_owners SET state = $2, last_error = $3, updated_at = now() WHERE owner_id = $1`, [ownerId, state, error])
  }

  /** Puts owners (back) in line for a backfill, resetting their attempts; returns their refs. */
  async enqueueOwners(ownerIds: readonly string[], types: readonly string[], backfillId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ ref: string }>(
      `INSERT INTO warehouse_mirror_owners (owner_id, owner_id_type, state, backfill_id)
       SELECT o, t, 'pending', $3 FROM unnest($1::text[], $2::text[]) AS x(o, t)
       ON CONFLICT (owner_id) DO UPDATE SET state = 'pending', backfill_id = EXCLUDED.backfill_id, attempts = 0, updated_at = now()
       RETURNING ref::text AS ref`,
      [ownerIds, types, backfillId],
    )
    return rows.map((r) => r.ref)
  }

  /** Owners and documents seen of a backfill, per state (no rows: unknown backfill). */
  async backfillCounts(backfillId: string): Promise<BackfillCounts[]> {
    const { rows } = await this.db.query<BackfillCounts>(
      `SELECT state, count(*)::int AS n, COALESCE(sum(documents_seen), 0)::int AS docs FROM warehouse_mirror_owners WHERE backfill_id = $1 GROUP BY state`,
      [backfillId],
    )
    return rows
  }

  /**
   * Owners left `pending` or `running` longer than `staleMs`: only a job holds an owner in those
   * states, so its job was lost. Touched so the next pass leaves them alone; at most `limit`.
   * Every worker's reconciler runs this: rows another pass is claiming are skipped (SKIP LOCKED),
   * otherwise that pass would wait for the other's commit and claim the same owners again.
   */
  async claimStalledOwners(staleMs: number, limit = 1000): Promise<StalledOwnerRow[]> {
    const { rows } = await this.db.query<StalledOwnerRow>(
      `UPDATE warehouse_mirror_owners SET updated_at = now() WHERE owner_id IN (
         SELECT owner_id FROM warehouse_mirror_owners
         WHERE state IN ('pending', 'running') AND updated_at < now() - make_interval(secs => $1::float8 / 1000) LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING ref::text AS ref, backfill_id, attempts`,
      [staleMs, limit],
    )
    return rows
  }
}
