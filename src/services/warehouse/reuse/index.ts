import type { Readable } from 'node:stream'
import type { OwnerDocumentsQuery, OwnerDocumentsReply, UsageBody, WarehouseDocument } from '../../../../schemas/v1/warehouse.js'
import { ClientRegistry, type Client } from '../../../inbound-auth/clients.js'
import { HubError, fieldError } from '../../../errors.js'
import { detectOwnerIdType } from '../../../documents/integrity.js'
import type { CatalogReader } from '../../catalog/reader.js'
import type { DossierReader } from '../../dossiers/reader.js'
import type { DocRow } from '../document/repository.js'
import { toApi } from '../document/to-api.js'
import type { WarehouseParts } from '../parts.js'
import { ReuseRepository } from './repository.js'
import { auditBeforeServing, purposeCatalogue, requirePurpose } from '../../../audit/purpose.js'
import type { AuditEntry } from '../../../audit/index.js'
import { OnDemandMirror, type OwnerFetcher } from './on-demand.js'

/** The dossier ↔ warehouse links (DigitisationService): rebuilt for a dossier once a usage is recorded. */
export interface UsageLinks {
  refresh(dossierCodes: readonly string[]): Promise<void>
}

/** Who is asking: the client (object-level access), the request and its declared purpose (audit; the `x-purpose` header). */
export interface Caller {
  client: Client
  clientId: string
  requestId?: string
  purpose?: string
}

export interface DocumentContent {
  stream: Readable
  contentType: string | null
  size: number
  sha256: string
  fileName?: string
}

const codes = (s?: string) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : []

/**
 * Reuse of stored documents at the one-stop desk: the owner query (with "what can replace
 * the components of procedure P" from the catalog), one document, its file, and usage
 * records. Every read is audited with the owner id hashed and a declared purpose (a dossier
 * code or a catalogue code), its record durable before the data leaves (docs/audit-coverage.md).
 */
export class ReuseService {
  readonly repo: ReuseRepository
  /** The owner query on the read replica when there is one (DATABASE_READ_URL). */
  private readonly reads: ReuseRepository
  private readonly purposes: ReadonlySet<string>
  readonly onDemand: OnDemandMirror

  constructor(
    private readonly parts: WarehouseParts,
    private readonly catalog: CatalogReader,
    private readonly dossiers: DossierReader,
    fetcher: OwnerFetcher,
    private readonly links?: UsageLinks,
  ) {
    const cfg = parts.ctx.config
    this.repo = new ReuseRepository(parts.ctx.db)
    this.reads = new ReuseRepository(parts.ctx.readDb)
    this.purposes = purposeCatalogue(cfg.AUDIT_PURPOSES)
    this.onDemand = new OnDemandMirror(
      this.repo,
      fetcher,
      { maxAgeMs: cfg.WAREHOUSE_REUSE_MAX_AGE_MS, deadlineMs: cfg.WAREHOUSE_REUSE_DEADLINE_MS },
      parts.ctx.logger,
    )
  }

  /** The record of a read, durable (or the read refused) before the data leaves. */
  private durable(e: AuditEntry): Promise<void> {
    const { config, logger, audit } = this.parts.ctx
    return auditBeforeServing(audit, e, { mode: config.AUDIT_DEGRADED_MODE, logger })
  }

  /**
   * The reuse query: stored documents of an owner, filtered by document/result codes,
   * validity on a date, signature, and "what can replace the components of procedure P"
   * (catalog codes, plus any codes given).
   */
  async ownerDocuments(ownerId: string, q: OwnerDocumentsQuery, caller: Caller): Promise<OwnerDocumentsReply> {
    const purpose = requirePurpose(caller.purpose, this.purposes)
    const started = performance.now()
    const documentCodes = codes(q.documentCode)
    const resultCodes = codes(q.resultCode)
    let procedure: OwnerDocumentsReply['procedure']
    if (q.procedure) {
      const p = await this.catalog.reusableCodes(q.procedure)
      if (!p.inCatalog && documentCodes.length === 0 && resultCodes.length === 0) {
        throw new HubError('HUB_ERR_NOT_FOUND', `procedure ${q.procedure} is not in the catalog; pass documentCode or resultCode to filter by codes`)
      }
      procedure = { code: q.procedure, ...p }
      documentCodes.push(...p.documentCodes)
      resultCodes.push(...p.resultCodes)
    }
    // An owner never mirrored, or mirrored too long ago, is fetched now (within the deadline).
    const freshness = await this.onDemand.ensure(ownerId)
    // Documents fetched by this very request are read where they were written (a replica may lag).
    const rows = await (freshness.fetched ? this.repo : this.reads).ownerDocuments({
      ownerId,
      documentCodes,
      resultCodes,
      validOn: q.validOn ?? null,
      signature: q.signature ?? null,
      agencies: ClientRegistry.agencyList(caller.client),
      limit: q.limit,
      offset: q.offset,
    })
    await this.durable({
      clientId: caller.clientId,
      requestId: caller.requestId,
      purpose,
      service: 'warehouse',
      action: 'owner_documents',
      subjectId: ownerId,
      outcome: rows.length ? 'found' : 'empty',
      status: 200,
      latencyMs: Math.round(performance.now() - started),
      detail: { count: rows.length, complete: freshness.complete, fetched: freshness.fetched, ...(q.procedure ? { procedure: q.procedure } : {}) },
    })
    return { ownerIdType: rows[0]?.owner_id_type ?? detectOwnerIdType(ownerId), ...(procedure ? { procedure } : {}), documents: rows.map(toApi), freshness }
  }

  async document(id: string, caller: Caller): Promise<WarehouseDocument> {
    const purpose = requirePurpose(caller.purpose, this.purposes)
    const started = performance.now()
    const { row, hidden } = await this.visible(id, caller.client)
    await this.auditRead('document', row, id, { ...caller, purpose }, started, hidden)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    return toApi(row)
  }

  /** The file of a document, streamed from the blob store. */
  async content(id: string, caller: Caller): Promise<DocumentContent> {
    const purpose = requirePurpose(caller.purpose, this.purposes)
    const started = performance.now()
    const { row, hidden } = await this.visible(id, caller.client)
    await this.auditRead('content', row, id, { ...caller, purpose }, started, hidden)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    if (!row.blob_sha256) throw new HubError('HUB_ERR_CONFLICT', `the file of warehouse document ${id} is not stored yet (${row.fetch_state})`)
    // The stored type as is: the route serves anything off the allow-list as an octet-stream attachment.
    return {
      stream: this.parts.blobs.get(row.blob_sha256),
      contentType: row.content_type,
      size: Number(row.size),
      sha256: row.blob_sha256,
      ...(row.file_name ? { fileName: row.file_name } : {}),
    }
  }

  /**
   * Records that a document replaced a component of a dossier (reuse statistics). Idempotent.
   * The document must be visible to the client and the dossier's agency served: the stored
   * agency if the hub holds the dossier, else the agency its code starts with. A dossier of
   * another agency is answered like an unknown one, whether the hub holds it or not.
   */
  async recordUsage(id: string, body: UsageBody, caller: Caller): Promise<{ recorded: boolean }> {
    const { row } = await this.visible(id, caller.client)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `warehouse document ${id} is unknown`)
    if (body.agencyCode !== undefined && !ClientRegistry.servesAgency(caller.client, body.agencyCode)) {
      throw fieldError('/body/agencyCode', `this client does not serve agency ${body.agencyCode}`, 'HUB_AGENCY_NOT_SERVED', 'HUB_ERR_FORBIDDEN')
    }
    // Dossier codes are `<agency code>-<yyMMdd>-<NNNN>` (the schema's pattern).
    const dossierAgency = (await this.dossiers.agencyOf(body.dossierCode)) ?? body.dossierCode.slice(0, body.dossierCode.indexOf('-'))
    if (!ClientRegistry.servesAgency(caller.client, dossierAgency)) {
      throw fieldError('/body/dossierCode', `dossier ${body.dossierCode} is unknown to this client`, 'HUB_DOSSIER_NOT_SERVED', 'HUB_ERR_NOT_FOUND')
    }
    const recorded = await this.repo.insertUsage({
      documentId: id,
      dossierCode: body.dossierCode,
      procedureCode: body.procedureCode ?? null,
      componentCode: body.componentCode ?? '',
      agencyCode: body.agencyCode ?? this.parts.agency,
    })
    // The document is linked to the dossier component it replaced (dossier_document_links, matched by usage).
    await this.links?.refresh([body.dossierCode])
    await this.durable({
      clientId: caller.clientId,
      requestId: caller.requestId,
      // The dossier the document served is the purpose of this use.
      purpose: body.dossierCode,
      service: 'warehouse',
      action: 'usage',
      subjectId: row.owner_id,
      outcome: 'recorded',
      status: 200,
      detail: { documentId: id, dossierCode: body.dossierCode },
    })
    return { recorded }
  }

  /**
   * A document as `client` may see it: documents mirrored from the national warehouse
   * belong to citizens and are readable by every warehouse client (reuse at any one-stop
   * desk is the warehouse's purpose); local ones only by clients serving their agency.
   * Anything else is undefined, exactly like a missing id.
   */
  private async visible(id: string, client: Client): Promise<{ row?: DocRow; hidden: boolean }> {
    const r = await this.parts.documents.byId(id)
    if (!r) return { hidden: false }
    return r.source === 'national' || ClientRegistry.servesAgency(client, r.agency_code) ? { row: r, hidden: false } : { hidden: true }
  }

  private auditRead(action: string, row: DocRow | undefined, id: string, caller: Caller, started: number, hidden: boolean): Promise<void> {
    return this.durable({
      clientId: caller.clientId,
      requestId: caller.requestId,
      purpose: caller.purpose,
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
}
