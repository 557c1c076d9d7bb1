import { randomUUID } from 'node:crypto'
import type { DocumentAccepted, DocumentChangeBody, DocumentSendBody, StatusBody } from '../../../schemas/v1/documents.js'
import type { BlobStore } from '../../documents/blob-store/index.js'
import type { Queryable } from '../../store/index.js'
import { HubError, fieldError } from '../../errors.js'
import { ClientRegistry, type Client } from '../../inbound-auth/clients.js'
import { bodyHash } from '../../lib/body-hash.js'
import type { ReceiveRepository } from './receive/repository.js'
import type { DocumentRow } from './repository.js'
import { edxmlDay, edxmlTimestamp, type BusinessType, type EdxmlCodec, type OutgoingDocumentSpec } from './types.js'

type Fields = NonNullable<DocumentChangeBody['document']>
export type Accepted = DocumentAccepted & { replayed: boolean }

/** `yyyy-MM-dd` → `yyyy/MM/dd`. */
const wireDay = (iso: string | undefined) => (iso ? iso.replaceAll('-', '/') : undefined)

/**
 * Sending: a document (or its revoke/update/replace) and the province's business
 * statuses are stored with their built edXML and an outbox row in ONE transaction
 * before the 202, then the document's send job is triggered. The idempotency key is
 * per client: the same key and body answer the first result, another body is 409.
 */
export class SendIntake {
  constructor(
    private readonly repo: ReceiveRepository,
    private readonly blobs: BlobStore,
    private readonly codec: () => EdxmlCodec,
    private readonly trigger: (documentId: string) => Promise<void>,
    private readonly organName: (organId: string) => Promise<string | undefined>,
  ) {}

  /** Unknown recipients are a 400 before anything is stored (the synced agency list decides; empty list: not synced yet, so not checked). */
  async checkRecipients(to: readonly string[]): Promise<void> {
    if ((await this.repo.agencyCount()) === 0) return
    const known = await this.repo.knownAgencies(to)
    const i = to.findIndex((o) => !known.has(o))
    if (i >= 0)
      throw fieldError(
        `/body/to/${i}`,
        `agency ${to[i]} is not connected to the document exchange axis`,
        'HUB_DOCUMENT_UNKNOWN_RECIPIENT',
        'HUB_ERR_UNKNOWN_CODE',
      )
  }

  private async replay(client: Client, key: string, hash: string): Promise<Accepted | undefined> {
    const prior = await this.repo.byKey(client.id, key)
    if (!prior) return undefined
    if (prior.body_sha256 !== hash)
      throw fieldError(
        '/body/idempotencyKey',
        'idempotencyKey was already used with a different body',
        'HUB_EVENT_ID_BODY_DIFFERS',
        'HUB_ERR_IDEMPOTENCY_CONFLICT',
      )
    return { id: prior.id, state: prior.state, edxmlDocumentId: prior.edxml_document_id, replayed: true }
  }

  /** Stores the base64 attachments in the blob store (content-addressed: a retried request stores nothing twice). */
  private async storeAttachments(fields: Fields) {
    const out: OutgoingDocumentSpec['attachments'] = []
    for (const a of fields.attachments ?? []) {
      const put = await this.blobs.put(Buffer.from(a.contentBase64, 'base64'))
      out.push({ name: a.name, contentType: a.contentType ?? 'application/octet-stream', size: put.size, sha256: put.sha256, description: a.description })
    }
    return out
  }

  private async spec(
    from: string,
    to: string[],
    f: Fields,
    business: OutgoingDocumentSpec['business'],
    now: number,
  ): Promise<{ spec: OutgoingDocumentSpec; code: string }> {
    const promulgationDate = wireDay(f.promulgationDate) ?? edxmlDay(now)
    const code = f.codeNotation ? `${f.codeNumber}/${f.codeNotation}` : f.codeNumber
    const organ = async (organId: string) => ({ organId, organName: (await this.organName(organId)) ?? organId })
    return {
      code,
      spec: {
        from: await organ(from),
        to: await Promise.all(to.map(organ)),
        documentId: `${from},${promulgationDate},${code}`,
        codeNumber: f.codeNumber,
        codeNotation: f.codeNotation,
        place: f.place,
        promulgationDate,
        documentType: f.documentType,
        subject: f.subject,
        content: f.content,
        signer: f.signer,
        dueDate: wireDay(f.dueDate),
        steeringType: f.steeringType,
        toPlaces: f.toPlaces,
        business,
        timestamp: edxmlTimestamp(now),
        attachments: await this.storeAttachments(f),
      },
    }
  }

  /** Builds, stores and queues one outgoing document message. */
  private async store(
    client: Client,
    key: string,
    hash: string,
    from: string,
    to: string[],
    f: Fields,
    business: OutgoingDocumentSpec['business'],
    related: DocumentRow | undefined,
  ): Promise<Accepted> {
    const now = Date.now()
    const { spec, code } = await this.spec(from, to, f, business, now)
    // Revoke and update name the changed document by its DocumentId; a replacement is a new document naming the old one.
    if (related && business.docType !== 'replace') spec.documentId = related.edxml_document_id
    const edxml = await this.codec().buildDocument(spec, (sha) => this.blobs.get(sha))
    const stored = await this.blobs.put(edxml)
    const id = randomUUID()
    try {
      await this.repo.db.tx(async (q) => {
        await this.repo.insertDocument(q, {
          id,
          direction: 'out',
          agency: from,
          peer: to[0]!,
          receivers: to,
          businessType: business.docType,
          edxmlDocumentId: spec.documentId,
          code,
          subject: f.subject,
          meta: { ...(business.reason ? { reason: business.reason } : {}), promulgationDate: spec.promulgationDate, documentType: spec.documentType },
          state: 'pending',
          relatedId: related?.id ?? null,
          axisDocId: null,
          dedupKey: null,
          edxmlSha256: stored.sha256,
          signature: null,
          clientId: client.id,
          idempotencyKey: key,
          bodySha256: hash,
          attachments: spec.attachments,
        })
        await this.repo.enqueueOutbox(q, id, 'document', from, stored.sha256, null)
      })
    } catch (e) {
      if ((e as { code?: unknown }).code !== '23505') throw e
      const winner = await this.replay(client, key, hash)
      if (winner) return winner
      throw new HubError('HUB_ERR_CONFLICT', 'the document could not be stored; send it again')
    }
    await this.trigger(id)
    return { id, state: 'pending', edxmlDocumentId: spec.documentId, replayed: false }
  }

  async send(body: DocumentSendBody, client: Client): Promise<Accepted> {
    if (!ClientRegistry.servesAgency(client, body.from))
      throw fieldError('/body/from', `this client does not serve agency ${body.from}`, 'HUB_AGENCY_NOT_SERVED', 'HUB_ERR_FORBIDDEN')
    const hash = bodyHash({ kind: 'send', body })
    const prior = await this.replay(client, body.idempotencyKey, hash)
    if (prior) return prior
    await this.checkRecipients(body.to)
    const { idempotencyKey, from, to, ...fields } = body
    return this.store(client, idempotencyKey, hash, from, to, fields as Fields, { docType: 'new' }, undefined)
  }

  /** A sent document the client may act on, else 404 (another agency's document is unknown to it). */
  async ownSent(id: string, client: Client): Promise<DocumentRow> {
    const doc = await this.repo.byId(id)
    if (!doc || doc.direction !== 'out' || doc.business_type !== 'new' || !ClientRegistry.servesAgency(client, doc.agency))
      throw new HubError('HUB_ERR_NOT_FOUND', `sent document ${id} is unknown`)
    return doc
  }

  async change(id: string, kind: Exclude<BusinessType, 'new'>, body: DocumentChangeBody, client: Client): Promise<Accepted> {
    const doc = await this.ownSent(id, client)
    const hash = bodyHash({ kind, id, body })
    const prior = await this.replay(client, body.idempotencyKey, hash)
    if (prior) return prior
    if (kind !== 'revoke' && !body.document)
      throw fieldError('/body/document', `${kind} needs the new content of the document`, 'HUB_DOCUMENT_CHANGE_CONTENT', 'HUB_ERR_VALIDATION')
    const inherited = (doc.meta as { documentType?: Fields['documentType'] }).documentType
    const given: Fields | undefined = body.document ? { ...body.document, documentType: body.document.documentType ?? inherited } : undefined
    const fields: Fields = given ?? {
      documentType: inherited,
      codeNumber: doc.code?.split('/')[0] ?? doc.code ?? '0',
      codeNotation: doc.code?.includes('/') ? doc.code.slice(doc.code.indexOf('/') + 1) : undefined,
      subject: doc.subject ?? '',
      attachments: [],
    }
    return this.store(
      client,
      body.idempotencyKey,
      hash,
      doc.agency,
      doc.receivers,
      fields,
      { docType: kind, documentId: doc.edxml_document_id, reason: body.reason },
      doc,
    )
  }

  /** `POST /v1/documents/{id}/status`: a business status of a RECEIVED document, sent back to its sender. */
  async postStatus(id: string, body: StatusBody, client: Client): Promise<{ id: string; statusCode: string; replayed: boolean }> {
    const doc = await this.repo.byId(id)
    if (!doc || doc.direction !== 'in' || !ClientRegistry.servesAgency(client, doc.agency))
      throw new HubError('HUB_ERR_NOT_FOUND', `received document ${id} is unknown`)
    const dedupKey = `key:${client.id}:${body.idempotencyKey}`
    const hash = bodyHash(body).slice(0, 16)
    const known = await this.repo.statusByKey(id, `${dedupKey}:${hash}`)
    if (known) return { id, statusCode: known.code, replayed: true }
    if ((await this.repo.statusByKey(id, dedupKey)) !== undefined)
      throw fieldError(
        '/body/idempotencyKey',
        'idempotencyKey was already used with a different body',
        'HUB_EVENT_ID_BODY_DIFFERS',
        'HUB_ERR_IDEMPOTENCY_CONFLICT',
      )
    await this.queueStatus(doc, body.statusCode, body.description, body.staff, `${dedupKey}:${hash}`)
    return { id, statusCode: body.statusCode, replayed: false }
  }

  /** Builds and stores a status message about a received document (before the transaction that records it). */
  async prepareStatus(doc: StatusTarget, code: string, description: string | undefined, staff: Record<string, string> | undefined): Promise<PreparedStatus> {
    const at = edxmlTimestamp(Date.now())
    const meta = doc.meta as { promulgationDate?: string }
    const edxml = await this.codec().buildStatus({
      from: { organId: doc.agency, organName: (await this.organName(doc.agency)) ?? doc.agency },
      responseFor: { organId: doc.peer, code: doc.code ?? undefined, promulgationDate: meta.promulgationDate, documentId: doc.edxml_document_id },
      staff,
      statusCode: code,
      description,
      timestamp: at,
    })
    return { code, description, staff, at, sha256: (await this.blobs.put(edxml)).sha256 }
  }

  /** Records a prepared status and its outbox row in `q`'s transaction; false when its dedup key is known. */
  async recordStatus(q: Queryable, doc: StatusTarget, s: PreparedStatus, dedupKey: string): Promise<boolean> {
    const statusId = await this.repo.insertStatus(q, {
      documentId: doc.id,
      direction: 'out',
      code: s.code,
      description: s.description,
      staff: s.staff,
      at: s.at,
      dedupKey,
    })
    if (statusId === undefined) return false
    await this.repo.enqueueOutbox(q, doc.id, 'status', doc.agency, s.sha256, statusId)
    return true
  }

  async queueStatus(doc: StatusTarget, code: string, description: string | undefined, staff: Record<string, string> | undefined, dedupKey: string) {
    const prepared = await this.prepareStatus(doc, code, description, staff)
    if (await this.repo.db.tx((q) => this.recordStatus(q, doc, prepared, dedupKey))) await this.trigger(doc.id)
  }
}

export type StatusTarget = Pick<DocumentRow, 'id' | 'agency' | 'peer' | 'code' | 'meta' | 'edxml_document_id'>
export interface PreparedStatus {
  code: string
  description?: string
  staff?: Record<string, string>
  at: string
  sha256: string
}
