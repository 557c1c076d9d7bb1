import {
  blobStoreSink,
  buildEdxmlBuffer,
  describeSignature,
  parseEdxml,
  type Business,
  type DocumentHeader,
  type OutgoingDocument,
  type StatusCode,
  type StatusMessage,
} from '../../edxml/index.js'
import type { EdxmlCodec, OutgoingDocumentSpec, OutgoingStatusSpec, ParsedIncoming } from './types.js'

/** Drops undefined members (the edXML model has no empty optional elements). */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

function toDocument(s: OutgoingDocumentSpec, body: (sha256: string) => NodeJS.ReadableStream): OutgoingDocument {
  const header: DocumentHeader = clean({
    from: clean({ ...s.from }),
    to: s.to.map((o) => clean({ ...o })),
    documentId: s.documentId,
    code: clean({ codeNumber: s.codeNumber, codeNotation: s.codeNotation }),
    promulgationInfo: clean({ place: s.place, promulgationDate: s.promulgationDate }),
    documentType: s.documentType ? clean({ ...s.documentType }) : undefined,
    subject: s.subject,
    content: s.content,
    signerInfo: s.signer ? clean({ ...s.signer }) : undefined,
    dueDate: s.dueDate,
    steeringType: s.steeringType,
    toPlaces: s.toPlaces?.length ? s.toPlaces : undefined,
  })
  const b = s.business
  const receivers = s.to.map((o) => ({ organId: o.organId, receiverType: '0' }))
  const business: Business = clean({
    docType: b.docType,
    documentId: b.documentId,
    reason: b.reason,
    paper: b.docType === 'new' ? undefined : '0',
    // Update: which parts change (QCVN 102: DocumentInfo/DocumentReceiver flags) and for whom; replace: the replaced document.
    documentInfo: b.docType === 'update' ? { documentInfo: '1', documentReceiver: '0', receivers } : undefined,
    replacements: b.docType === 'replace' && b.documentId ? [{ documentId: b.documentId, organIds: s.to.map((o) => o.organId) }] : undefined,
  })
  return {
    kind: 'document',
    header,
    traces: [{ organId: s.from.organId, timestamp: s.timestamp }],
    business,
    attachments: s.attachments.map((a, i) =>
      clean({
        contentId: `cid:${i + 1}`,
        name: a.name,
        contentType: a.contentType,
        description: a.description,
        content: () => body(a.sha256) as AsyncIterable<Uint8Array>,
      }),
    ),
  }
}

function toStatus(s: OutgoingStatusSpec): StatusMessage {
  return {
    kind: 'status',
    header: clean({
      from: clean({ ...s.from }),
      responseFor: clean({ ...s.responseFor }),
      staffInfo: s.staff ? clean({ ...s.staff }) : undefined,
      statusCode: s.statusCode as StatusCode,
      description: s.description,
      timestamp: s.timestamp,
    }),
    traces: [{ organId: s.from.organId, timestamp: s.timestamp }],
  }
}

/** The hub's edXML codec: src/edxml's builder and hardened streaming parser, attachments into the blob store. */
export function defaultEdxmlCodec(): EdxmlCodec {
  return {
    buildDocument: (spec, body) => buildEdxmlBuffer(toDocument(spec, body)),
    buildStatus: (spec) => buildEdxmlBuffer(toStatus(spec)),
    async parse(bytes, blobs): Promise<ParsedIncoming> {
      const parsed = await parseEdxml(bytes, { sink: blobStoreSink(blobs) })
      const signature = describeSignature(parsed.signature)
      const m = parsed.message
      if (m.kind === 'status') {
        const h = m.header
        return {
          kind: 'status',
          from: h.from,
          responseFor: clean({ organId: h.responseFor.organId, documentId: h.responseFor.documentId, code: h.responseFor.code }),
          statusCode: h.statusCode,
          description: h.description,
          staff: h.staffInfo as Record<string, string> | undefined,
          timestamp: h.timestamp,
          signature,
        }
      }
      const h = m.header
      const code = h.code ? (h.code.codeNotation ? `${h.code.codeNumber}/${h.code.codeNotation}` : h.code.codeNumber) : undefined
      const date = h.promulgationInfo?.promulgationDate
      return {
        kind: 'document',
        from: h.from,
        to: h.to.map((o) => o.organId),
        documentId: h.documentId ?? `${h.from.organId},${date ?? ''},${code ?? ''}`,
        code,
        subject: h.subject,
        promulgationDate: date,
        business: clean({
          docType: m.business?.docType ?? 'new',
          documentId: m.business?.documentId ?? m.business?.replacements?.[0]?.documentId,
          reason: m.business?.reason,
        }),
        meta: clean({
          fromName: h.from.organName,
          documentType: h.documentType,
          place: h.promulgationInfo?.place,
          dueDate: h.dueDate,
          signer: h.signerInfo,
          steeringType: h.steeringType,
          content: h.content,
          quirks: parsed.quirks.length ? parsed.quirks : undefined,
        }),
        attachments: m.attachments.map((a) => ({ name: a.name, contentType: a.contentType ?? 'application/octet-stream', size: a.size, sha256: a.sha256 })),
        signature,
      }
    },
  }
}
