import { createHash, randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { UnrecoverableError, type Job, type Queue } from 'bullmq'
import { Counter, Gauge } from 'prom-client'
import type {
  BackfillBody,
  BackfillProgress,
  OwnerDocumentsQuery,
  OwnerDocumentsReply,
  StatsQuery,
  StatsReply,
  UsageBody,
  WarehouseDocument,
  WarehouseDocumentAccepted,
  WarehouseDocumentBody,
} from '../../../schemas/v1/warehouse.js'
import type { AuditWriter } from '../../audit/index.js'
import { ClientRegistry, type Client } from '../../auth/clients.js'
import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { HubError, fieldError } from '../../errors.js'
import { UpstreamError, isRetryable, toUpstreamError } from '../../http/errors.js'
import { Semaphore } from '../../http/semaphore.js'
import {
  mapGetGiayToByUrlReply,
  mapGetKetQuaGiayToReply,
  toDigitizedRecord,
  toGetGiayToByUrlRequest,
  toGetKetQuaGiayToRequest,
  WarehouseMappingError,
  type MirroredDocumentRef,
  type MirroredFileRef,
  type WarehouseDocumentRecord,
} from '../../mappings/warehouse/index.js'
import { QUEUES } from '../../queue/names.js'
import { DiskBlobStore, BlobIntegrityError, type BlobStore, type SweepResult } from '../../warehouse/blob-store/index.js'
import { acceptContentType, checkFileSignature } from '../../warehouse/content-type.js'
import { checkDownload, detectOwnerIdType, type OwnerIdType } from '../../warehouse/integrity.js'
import { createPdfSignatureVerifier, type PdfSignatureVerifier, type SignatureOutcome } from '../../warehouse/signature/index.js'
import { loadTrustAnchors } from '../../warehouse/trust-anchors.js'
import { retryDelayMs } from '../dossiers/backoff.js'
import { bodyHash } from '../idempotency.js'
import type { HubService, ServiceContext } from '../index.js'
import { RateLimiter } from './rate-limit.js'

/** Job data: references only (the owner's surrogate key, a document uuid), never an identity number. */
export interface MirrorJob {
  ownerRef: string
  backfillId?: string
}
export interface PushJob {
  id: string
}

/** Who is asking: the client (object-level access) and the request (audit). */
export interface Caller {
  client: Client
  clientId: string
  requestId?: string
}

export interface MirrorResult {
  files: number
  downloaded: number
  skipped: number
  integrityRetries: number
  failed: number
}

interface DocRow {
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
  national_ref: string | null
  client_id: string | null
  body_sha256: string | null
  push_state: string
  push_attempts: number
  created_at: Date
}

const DOC_COLUMNS = `id, local_id, source, owner_id, owner_id_type, owner_name, document_code, result_code, title, number, issuing_agency,
  custodian_agency, issued_on::text AS issued_on, valid_until::text AS valid_until, permanent, scope, summary, signer, digitisation_kind,
  procedure_code, field_code, dossier_code, agency_code, blob_sha256, size, content_type, file_name, fetch_state, signature_status,
  signature_reason, signature_signer, signature_signed_at, signature_checked_at, national_ref, client_id, body_sha256, push_state, push_attempts, created_at`

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined)
const day = (d: string | Date | null) => (d === null ? undefined : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10))
const opt = <K extends string, V>(k: K, v: V | null | undefined) => (v === null || v === undefined || v === '' ? {} : ({ [k]: v } as Record<K, V>))
const codes = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [])
const nationalRef = (doc: MirroredDocumentRef, file: MirroredFileRef) => `${doc.custodianAgency ?? ''}|${file.path}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const BLOB_SWEEP_JOB = 'blob-sweep'

async function toBuffer(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

/**
 * The warehouse: documents of citizens and organisations, mirrored from the national
 * warehouse (per owner: `GetKetQuaGiayTo`, then `GetGiayToByUrl` per file not held yet,
 * each file checked before it is stored, its signature verified) and digitised locally
 * (stored, then pushed with `DongBoKetQuaSoHoa` with the delivery guarantees of dossier
 * sync: durable row first, leased, retried with backoff, idempotent on the document id).
 */
export class WarehouseService implements HubService {
  readonly blobs: BlobStore
  readonly trustAnchorsSource: string
  private readonly verify: PdfSignatureVerifier
  private readonly mirrorQueue: Queue
  private readonly pushQueue: Queue
  private readonly downloads: Semaphore
  private readonly rate: RateLimiter
  private readonly agency: string
  private timer?: NodeJS.Timeout
  /** Audit rows of the read path, batched (see AuditWriter). */
  readonly audit: AuditWriter
  private catalogPresent?: boolean
  readonly metrics: { files: Counter<'outcome'>; signatures: Counter<'status'>; pushes: Counter<'outcome'>; pending: Gauge; swept: Counter<'kind'> }
  private readonly housekeeping: Queue

  constructor(private readonly ctx: ServiceContext) {
    const cfg = ctx.config
    // Every in-flight download listens to the shutdown signal.
    setMaxListeners(0, ctx.shutdownSignal)
    this.blobs = new DiskBlobStore(cfg.BLOB_DIR || join(cfg.DATA_DIR, 'blobs'))
    const anchors = loadTrustAnchors(cfg)
    this.trustAnchorsSource = anchors.source
    if (anchors.pems.length === 0) ctx.logger.warn('no trust anchors for warehouse signatures (WAREHOUSE_TRUST_ANCHORS_FILE): every signed file will be recorded as untrusted')
    this.verify = createPdfSignatureVerifier(anchors.pems)
    this.mirrorQueue = ctx.queues.queue(QUEUES.warehouseMirror)
    this.pushQueue = ctx.queues.queue(QUEUES.warehousePush)
    this.housekeeping = ctx.queues.queue(QUEUES.housekeeping)
    this.downloads = new Semaphore(cfg.WAREHOUSE_DOWNLOAD_CONCURRENCY)
    this.rate = new RateLimiter(cfg.WAREHOUSE_RATE_PER_SEC)
    this.agency = cfg.WAREHOUSE_AGENCY_CODE || cfg.DVCQG_UNIT_CODE
    this.audit = ctx.audit
    const registers = [ctx.metrics.registry]
    const db = ctx.db
    this.metrics = {
      files: new Counter({ name: 'lgsp_hub_warehouse_files_total', help: 'Mirrored files by outcome (stored, skipped, integrity_retry, failed)', labelNames: ['outcome'] as const, registers }),
      signatures: new Counter({ name: 'lgsp_hub_warehouse_signatures_total', help: 'Signature outcomes of ingested files', labelNames: ['status'] as const, registers }),
      pushes: new Counter({ name: 'lgsp_hub_warehouse_pushes_total', help: 'Upload attempts of local documents by outcome', labelNames: ['outcome'] as const, registers }),
      pending: new Gauge({
        name: 'lgsp_hub_warehouse_push_pending',
        help: 'Local documents not yet delivered to the national warehouse',
        registers,
        async collect() {
          const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE push_state = 'pending'`)
          this.set(rows[0]?.n ?? 0)
        },
      }),
      swept: new Counter({ name: 'lgsp_hub_warehouse_blobs_swept_total', help: 'Files deleted by the blob sweeper: unreferenced blobs (blob) and stale temporary files (temp)', labelNames: ['kind'] as const, registers }),
    }
  }

  private get dvcqg(): DvcqgApi {
    const c = this.ctx.connectors.get('dvcqg') as DvcqgApi | undefined
    if (!c) throw new Error('the dvcqg connector is not enabled (CONNECTORS_ENABLED)')
    return c
  }

  // ---------------------------------------------------------------- mirror

  /** Lists an owner's results at the national warehouse. */
  async listOwner(ownerId: string, signal?: AbortSignal): Promise<MirroredDocumentRef[]> {
    const req = toGetKetQuaGiayToRequest({ ownerId, requesterName: 'lgsp-hub', requesterId: this.ctx.config.WAREHOUSE_REQUESTER_ID, channel: 2 })
    await this.rate.take(signal)
    // Not `idempotent` for the transport: the mirror job is this path's one retry layer.
    const ok = await this.dvcqg.call('GetKetQuaGiayTo', { ...req }, { signal, idempotent: false })
    const mapped = mapGetKetQuaGiayToReply({ errorCode: 0, message: ok.message ?? '', result: ok.result[0] ?? null })
    if (mapped.kind === 'found') return mapped.value
    if (mapped.kind === 'not_found') return []
    if (mapped.kind === 'fault') throw new UpstreamError('dvcqg', mapped.retryable ? 'malformed' : 'rejected', `GetKetQuaGiayTo: ${mapped.message}`)
    throw new UpstreamError('dvcqg', 'malformed', `GetKetQuaGiayTo: ${mapped.message}`)
  }

  private async download(doc: MirroredDocumentRef, file: MirroredFileRef, signal?: AbortSignal): Promise<Buffer> {
    await this.rate.take(signal)
    const ok = await this.downloads.run(() => this.dvcqg.call('GetGiayToByUrl', { ...toGetGiayToByUrlRequest({ custodianAgency: doc.custodianAgency, path: file.path }) }, { signal, idempotent: false }))
    const mapped = mapGetGiayToByUrlReply(ok.result[0] ?? '')
    if (mapped.kind === 'found') return mapped.value
    throw new UpstreamError('dvcqg', mapped.kind === 'malformed' || (mapped.kind === 'fault' && mapped.retryable) ? 'malformed' : 'rejected', `GetGiayToByUrl: ${mapped.message}`)
  }

  /**
   * Mirrors one owner: lists the results, downloads each file the hub does not hold yet
   * (a second run transfers nothing), checks it (listed SHA-256, else size and PDF frame),
   * re-downloads a damaged file up to WAREHOUSE_DOWNLOAD_ATTEMPTS times, never storing it,
   * verifies the signature and upserts the document row. Stored files survive a crash, so
   * a retried or resumed owner continues where it stopped.
   */
  async mirrorOwner(ownerId: string, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => Promise<void> | void } = {}): Promise<MirrorResult> {
    const db = this.ctx.db
    const type = detectOwnerIdType(ownerId)
    await db.query(
      `INSERT INTO warehouse_mirror_owners (owner_id, owner_id_type, state, attempts) VALUES ($1, $2, 'running', 1)
       ON CONFLICT (owner_id) DO UPDATE SET state = 'running', attempts = warehouse_mirror_owners.attempts + 1, updated_at = now()`,
      [ownerId, type],
    )
    const docs = await this.listOwner(ownerId, opts.signal)
    const files = docs.flatMap((doc) => doc.files.map((file) => ({ doc, file, ref: nationalRef(doc, file) })))
    const { rows } = await db.query<{ national_ref: string; blob_sha256: string }>(
      `SELECT national_ref, blob_sha256 FROM warehouse_documents WHERE national_ref = ANY($1::text[]) AND fetch_state = 'stored'`,
      [files.map((f) => f.ref)],
    )
    const held = new Map(rows.map((r) => [r.national_ref, r.blob_sha256]))
    const todo = files.filter((f) => {
      const h = held.get(f.ref)
      return h === undefined || (f.file.sha256 !== undefined && f.file.sha256 !== h)
    })
    const result: MirrorResult = { files: files.length, downloaded: 0, skipped: files.length - todo.length, integrityRetries: 0, failed: 0 }
    this.metrics.files.labels('skipped').inc(result.skipped)
    let done = result.skipped
    const errors: string[] = []
    await Promise.all(
      todo.map(async (f) => {
        try {
          result.integrityRetries += await this.fetchFile(ownerId, type, f.doc, f.file, f.ref, opts.signal)
          result.downloaded++
        } catch (e) {
          result.failed++
          errors.push((e as Error).message)
        }
        done++
        await opts.onProgress?.(done, files.length)
      }),
    )
    const cursor = { files: files.length, stored: files.length - result.failed }
    if (result.failed > 0) {
      const message = `${result.failed} of ${files.length} files not stored: ${errors[0]}`.slice(0, 1000)
      await db.query(`UPDATE warehouse_mirror_owners SET cursor = $2, documents_seen = $3, last_error = $4, updated_at = now() WHERE owner_id = $1`, [ownerId, JSON.stringify(cursor), files.length, message])
      throw new UpstreamError('dvcqg', 'malformed', message)
    }
    await db.query(
      `UPDATE warehouse_mirror_owners SET state = 'done', cursor = $2, documents_seen = $3, last_error = NULL, last_synced_at = now(), updated_at = now() WHERE owner_id = $1`,
      [ownerId, JSON.stringify(cursor), files.length],
    )
    return result
  }

  /** Downloads, checks, stores and records one file; returns the integrity retries it took. */
  private async fetchFile(ownerId: string, type: OwnerIdType, doc: MirroredDocumentRef, file: MirroredFileRef, ref: string, signal?: AbortSignal): Promise<number> {
    const max = this.ctx.config.WAREHOUSE_DOWNLOAD_ATTEMPTS
    let lastError = ''
    for (let attempt = 1; attempt <= max; attempt++) {
      const bytes = await this.download(doc, file, signal)
      const check = checkDownload(bytes, { sha256: file.sha256, size: file.size })
      if (!check.ok) {
        lastError = `download ${attempt}/${max} failed the integrity check (${check.reason}, ${bytes.length} bytes)`
        this.metrics.files.labels('integrity_retry').inc()
        if (attempt < max) await sleep(retryDelayMs(attempt, 50, 1000))
        continue
      }
      let put
      try {
        put = await this.blobs.put(bytes, check.sha256)
      } catch (e) {
        if (e instanceof BlobIntegrityError) {
          lastError = e.message
          continue
        }
        throw e
      }
      const sig = this.verify(bytes)
      this.metrics.signatures.labels(sig.status).inc()
      await this.ctx.db.query(
        `INSERT INTO warehouse_documents (owner_id_type, owner_id, document_code, result_code, title, number, issuing_agency, custodian_agency,
           issued_on, valid_until, permanent, signer, source, agency_code, blob_sha256, size, content_type, file_name, national_file_path,
           fetch_state, fetch_attempts, signature_status, signature_reason, signature_signer, signature_signed_at, signature_checked_at, national_ref)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, 'national', $12, $13, $14, 'application/pdf', $15, $16,
           'stored', $17, $18, $19, $20, $21, now(), $22)
         ON CONFLICT (national_ref) WHERE national_ref IS NOT NULL DO UPDATE SET
           document_code = EXCLUDED.document_code, result_code = EXCLUDED.result_code, title = EXCLUDED.title, number = EXCLUDED.number,
           issued_on = EXCLUDED.issued_on, valid_until = EXCLUDED.valid_until, permanent = EXCLUDED.permanent, signer = EXCLUDED.signer,
           blob_sha256 = EXCLUDED.blob_sha256, size = EXCLUDED.size, file_name = EXCLUDED.file_name, fetch_state = 'stored',
           fetch_attempts = warehouse_documents.fetch_attempts + EXCLUDED.fetch_attempts, last_fetch_error = NULL,
           signature_status = EXCLUDED.signature_status, signature_reason = EXCLUDED.signature_reason, signature_signer = EXCLUDED.signature_signer,
           signature_signed_at = EXCLUDED.signature_signed_at, signature_checked_at = now(), updated_at = now()`,
        [
          type,
          ownerId,
          doc.documentCode ?? null,
          doc.resultCode,
          doc.title,
          doc.number,
          doc.custodianAgency,
          doc.issuedOn ?? null,
          doc.permanent ? null : (doc.validUntil ?? null),
          doc.permanent ?? false,
          doc.signer ?? null,
          this.agency,
          put.sha256,
          put.size,
          file.name,
          file.path,
          attempt,
          sig.status,
          sig.reason ?? null,
          sig.signer?.subject ?? null,
          sig.signingTime ?? null,
          ref,
        ],
      )
      this.metrics.files.labels('stored').inc()
      return attempt - 1
    }
    this.metrics.files.labels('failed').inc()
    // The metadata is kept with the failure (no blob), so operators see what is missing.
    await this.ctx.db.query(
      `INSERT INTO warehouse_documents (owner_id_type, owner_id, result_code, title, number, custodian_agency, source, agency_code, file_name, national_file_path, fetch_state, fetch_attempts, last_fetch_error, national_ref)
       VALUES ($1, $2, $3, $4, $5, $6, 'national', $7, $8, $9, 'failed', $10, $11, $12)
       ON CONFLICT (national_ref) WHERE national_ref IS NOT NULL DO UPDATE SET fetch_attempts = warehouse_documents.fetch_attempts + EXCLUDED.fetch_attempts,
         last_fetch_error = EXCLUDED.last_fetch_error, updated_at = now()`,
      [type, ownerId, doc.resultCode, doc.title, doc.number, doc.custodianAgency, this.agency, file.name, file.path, max, lastError, ref],
    )
    throw new Error(lastError)
  }

  /** The `warehouse-mirror` processor: one owner per job; BullMQ retries with backoff. */
  async processMirror(job: Job<MirrorJob>): Promise<MirrorResult | 'skipped'> {
    const { rows } = await this.ctx.db.query<{ owner_id: string; state: string }>(`SELECT owner_id, state FROM warehouse_mirror_owners WHERE ref = $1`, [job.data.ownerRef])
    const owner = rows[0]
    if (!owner) return 'skipped'
    try {
      return await this.mirrorOwner(owner.owner_id, {
        signal: this.ctx.shutdownSignal,
        onProgress: (done, total) => (done === total || done % 5 === 0 ? job.updateProgress({ done, total }) : undefined),
      })
    } catch (e) {
      const err = e instanceof UpstreamError || e instanceof WarehouseMappingError ? e : toUpstreamError('dvcqg', e)
      const final = !isRetryable(err) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      await this.ctx.db.query(`UPDATE warehouse_mirror_owners SET state = $2, last_error = $3, updated_at = now() WHERE owner_id = $1`, [owner.owner_id, final ? 'failed' : 'pending', err.message.slice(0, 1000)])
      if (!isRetryable(err)) throw new UnrecoverableError(err.message)
      throw err
    }
  }

  private mirrorJobOpts() {
    return { attempts: 5, backoff: { type: 'exponential', delay: this.ctx.config.RETRY_BASE_MS }, removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } }
  }

  /** `POST /admin/warehouse/backfill`: records the owners (resumable) and queues one mirror job each. */
  async backfill(body: BackfillBody): Promise<{ backfillId: string; owners: number }> {
    const backfillId = `bf${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
    const ids = [...new Set(body.ownerIds.map((s) => s.trim()))]
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000)
      const { rows } = await this.ctx.db.query<{ ref: string }>(
        `INSERT INTO warehouse_mirror_owners (owner_id, owner_id_type, state, backfill_id)
         SELECT o, t, 'pending', $3 FROM unnest($1::text[], $2::text[]) AS x(o, t)
         ON CONFLICT (owner_id) DO UPDATE SET state = 'pending', backfill_id = EXCLUDED.backfill_id, attempts = 0, updated_at = now()
         RETURNING ref::text AS ref`,
        [chunk, chunk.map((id) => body.ownerIdType ?? detectOwnerIdType(id)), backfillId],
      )
      await this.mirrorQueue.addBulk(
        rows.map((r) => ({ name: 'mirror', data: { ownerRef: r.ref, backfillId } satisfies MirrorJob, opts: { ...this.mirrorJobOpts(), jobId: `mirror-${r.ref}-${backfillId}` } })),
      )
    }
    return { backfillId, owners: ids.length }
  }

  async backfillProgress(backfillId: string): Promise<BackfillProgress> {
    const { rows } = await this.ctx.db.query<{ state: string; n: number; docs: number }>(
      `SELECT state, count(*)::int AS n, COALESCE(sum(documents_seen), 0)::int AS docs FROM warehouse_mirror_owners WHERE backfill_id = $1 GROUP BY state`,
      [backfillId],
    )
    if (rows.length === 0) throw new HubError('HUB_ERR_NOT_FOUND', `backfill ${backfillId} is unknown`)
    const by = (s: string) => rows.find((r) => r.state === s)?.n ?? 0
    return {
      backfillId,
      owners: rows.reduce((a, r) => a + r.n, 0),
      pending: by('pending'),
      running: by('running'),
      done: by('done'),
      failed: by('failed'),
      documents: rows.reduce((a, r) => a + r.docs, 0),
    }
  }

  // ---------------------------------------------------------------- local documents and push

  /**
   * `POST /v1/warehouse/documents`: stores a locally digitised document, then queues its
   * upload. The client must serve the document's agency (403). documentId is the national
   * Ma, so it stays unique hub-wide: the client that stored it gets the first answer for
   * the same body and 409 HUB_ERR_IDEMPOTENCY_CONFLICT for another; any other client gets
   * 409 HUB_ERR_CONFLICT and nothing of that document. Every check comes before the file is
   * written, so a refused upload leaves no blob behind.
   */
  async accept(body: WarehouseDocumentBody, client: Client): Promise<WarehouseDocumentAccepted & { replayed: boolean }> {
    const agencyCode = body.agencyCode ?? this.agency
    if (!ClientRegistry.servesAgency(client, agencyCode)) {
      throw fieldError('/body/agencyCode', `this client does not serve agency ${agencyCode}${body.agencyCode ? '' : ' (the default)'}`, 'HUB_AGENCY_NOT_SERVED', 'HUB_ERR_FORBIDDEN')
    }
    const contentType = acceptContentType(body.file.contentType)
    // Node's base64 decoder skips whitespace (documented), so wrapped files need no strip.
    const bytes = Buffer.from(body.file.contentBase64, 'base64')
    if (bytes.length === 0) throw fieldError('/body/file/contentBase64', 'the file is empty', 'HUB_WAREHOUSE_EMPTY_FILE')
    if (bytes.length > this.ctx.config.WAREHOUSE_MAX_FILE_BYTES) {
      throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', `the file has ${bytes.length} bytes; the limit is ${this.ctx.config.WAREHOUSE_MAX_FILE_BYTES}`)
    }
    checkFileSignature(contentType, bytes)
    const record = this.toRecord(body)
    try {
      toDigitizedRecord(record)
    } catch (e) {
      if (e instanceof WarehouseMappingError) {
        const i = e.issues[0]!
        throw fieldError(`/body/${i.field}`, i.message, 'HUB_WAREHOUSE_RECORD', 'HUB_ERR_MAPPING')
      }
      throw e
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (body.file.sha256 !== undefined && body.file.sha256.toLowerCase() !== sha256) {
      throw fieldError('/body/file/sha256', `the file hashes to ${sha256}, not to the given sha256`, 'HUB_WAREHOUSE_HASH_MISMATCH')
    }
    // The idempotency hash covers the body with the file as its content hash (not its base64 text).
    const hash = bodyHash({ ...body, file: { name: body.file.name, contentType: body.file.contentType ?? 'application/pdf', sha256 } })
    const earlier = await this.replayLocal(body.documentId)
    // Conflicts are decided before the blob is written (nothing stored for a refused body).
    if (earlier) {
      return { ...this.sameRequest(earlier, client, hash, sha256), replayed: true }
    }
    let put
    try {
      put = await this.blobs.put(bytes, sha256)
    } catch (e) {
      if (e instanceof BlobIntegrityError) throw fieldError('/body/file/sha256', `the file hashes to ${e.actualSha256}, not to the given sha256`, 'HUB_WAREHOUSE_HASH_MISMATCH')
      throw e
    }
    const sig = this.verify(bytes)
    this.metrics.signatures.labels(sig.status).inc()
    const { rows } = await this.ctx.db.query<{ id: string }>(
      `INSERT INTO warehouse_documents (local_id, owner_id_type, owner_id, owner_name, document_code, result_code, title, number, issuing_agency,
         issued_on, valid_until, permanent, scope, summary, signer, digitisation_kind, source, agency_code, procedure_code, field_code, dossier_code,
         blob_sha256, size, content_type, file_name, fetch_state, signature_status, signature_reason, signature_signer, signature_signed_at,
         signature_checked_at, push_state, client_id, body_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'local', $17, $18, $19, $20, $21, $22, $23, $24, 'stored',
         $25, $26, $27, $28, now(), 'pending', $29, $30)
       ON CONFLICT (local_id) WHERE local_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        body.documentId,
        body.ownerIdType ?? detectOwnerIdType(body.ownerId),
        body.ownerId,
        body.ownerName ?? null,
        body.documentCode,
        body.resultCode ?? null,
        body.title ?? null,
        body.number ?? null,
        body.issuingAgency ?? null,
        body.issuedOn ?? null,
        body.permanent ? null : (body.validUntil ?? null),
        body.permanent ?? false,
        body.scope ?? null,
        body.summary ?? null,
        body.signer ?? null,
        body.digitisationKind ?? null,
        agencyCode,
        body.procedureCode ?? null,
        body.fieldCode ?? null,
        body.dossierCode ?? null,
        put.sha256,
        put.size,
        contentType,
        body.file.name,
        sig.status,
        sig.reason ?? null,
        sig.signer?.subject ?? null,
        sig.signingTime ?? null,
        client.id,
        hash,
      ],
    )
    const id = rows[0]?.id
    if (!id) {
      // A concurrent request with the same documentId won the insert.
      const winner = await this.replayLocal(body.documentId)
      if (!winner) throw new HubError('HUB_ERR_CONFLICT', `document ${body.documentId} could not be stored; send it again`)
      return { ...this.sameRequest(winner, client, hash, put.sha256), replayed: true }
    }
    this.ctx.logger.debug({ documentId: id, clientId: client.id }, 'local warehouse document stored')
    await this.triggerPush(id, '0')
    return { id, documentId: body.documentId, sha256: put.sha256, size: put.size, pushState: 'pending', signature: this.signatureOf(sig), replayed: false }
  }

  private signatureOf(sig: SignatureOutcome) {
    return { status: sig.status, ...opt('reason', sig.reason), ...opt('signer', sig.signer?.subject), ...opt('signedAt', sig.signingTime) }
  }

  private async replayLocal(documentId: string): Promise<DocRow | undefined> {
    const { rows } = await this.ctx.db.query<DocRow>(`SELECT ${DOC_COLUMNS} FROM warehouse_documents WHERE local_id = $1`, [documentId])
    return rows[0]
  }

  /**
   * The first answer for a documentId already stored, if this is the same request: the same
   * client (rows from before client ids: any client serving the row's agency) and the same
   * body hash (rows from before hashes: the same file). Otherwise a 409 that reveals nothing
   * of the stored document.
   */
  private sameRequest(r: DocRow, client: Client, hash: string, fileSha256: string): WarehouseDocumentAccepted {
    const owner = r.client_id !== null ? r.client_id === client.id : ClientRegistry.servesAgency(client, r.agency_code)
    if (!owner) throw fieldError('/body/documentId', 'documentId is already taken by another client', 'HUB_WAREHOUSE_ID_TAKEN', 'HUB_ERR_CONFLICT')
    const same = r.body_sha256 !== null ? r.body_sha256 === hash : r.blob_sha256 === fileSha256
    if (!same) throw fieldError('/body/documentId', 'documentId was already used with a different body', 'HUB_WAREHOUSE_ID_REUSED', 'HUB_ERR_IDEMPOTENCY_CONFLICT')
    return {
      id: r.id,
      documentId: r.local_id!,
      sha256: r.blob_sha256!,
      size: Number(r.size),
      pushState: r.push_state,
      signature: { status: r.signature_status ?? 'unsigned', ...opt('reason', r.signature_reason), ...opt('signer', r.signature_signer), ...opt('signedAt', iso(r.signature_signed_at)) },
    }
  }

  private toRecord(b: Pick<WarehouseDocumentBody, 'documentId' | 'ownerId' | 'documentCode'> & Partial<WarehouseDocumentBody>, contentBase64?: string, fileName?: string | null): WarehouseDocumentRecord {
    return {
      localId: b.documentId,
      nationalId: null,
      ownerId: b.ownerId,
      ownerName: b.ownerName ?? null,
      number: b.number ?? null,
      documentCode: b.documentCode,
      issuedOn: b.issuedOn ?? null,
      validUntil: b.validUntil ?? null,
      permanent: b.permanent ?? false,
      scope: b.scope ?? null,
      summary: b.summary ?? null,
      issuingAgency: b.issuingAgency ?? null,
      signer: b.signer ?? null,
      digitisationKind: b.digitisationKind ?? null,
      attachments: contentBase64 !== undefined ? [{ name: fileName ?? null, path: null, contentBase64 }] : [],
      procedureCode: b.procedureCode ?? null,
      fieldCode: b.fieldCode ?? null,
    }
  }

  private async triggerPush(id: string, suffix: string, delayMs = 0): Promise<void> {
    try {
      await this.pushQueue.add('push', { id } satisfies PushJob, { jobId: `push-${id}-${suffix}`, delay: delayMs, attempts: 1, removeOnComplete: true, removeOnFail: { age: 86_400 } })
    } catch (e) {
      this.ctx.logger.warn({ documentId: id, err: { message: (e as Error).message } }, 'could not enqueue warehouse push; the reconciler will retry')
    }
  }

  /** The `warehouse-push` processor: uploads one local document, once, under a lease. */
  async processPush(job: Job<PushJob>): Promise<string> {
    const db = this.ctx.db
    const cfg = this.ctx.config
    const { rows } = await db.query<DocRow>(
      `UPDATE warehouse_documents SET push_lease_until = now() + make_interval(secs => $2::float8 / 1000)
       WHERE id = $1 AND push_state = 'pending' AND (push_lease_until IS NULL OR push_lease_until < now())
         AND (push_next_at IS NULL OR push_next_at <= now())
       RETURNING ${DOC_COLUMNS}`,
      [job.data.id, Math.max(cfg.UPSTREAM_TIMEOUT_MS * 3, 30_000)],
    )
    const row = rows[0]
    if (!row) return 'skipped'
    try {
      const content = await toBuffer(this.blobs.get(row.blob_sha256!))
      const record = toDigitizedRecord(
        this.toRecord(
          {
            documentId: row.local_id!,
            ownerId: row.owner_id,
            documentCode: row.document_code!,
            ownerName: row.owner_name ?? undefined,
            number: row.number ?? undefined,
            issuedOn: day(row.issued_on),
            validUntil: day(row.valid_until),
            permanent: row.permanent,
            scope: row.scope ?? undefined,
            summary: row.summary ?? undefined,
            issuingAgency: row.issuing_agency ?? undefined,
            signer: row.signer ?? undefined,
            digitisationKind: row.digitisation_kind ?? undefined,
            procedureCode: row.procedure_code ?? undefined,
            fieldCode: row.field_code ?? undefined,
          },
          content.toString('base64'),
          row.file_name,
        ),
      )
      const ok = await this.dvcqg.call('DongBoKetQuaSoHoa', { data: [record] }, { signal: this.ctx.shutdownSignal })
      const nationalId = (ok.result[0] as { MaGiayToKhoQuocGia?: unknown } | undefined)?.MaGiayToKhoQuocGia
      await db.query(
        `UPDATE warehouse_documents SET push_state = 'pushed', pushed_at = now(), push_attempts = push_attempts + 1, last_push_error = NULL,
           national_ref = COALESCE(national_ref, $2), push_lease_until = NULL, push_next_at = NULL, updated_at = now() WHERE id = $1`,
        [row.id, typeof nationalId === 'string' && nationalId ? nationalId : null],
      )
      this.metrics.pushes.labels('pushed').inc()
      return 'pushed'
    } catch (e) {
      const err = e instanceof WarehouseMappingError ? e : e instanceof UpstreamError ? e : toUpstreamError('dvcqg', e)
      const message = err.message.slice(0, 1000)
      const attempts = row.push_attempts + 1
      if (!(err instanceof WarehouseMappingError) && isRetryable(err)) {
        const delay = retryDelayMs(attempts, cfg.RETRY_BASE_MS, cfg.RETRY_MAX_MS, err instanceof UpstreamError ? err.retryAfterMs : undefined)
        await db.query(
          `UPDATE warehouse_documents SET push_attempts = $2, last_push_error = $3, push_next_at = now() + make_interval(secs => $4::float8 / 1000),
             push_lease_until = NULL, updated_at = now() WHERE id = $1`,
          [row.id, attempts, message, delay],
        )
        this.metrics.pushes.labels('retry').inc()
        await this.triggerPush(row.id, `r${attempts}`, delay)
        return 'retry'
      }
      await db.query(`UPDATE warehouse_documents SET push_state = 'failed', push_attempts = $2, last_push_error = $3, push_lease_until = NULL, updated_at = now() WHERE id = $1`, [row.id, attempts, message])
      this.metrics.pushes.labels('failed').inc()
      this.ctx.logger.warn({ documentId: row.id, reason: message }, 'warehouse upload refused permanently')
      return 'failed'
    }
  }

  /** Re-enqueues pushes whose job was lost and owners whose mirror stalled (a worker died). */
  async reconcile(): Promise<{ pushes: number; owners: number }> {
    const db = this.ctx.db
    const graceMs = this.ctx.config.RECONCILE_GRACE_MS
    const pushes = await db.query<{ id: string; push_attempts: number }>(
      `SELECT id, push_attempts FROM warehouse_documents
       WHERE push_state = 'pending' AND (push_next_at IS NULL OR push_next_at <= now())
         AND (push_lease_until IS NULL OR push_lease_until < now())
         AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY updated_at LIMIT 1000`,
      [graceMs],
    )
    for (const r of pushes.rows) await this.triggerPush(r.id, `rc${r.push_attempts}-${Date.now().toString(36)}`)
    // A mirror owner stays 'running' or 'pending' only while a job holds it; after 10 minutes it was lost.
    const owners = await db.query<{ ref: string; backfill_id: string | null; attempts: number }>(
      `UPDATE warehouse_mirror_owners SET updated_at = now() WHERE owner_id IN (
         SELECT owner_id FROM warehouse_mirror_owners WHERE state IN ('pending', 'running') AND updated_at < now() - interval '10 minutes' LIMIT 1000)
       RETURNING ref::text AS ref, backfill_id, attempts`,
    )
    if (owners.rows.length) {
      await this.mirrorQueue.addBulk(
        owners.rows.map((r) => ({ name: 'mirror', data: { ownerRef: r.ref, ...(r.backfill_id ? { backfillId: r.backfill_id } : {}) } satisfies MirrorJob, opts: { ...this.mirrorJobOpts(), jobId: `mirror-${r.ref}-rc${Date.now().toString(36)}` } })),
      )
    }
    return { pushes: pushes.rows.length, owners: owners.rows.length }
  }

  async startWorkers(): Promise<void> {
    const cfg = this.ctx.config
    this.ctx.queues.startWorker({ name: QUEUES.warehouseMirror, processor: (job) => this.processMirror(job as Job<MirrorJob>) }, cfg.WAREHOUSE_MIRROR_CONCURRENCY)
    this.ctx.queues.startWorker({ name: QUEUES.warehousePush, processor: (job) => this.processPush(job as Job<PushJob>) }, Math.min(cfg.WORKER_CONCURRENCY, 16))
    const tick = async () => {
      try {
        const n = await this.reconcile()
        if (n.pushes || n.owners) this.ctx.logger.info(n, 'warehouse reconciler re-enqueued work')
      } catch (e) {
        this.ctx.logger.warn({ err: { message: (e as Error).message } }, 'warehouse reconciler pass failed')
      }
    }
    this.timer = setInterval(() => void tick(), cfg.RECONCILE_INTERVAL_MS)
    this.timer.unref()
    // One repeatable job for all worker processes: BullMQ hands each run to exactly one of them.
    if (cfg.BLOB_SWEEP_INTERVAL_MS > 0) {
      this.ctx.queues.startWorker({ name: QUEUES.housekeeping, processor: (job) => this.processHousekeeping(job) }, 1)
      await this.housekeeping.upsertJobScheduler(BLOB_SWEEP_JOB, { every: cfg.BLOB_SWEEP_INTERVAL_MS }, { name: BLOB_SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: { age: 86_400 } } })
    } else {
      await this.housekeeping.removeJobScheduler(BLOB_SWEEP_JOB)
    }
  }

  /** The `housekeeping` processor. */
  async processHousekeeping(job: Job): Promise<SweepResult> {
    if (job.name !== BLOB_SWEEP_JOB) throw new UnrecoverableError(`unknown housekeeping job ${job.name}`)
    return this.sweepBlobs()
  }

  /**
   * Deletes the files no row references once older than BLOB_SWEEP_GRACE_MS: blobs of refused or
   * failed uploads, files a mirrored document no longer points to, stale temporary files.
   */
  async sweepBlobs(): Promise<SweepResult> {
    const result = await this.blobs.sweep({
      graceMs: this.ctx.config.BLOB_SWEEP_GRACE_MS,
      signal: this.ctx.shutdownSignal,
      // The one column referencing blobs, for local intake and the mirror alike.
      referenced: async (hashes) => {
        const { rows } = await this.ctx.db.query<{ blob_sha256: string }>(`SELECT DISTINCT blob_sha256 FROM warehouse_documents WHERE blob_sha256 = ANY($1::text[])`, [hashes])
        return rows.map((r) => r.blob_sha256)
      },
    })
    this.metrics.swept.labels('blob').inc(result.removed)
    this.metrics.swept.labels('temp').inc(result.tempRemoved)
    if (result.removed || result.tempRemoved) this.ctx.logger.info({ ...result }, 'blob sweeper deleted unreferenced files')
    return result
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
  }

  // ---------------------------------------------------------------- reuse API

  private toApi(r: DocRow): WarehouseDocument {
    return {
      id: r.id,
      ...opt('documentId', r.local_id),
      source: r.source,
      ownerIdType: r.owner_id_type,
      ...opt('documentCode', r.document_code),
      ...opt('resultCode', r.result_code),
      ...opt('title', r.title),
      ...opt('number', r.number),
      ...opt('issuingAgency', r.issuing_agency),
      ...opt('custodianAgency', r.custodian_agency),
      ...opt('issuedOn', day(r.issued_on)),
      ...opt('validUntil', day(r.valid_until)),
      permanent: r.permanent,
      ...opt('scope', r.scope),
      ...opt('summary', r.summary),
      ...opt('signer', r.signer),
      ...opt('procedureCode', r.procedure_code),
      ...opt('dossierCode', r.dossier_code),
      ...opt('agencyCode', r.agency_code),
      ...(r.blob_sha256
        ? { file: { ...opt('name', r.file_name), ...opt('contentType', r.content_type), size: Number(r.size), sha256: r.blob_sha256, url: `/v1/warehouse/documents/${r.id}/content` } }
        : {}),
      fetchState: r.fetch_state,
      ...(r.signature_status
        ? {
            signature: {
              status: r.signature_status,
              ...opt('reason', r.signature_reason),
              ...opt('signer', r.signature_signer),
              ...opt('signedAt', iso(r.signature_signed_at)),
              ...opt('checkedAt', iso(r.signature_checked_at)),
            },
          }
        : {}),
      pushState: r.push_state,
      ...opt('nationalId', r.source === 'local' ? r.national_ref : null),
      createdAt: iso(r.created_at)!,
    }
  }

  /** Document and result codes that may replace components of a procedure, from the catalog (if the catalog table exists). */
  private async procedureCodes(code: string): Promise<{ inCatalog: boolean; documentCodes: string[]; resultCodes: string[] }> {
    if (this.catalogPresent === undefined) {
      const { rows } = await this.ctx.db.query<{ present: boolean }>(`SELECT to_regclass('catalog_procedures') IS NOT NULL AS present`)
      this.catalogPresent = rows[0]?.present === true
    }
    if (!this.catalogPresent) return { inCatalog: false, documentCodes: [], resultCodes: [] }
    const { rows } = await this.ctx.db.query<{ found: boolean; document_codes: string[] | null; result_codes: string[] | null }>(
      `SELECT true AS found,
         (SELECT array_agg(DISTINCT d->>'code') FROM jsonb_array_elements(COALESCE(p.data->'components', '[]'::jsonb)) c,
            jsonb_array_elements(COALESCE(c->'documents', '[]'::jsonb)) d WHERE COALESCE(d->>'code', '') <> '') AS document_codes,
         (SELECT array_agg(DISTINCT d->>'replacementResultCode') FROM jsonb_array_elements(COALESCE(p.data->'components', '[]'::jsonb)) c,
            jsonb_array_elements(COALESCE(c->'documents', '[]'::jsonb)) d WHERE COALESCE(d->>'replacementResultCode', '') <> '') AS result_codes
       FROM catalog_procedures p WHERE p.code = $1`,
      [code],
    )
    const r = rows[0]
    return { inCatalog: Boolean(r), documentCodes: r?.document_codes ?? [], resultCodes: r?.result_codes ?? [] }
  }

  /**
   * The reuse query: stored documents of an owner, filtered by document/result codes,
   * validity on a date, signature, and "what can replace the components of procedure P"
   * (catalog codes, plus any codes given). Audited with the owner id hashed.
   */
  async ownerDocuments(ownerId: string, q: OwnerDocumentsQuery, audit: Caller): Promise<OwnerDocumentsReply> {
    const started = performance.now()
    const documentCodes = codes(q.documentCode)
    const resultCodes = codes(q.resultCode)
    let procedure: OwnerDocumentsReply['procedure']
    if (q.procedure) {
      const p = await this.procedureCodes(q.procedure)
      if (!p.inCatalog && documentCodes.length === 0 && resultCodes.length === 0) {
        throw new HubError('HUB_ERR_NOT_FOUND', `procedure ${q.procedure} is not in the catalog; pass documentCode or resultCode to filter by codes`)
      }
      procedure = { code: q.procedure, ...p }
      documentCodes.push(...p.documentCodes)
      resultCodes.push(...p.resultCodes)
    }
    const byCode = documentCodes.length > 0 || resultCodes.length > 0
    const { rows } = await this.ctx.db.query<DocRow>(
      `SELECT ${DOC_COLUMNS} FROM warehouse_documents
       WHERE owner_id = $1 AND fetch_state = 'stored'
         AND (NOT $2::boolean OR document_code = ANY($3::text[]) OR result_code = ANY($4::text[]))
         AND ($5::date IS NULL OR ((permanent OR valid_until IS NULL OR valid_until >= $5::date) AND (issued_on IS NULL OR issued_on <= $5::date)))
         AND ($6::text IS NULL OR signature_status = $6::text)
         AND (source = 'national' OR '*' = ANY($9::text[]) OR agency_code = ANY($9::text[]))
       ORDER BY issued_on DESC NULLS LAST, created_at DESC, id LIMIT $7 OFFSET $8`,
      [ownerId, byCode, documentCodes, resultCodes, q.validOn ?? null, q.signature ?? null, q.limit, q.offset, ClientRegistry.agencyList(audit.client)],
    )
    this.audit.record({
      clientId: audit.clientId,
      requestId: audit.requestId,
      service: 'warehouse',
      action: 'owner_documents',
      subjectId: ownerId,
      outcome: rows.length ? 'found' : 'empty',
      status: 200,
      latencyMs: Math.round(performance.now() - started),
      detail: { count: rows.length, ...(q.procedure ? { procedure: q.procedure } : {}) },
    })
    return { ownerIdType: rows[0]?.owner_id_type ?? detectOwnerIdType(ownerId), ...(procedure ? { procedure } : {}), documents: rows.map((r) => this.toApi(r)) }
  }

  /**
   * A document as `client` may see it: documents mirrored from the national warehouse
   * belong to citizens and are readable by every warehouse client (reuse at any one-stop
   * desk is the warehouse's purpose); local ones only by clients serving their agency.
   * Anything else is undefined, exactly like a missing id.
   */
  private async row(id: string, client: Client): Promise<{ row?: DocRow; hidden: boolean }> {
    const { rows } = await this.ctx.db.query<DocRow>(`SELECT ${DOC_COLUMNS} FROM warehouse_documents WHERE id = $1`, [id])
    const r = rows[0]
    if (!r) return { hidden: false }
    return r.source === 'national' || ClientRegistry.servesAgency(client, r.agency_code) ? { row: r, hidden: false } : { hidden: true }
  }

  private auditDocument(action: string, row: DocRow | undefined, id: string, audit: Caller, started: number, hidden = false) {
    this.audit.record({
      clientId: audit.clientId,
      requestId: audit.requestId,
      service: 'warehouse',
      action,
      subjectId: row?.owner_id,
      // The client is told "not found"; the audit trail keeps that it asked for another agency's document.
      outcome: row ? 'found' : hidden ? 'not_served' : 'not_found',
      status: row ? 200 : 404,
      latencyMs: Math.round(performance.now() - started),
      detail: { documentId: id },
    })
  }

  async document(id: string, audit: Caller): Promise<WarehouseDocument> {
    const started = performance.now()
    const { row, hidden } = await this.row(id, audit.client)
    this.auditDocument('document', row, id, audit, started, hidden)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    return this.toApi(row)
  }

  /** The file of a document, streamed from the blob store. */
  async content(id: string, audit: Caller): Promise<{ stream: Readable; contentType: string | null; size: number; sha256: string; fileName?: string }> {
    const started = performance.now()
    const { row, hidden } = await this.row(id, audit.client)
    this.auditDocument('content', row, id, audit, started, hidden)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    if (!row.blob_sha256) throw new HubError('HUB_ERR_CONFLICT', `the file of warehouse document ${id} is not stored yet (${row.fetch_state})`)
    // The stored type as is: the route serves anything off the allow-list as an octet-stream attachment.
    return { stream: this.blobs.get(row.blob_sha256), contentType: row.content_type, size: Number(row.size), sha256: row.blob_sha256, ...(row.file_name ? { fileName: row.file_name } : {}) }
  }

  /**
   * Records that a document replaced a component of a dossier (reuse statistics). Idempotent.
   * The document must be visible to the client and the dossier's agency served: the stored
   * agency if the hub holds the dossier, else the agency its code starts with. A dossier of
   * another agency is answered like an unknown one, whether the hub holds it or not.
   */
  async recordUsage(id: string, body: UsageBody, audit: Caller): Promise<{ recorded: boolean }> {
    const { row } = await this.row(id, audit.client)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    if (body.agencyCode !== undefined && !ClientRegistry.servesAgency(audit.client, body.agencyCode)) {
      throw fieldError('/body/agencyCode', `this client does not serve agency ${body.agencyCode}`, 'HUB_AGENCY_NOT_SERVED', 'HUB_ERR_FORBIDDEN')
    }
    const { rows: held } = await this.ctx.db.query<{ agency_code: string }>(`SELECT agency_code FROM dossiers WHERE code = $1`, [body.dossierCode])
    // Dossier codes are `<agency code>-<yyMMdd>-<NNNN>` (the schema's pattern).
    const dossierAgency = held[0]?.agency_code ?? body.dossierCode.slice(0, body.dossierCode.indexOf('-'))
    if (!ClientRegistry.servesAgency(audit.client, dossierAgency)) {
      throw fieldError('/body/dossierCode', `dossier ${body.dossierCode} is unknown to this client`, 'HUB_DOSSIER_NOT_SERVED', 'HUB_ERR_NOT_FOUND')
    }
    const res = await this.ctx.db.query(
      `INSERT INTO warehouse_usage (document_id, dossier_code, procedure_code, component_code, agency_code) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (document_id, dossier_code, component_code) DO NOTHING`,
      [id, body.dossierCode, body.procedureCode ?? null, body.componentCode ?? '', body.agencyCode ?? this.agency],
    )
    await this.audit.write({ clientId: audit.clientId, requestId: audit.requestId, service: 'warehouse', action: 'usage', subjectId: row.owner_id, outcome: 'recorded', status: 200, detail: { documentId: id, dossierCode: body.dossierCode } })
    return { recorded: (res.rowCount ?? 0) > 0 }
  }

  /** Digitisation statistics per agency and period (Vietnam time): digitised, pushed, mirrored, reused, signature outcomes. */
  async stats(q: StatsQuery): Promise<StatsReply> {
    const from = q.from ?? '1970-01-01'
    const to = q.to ?? '9999-12-31'
    const local = `(ts AT TIME ZONE 'UTC' + interval '7 hours')`
    const { rows } = await this.ctx.db.query<{ agency: string; period: string; digitised: number; pushed: number; mirrored: number; reused: number; sv: number; si: number; su: number; st: number }>(
      `WITH ev AS (
         SELECT COALESCE(agency_code, '') AS agency, created_at AS ts, (source = 'local')::int AS digitised, 0 AS pushed, (source = 'national' AND fetch_state = 'stored')::int AS mirrored, 0 AS reused,
           (signature_status = 'valid')::int AS sv, (signature_status = 'invalid')::int AS si, (signature_status = 'unsigned')::int AS su, (signature_status = 'untrusted')::int AS st
         FROM warehouse_documents
         UNION ALL
         SELECT COALESCE(agency_code, ''), pushed_at, 0, 1, 0, 0, 0, 0, 0, 0 FROM warehouse_documents WHERE pushed_at IS NOT NULL
         UNION ALL
         SELECT COALESCE(agency_code, ''), used_at, 0, 0, 0, 1, 0, 0, 0, 0 FROM warehouse_usage
       )
       SELECT agency, to_char(date_trunc($1::text, ${local}), 'YYYY-MM-DD') AS period,
         sum(digitised)::int AS digitised, sum(pushed)::int AS pushed, sum(mirrored)::int AS mirrored, sum(reused)::int AS reused,
         sum(sv)::int AS sv, sum(si)::int AS si, sum(su)::int AS su, sum(st)::int AS st
       FROM ev WHERE ${local} >= $2::date AND ${local} < $3::date + 1 AND ($4::text IS NULL OR agency = $4::text)
       GROUP BY 1, 2 ORDER BY 2, 1`,
      [q.period, from, to, q.agencyCode ?? null],
    )
    return {
      period: q.period,
      rows: rows.map((r) => ({
        agencyCode: r.agency,
        period: r.period,
        digitised: r.digitised,
        pushed: r.pushed,
        mirrored: r.mirrored,
        reused: r.reused,
        signatures: { valid: r.sv, invalid: r.si, unsigned: r.su, untrusted: r.st },
      })),
    }
  }
}
