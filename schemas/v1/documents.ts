/**
 * Normalized API v1, document exchange (issue 12): official documents sent and received
 * through the national document-exchange axis (VDXP, edXML QCVN 102:2016).
 */
import { Type, type Static } from '@sinclair/typebox'
import { EVENT_ID_PATTERN, freeText, text } from './dossier.js'

const closed = { additionalProperties: false } as const
export const ORGAN_ID_PATTERN = '^[0-9A-Za-z]{1,12}(\\.[0-9A-Za-z]{1,12}){1,4}$'
const OrganId = Type.String({ pattern: ORGAN_ID_PATTERN, maxLength: 40, description: 'Agency code (mã định danh) at the axis', examples: ['000.01.00.H56'] })
/** `yyyy-MM-dd` calendar date. */
const IsoDate = Type.String({ format: 'hub-date', maxLength: 10, description: 'YYYY-MM-DD', examples: ['2026-12-01'] })
const Uuid = Type.String({ format: 'uuid' })

export const DocumentAttachmentBody = Type.Object(
  {
    name: text(255),
    contentType: Type.Optional(text(100, { default: 'application/octet-stream' })),
    contentBase64: Type.String({ minLength: 4, format: 'hub-base64' }),
    description: Type.Optional(freeText(500)),
  },
  closed,
)

const DocumentFields = {
  codeNumber: text(30, { description: 'Số văn bản, e.g. 1234' }),
  codeNotation: Type.Optional(text(100, { description: 'Ký hiệu, e.g. UBND-VP' })),
  place: Type.Optional(text(200)),
  promulgationDate: Type.Optional(IsoDate),
  documentType: Type.Optional(Type.Object({ type: Type.Optional(text(10)), typeDetail: Type.Optional(text(10)), typeName: Type.Optional(text(100)) }, closed)),
  subject: freeText(2000),
  content: Type.Optional(freeText(20_000)),
  signer: Type.Optional(Type.Object({ competence: Type.Optional(text(200)), position: Type.Optional(text(200)), fullName: Type.Optional(text(200)) }, closed)),
  dueDate: Type.Optional(IsoDate),
  steeringType: Type.Optional(text(10)),
  toPlaces: Type.Optional(Type.Array(text(300), { maxItems: 50 })),
  attachments: Type.Array(DocumentAttachmentBody, { maxItems: 20, default: [] }),
}

/** `POST /v1/documents`: a document to send (attachments as base64, or multipart `metadata` + file parts). */
export const DocumentSendBody = Type.Object(
  {
    idempotencyKey: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: EVENT_ID_PATTERN,
      description: "The client's idempotency key (or the Idempotency-Key header)",
    }),
    from: OrganId,
    to: Type.Array(OrganId, { minItems: 1, maxItems: 50, uniqueItems: true }),
    ...DocumentFields,
    // Required by central validators (QCVN 102: DocumentType/Type, a number).
    documentType: Type.Object(
      {
        type: Type.String({ pattern: '^[0-9]{1,3}$', description: 'Loại văn bản (number)' }),
        typeDetail: Type.Optional(text(10)),
        typeName: Type.Optional(text(100)),
      },
      closed,
    ),
  },
  closed,
)
export type DocumentSendBody = Static<typeof DocumentSendBody>

/** `POST /v1/documents/{id}/revoke|update|replace`: the business message about a sent document. */
export const DocumentChangeBody = Type.Object(
  {
    idempotencyKey: Type.String({ minLength: 1, maxLength: 100, pattern: EVENT_ID_PATTERN }),
    reason: freeText(2000),
    // update / replace: the new content (codeNumber etc. of the new document); revoke: none.
    document: Type.Optional(Type.Object(DocumentFields, closed)),
  },
  closed,
)
export type DocumentChangeBody = Static<typeof DocumentChangeBody>

export const DocumentAccepted = Type.Object({ id: Uuid, state: Type.String(), edxmlDocumentId: Type.String() }, closed)
export type DocumentAccepted = Static<typeof DocumentAccepted>

export const DocumentIdParams = Type.Object({ id: Uuid }, closed)
export const AttachmentParams = Type.Object({ id: Uuid, n: Type.Integer({ minimum: 1, maximum: 1000 }) }, closed)

export const StatusBody = Type.Object(
  {
    statusCode: Type.Union(
      ['02', '03', '04', '05', '06', '13', '15', '16'].map((c) => Type.Literal(c)),
      { description: '02 rejected, 03 accepted, 04 assigned, 05 processing, 06 finished, 13 recall requested, 15/16 update-recall accepted/rejected' },
    ),
    description: Type.Optional(freeText(2000)),
    staff: Type.Optional(
      Type.Object(
        { department: Type.Optional(text(200)), staff: Type.Optional(text(200)), email: Type.Optional(text(200)), mobile: Type.Optional(text(30)) },
        closed,
      ),
    ),
    idempotencyKey: Type.String({ minLength: 1, maxLength: 100, pattern: EVENT_ID_PATTERN }),
  },
  closed,
)
export type StatusBody = Static<typeof StatusBody>

export const TimelineEntry = Type.Object(
  {
    direction: Type.Union([Type.Literal('in'), Type.Literal('out')], { description: 'in: received from the other agency; out: sent by this side' }),
    statusCode: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    at: Type.String({ description: 'edXML timestamp yyyy/MM/dd HH:mm:ss' }),
    recordedAt: Type.String(),
    delivery: Type.Optional(Type.String({ description: 'out: pending | sent | parked' })),
  },
  closed,
)

export const DocumentView = Type.Object(
  {
    id: Uuid,
    direction: Type.Union([Type.Literal('out'), Type.Literal('in')]),
    agency: Type.String(),
    peer: Type.String(),
    receivers: Type.Array(Type.String()),
    businessType: Type.String(),
    edxmlDocumentId: Type.String(),
    code: Type.Optional(Type.String()),
    subject: Type.Optional(Type.String()),
    state: Type.String(),
    stateReason: Type.Optional(Type.String()),
    relatedId: Type.Optional(Uuid),
    changedBy: Type.Optional(Uuid),
    axisDocId: Type.Optional(Type.String()),
    signature: Type.Optional(Type.String()),
    inboxSeq: Type.Optional(Type.Integer()),
    ackedAt: Type.Optional(Type.String()),
    createdAt: Type.String(),
    meta: Type.Record(Type.String(), Type.Unknown()),
    attachments: Type.Array(
      Type.Object(
        { n: Type.Integer(), name: Type.String(), contentType: Type.String(), size: Type.Integer(), sha256: Type.String(), url: Type.String() },
        closed,
      ),
    ),
    timeline: Type.Array(TimelineEntry),
  },
  closed,
)
export type DocumentView = Static<typeof DocumentView>

export const InboxQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Cursor: the inboxSeq of the last document seen (0 or absent: from the start)' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    agency: Type.Optional(OrganId),
    unacked: Type.Optional(Type.Boolean({ description: 'Only documents not yet acknowledged by the province' })),
  },
  closed,
)
export const InboxReply = Type.Object({ items: Type.Array(DocumentView), next: Type.Integer({ description: 'Cursor for the next page (after=next)' }) }, closed)
export const AckReply = Type.Object({ id: Uuid, ackedAt: Type.String(), first: Type.Boolean() }, closed)
export const StatusAccepted = Type.Object({ id: Uuid, statusCode: Type.String(), replayed: Type.Boolean() }, closed)

export const AdminDocumentsQuery = Type.Object(
  {
    state: Type.Optional(Type.Union(['pending', 'parked', 'sent'].map((s) => Type.Literal(s)))),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  closed,
)
export const AgencyList = Type.Object(
  { items: Type.Array(Type.Object({ organId: Type.String(), name: Type.String(), parentId: Type.Optional(Type.String()), active: Type.Boolean() }, closed)) },
  closed,
)
