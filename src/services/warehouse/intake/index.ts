import { createHash } from 'node:crypto'
import { buffer } from 'node:stream/consumers'
import type { WarehouseDocument, WarehouseDocumentAccepted, WarehouseDocumentBody } from '../../../../schemas/v1/warehouse.js'
import { ClientRegistry, type Client } from '../../../inbound-auth/clients.js'
import { HubError, fieldError } from '../../../errors.js'
import type { CatalogReader } from '../../catalog/reader.js'
import { toDigitizedRecord, WarehouseMappingError } from '../../../mappings/dvcqg/warehouse/index.js'
import { BlobIntegrityError } from '../../../documents/blob-store/index.js'
import { acceptContentType, checkFileSignature } from '../../../documents/content-type.js'
import { detectOwnerIdType } from '../../../documents/integrity.js'
import { bodyHash } from '../../../lib/body-hash.js'
import { iso } from '../../../lib/time.js'
import type { DocRow } from '../document/repository.js'
import { opt, policyOf, pushStateOf, signatureOf, toApi } from '../document/to-api.js'
import { documentKind, type DocumentSource } from '../../../documents/signature/policy.js'
import { signatureColumns } from '../signature-gate.js'
import type { WarehouseParts } from '../parts.js'
import { toRecord } from './record.js'
import { IntakeRepository } from './repository.js'
import type { PushJobs } from './worker.js'

export type Accepted = WarehouseDocumentAccepted & { replayed: boolean }

/**
 * Local intake of digitised documents: stored (file in the blob store, row in the
 * database) and then pushed to the national warehouse by the `warehouse-push` worker,
 * with the delivery guarantees of dossier sync: durable row first, leased, retried with
 * backoff, idempotent on the document id.
 */
export class IntakeService {
  readonly repo: IntakeRepository

  constructor(
    private readonly parts: WarehouseParts,
    private readonly jobs: PushJobs,
    private readonly catalog?: CatalogReader,
  ) {
    this.repo = new IntakeRepository(parts.ctx.db)
  }

  /**
   * `POST /v1/warehouse/documents`: stores a locally digitised document, then queues its
   * upload. The client must serve the document's agency (403). documentId is the national
   * Ma, so it stays unique hub-wide: the client that stored it gets the first answer for
   * the same body and 409 HUB_ERR_IDEMPOTENCY_CONFLICT for another; any other client gets
   * 409 HUB_ERR_CONFLICT and nothing of that document. Every check comes before the file is
   * written, so a refused upload leaves no blob behind. The backlog import stores through
   * here too, as source `import` (its own signature policy).
   */
  async accept(body: WarehouseDocumentBody, client: Client, source: DocumentSource = 'local'): Promise<Accepted> {
    const cfg = this.parts.ctx.config
    const agencyCode = body.agencyCode ?? this.parts.agency
    if (!ClientRegistry.servesAgency(client, agencyCode)) {
      throw fieldError(
        '/body/agencyCode',
        `this client does not serve agency ${agencyCode}${body.agencyCode ? '' : ' (the default)'}`,
        'HUB_AGENCY_NOT_SERVED',
        'HUB_ERR_FORBIDDEN',
      )
    }
    await this.catalog?.checkDocumentCodes(body.documentCode, body.resultCode)
    const contentType = acceptContentType(body.file.contentType)
    // Node's base64 decoder skips whitespace (documented), so wrapped files need no strip.
    const bytes = Buffer.from(body.file.contentBase64, 'base64')
    if (bytes.length === 0) throw fieldError('/body/file/contentBase64', 'the file is empty', 'HUB_WAREHOUSE_EMPTY_FILE')
    if (bytes.length > cfg.WAREHOUSE_MAX_FILE_BYTES) {
      throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', `the file has ${bytes.length} bytes; the limit is ${cfg.WAREHOUSE_MAX_FILE_BYTES}`)
    }
    checkFileSignature(contentType, bytes)
    try {
      // The upload mapping judges the record now, so a document the portal could never take is refused here.
      toDigitizedRecord(toRecord(body))
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
    const earlier = await this.parts.documents.byLocalId(body.documentId)
    // Conflicts are decided before the blob is written (nothing stored for a refused body).
    if (earlier) return { ...sameRequest(earlier, client, hash, sha256), replayed: true }
    let put
    try {
      put = await this.parts.blobs.put(bytes, sha256)
    } catch (e) {
      if (e instanceof BlobIntegrityError)
        throw fieldError('/body/file/sha256', `the file hashes to ${e.actualSha256}, not to the given sha256`, 'HUB_WAREHOUSE_HASH_MISMATCH')
      throw e
    }
    // The signature gate (docs/signatures.md): a blocked document is stored with its outcome, never queued for push.
    const gated = await this.parts.gate.check(bytes, source, documentKind(body))
    const sig = gated.check
    const blocked = gated.decision.decision === 'blocked'
    const id = await this.repo.insertLocal({
      localId: body.documentId,
      ownerIdType: body.ownerIdType ?? detectOwnerIdType(body.ownerId),
      ownerId: body.ownerId,
      ownerName: body.ownerName ?? null,
      documentCode: body.documentCode,
      resultCode: body.resultCode ?? null,
      title: body.title ?? null,
      number: body.number ?? null,
      issuingAgency: body.issuingAgency ?? null,
      issuedOn: body.issuedOn ?? null,
      validUntil: body.validUntil ?? null,
      permanent: body.permanent ?? false,
      scope: body.scope ?? null,
      summary: body.summary ?? null,
      signer: body.signer ?? null,
      digitisationKind: body.digitisationKind ?? null,
      agencyCode,
      procedureCode: body.procedureCode ?? null,
      fieldCode: body.fieldCode ?? null,
      dossierCode: body.dossierCode ?? null,
      blobSha256: put.sha256,
      size: put.size,
      contentType,
      fileName: body.file.name,
      ...signatureColumns(gated),
      clientId: client.id,
      bodySha256: hash,
    })
    if (!id) {
      // A concurrent request with the same documentId won the insert.
      const winner = await this.parts.documents.byLocalId(body.documentId)
      if (!winner) throw new HubError('HUB_ERR_CONFLICT', `document ${body.documentId} could not be stored; send it again`)
      return { ...sameRequest(winner, client, hash, put.sha256), replayed: true }
    }
    this.parts.ctx.logger.debug({ documentId: id, clientId: client.id }, 'local warehouse document stored')
    if (blocked) {
      this.parts.ctx.logger.info({ documentId: id, reasons: gated.decision.reasons }, 'local warehouse document blocked by the signature policy: not pushed')
    } else await this.jobs.trigger(id, '0')
    const signature = {
      ...signatureOf(sig),
      decision: gated.decision.decision,
      policy: gated.decision.mode,
      ...(gated.decision.reasons.length ? { reasons: [...gated.decision.reasons] } : {}),
    }
    return { id, documentId: body.documentId, sha256: put.sha256, size: put.size, pushState: blocked ? 'blocked' : 'pending', signature, replayed: false }
  }
}

/** Re-checks of stored documents (`POST /admin/warehouse/documents/{id}/signature-check`). */
export class SignatureRecheck {
  constructor(
    private readonly parts: WarehouseParts,
    private readonly repo: IntakeRepository,
    private readonly jobs: PushJobs,
  ) {}

  /**
   * Checks a stored file again with today's policy, trust anchors and revocation answers (a
   * document blocked while its CA was unreachable under REVOCATION_OFFLINE=hard-fail, or after
   * the anchors changed). A local document not yet delivered is queued for push once no longer
   * blocked, and leaves the outbox when it becomes blocked; a delivered one stays delivered.
   */
  async recheck(id: string): Promise<WarehouseDocument> {
    const row = await this.parts.documents.byId(id)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    if (!row.blob_sha256) throw new HubError('HUB_ERR_CONFLICT', `the file of warehouse document ${id} is not stored yet (${row.fetch_state})`)
    const bytes = await buffer(this.parts.blobs.get(row.blob_sha256))
    const gated = await this.parts.gate.check(
      bytes,
      row.source === 'national' ? 'mirror' : 'local',
      documentKind({ resultCode: row.result_code, dossierCode: row.dossier_code }),
    )
    const moved = await this.repo.recordSignatureCheck(id, signatureColumns(gated))
    if (moved && moved.before !== 'pending' && moved.after === 'pending') await this.jobs.trigger(id, `recheck${Date.now().toString(36)}`)
    return toApi((await this.parts.documents.byId(id))!)
  }
}

/**
 * The first answer for a documentId already stored, if this is the same request: the same
 * client (rows from before client ids: any client serving the row's agency) and the same
 * body hash (rows from before hashes: the same file). Otherwise a 409 that reveals nothing
 * of the stored document.
 */
function sameRequest(r: DocRow, client: Client, hash: string, fileSha256: string): WarehouseDocumentAccepted {
  const owner = r.client_id !== null ? r.client_id === client.id : ClientRegistry.servesAgency(client, r.agency_code)
  if (!owner) throw fieldError('/body/documentId', 'documentId is already taken by another client', 'HUB_WAREHOUSE_ID_TAKEN', 'HUB_ERR_CONFLICT')
  const same = r.body_sha256 !== null ? r.body_sha256 === hash : r.blob_sha256 === fileSha256
  if (!same)
    throw fieldError('/body/documentId', 'documentId was already used with a different body', 'HUB_WAREHOUSE_ID_REUSED', 'HUB_ERR_IDEMPOTENCY_CONFLICT')
  return {
    id: r.id,
    documentId: r.local_id!,
    sha256: r.blob_sha256!,
    size: Number(r.size),
    pushState: pushStateOf(r),
    signature: {
      status: r.signature_status ?? 'unsigned',
      ...opt('reason', r.signature_reason),
      ...opt('signer', r.signature_signer),
      ...opt('signedAt', iso(r.signature_signed_at)),
      ...policyOf(r),
    },
  }
}
