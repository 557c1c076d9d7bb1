import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { AdminDocumentsQuery, DocumentIdParams, ORGAN_ID_PATTERN } from '../../../schemas/v1/documents.js'
import { AGENCY_CODE_PATTERN } from '../../../schemas/v1/dossier.js'
import { ProblemSchema } from '../problem.js'

const OutboxItem = Type.Object({
  id: Type.Integer(),
  documentId: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  createdAt: Type.String(),
})

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }
const Direction = Type.Union([Type.Literal('in'), Type.Literal('out')])
const LastStatus = Type.Object({ statusCode: Type.String(), name: Type.String(), direction: Direction, at: Type.String() })

const InboxItem = Type.Object({
  id: Type.String({ format: 'uuid' }),
  agency: Type.String({ description: 'The receiving agency of the province' }),
  sender: Type.String({ description: 'The sending agency (organ id at the axis)' }),
  code: Type.Optional(Type.String({ description: 'Số/ký hiệu' })),
  subject: Type.Optional(Type.String({ description: 'Trích yếu' })),
  businessType: Type.String({ description: 'new | revoke | update | replace' }),
  state: Type.String({ description: 'received | revoked | updated | replaced' }),
  stateReason: Type.Optional(Type.String()),
  inboxSeq: Type.Integer(),
  receivedAt: Type.String(),
  ackedAt: Type.Union([Type.String(), Type.Null()], { description: "When the agency's system acknowledged it" }),
  lastStatus: Type.Optional(LastStatus),
})

const TimelineEvent = Type.Object({
  at: Type.String(),
  kind: Type.String({
    description:
      'stored (received, or accepted to send) | sent | pending | parked (the document message) | status (sent or received) | acknowledged | changed (by a revoke/update/replace)',
  }),
  direction: Type.Optional(Direction),
  statusCode: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  statusAt: Type.Optional(Type.String({ description: 'The status message timestamp (edXML, yyyy/MM/dd HH:mm:ss, Vietnam time)' })),
  delivery: Type.Optional(Type.String({ description: 'A status sent from here: pending | sent | parked' })),
  attempts: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  changedBy: Type.Optional(Type.String({ format: 'uuid' })),
})

/** Operators: the document outbox (parked messages with the axis's reason), replay, and the agency sync. */
export default async function adminDocumentRoutes(app: HubApp) {
  const documents = app.hub.services.documents
  app.get(
    '/admin/documents/outbox',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Outgoing VDXP messages by state (parked: refused by the axis, with its reason)',
        querystring: AdminDocumentsQuery,
        response: { 200: Type.Object({ items: Type.Array(OutboxItem) }) },
      },
    },
    async (request) => ({
      items: (await documents.outbox((request.query.state ?? 'parked') as 'pending' | 'parked' | 'sent', request.query.limit)).map((r) => ({
        id: Number(r.id),
        documentId: r.document_id,
        kind: r.kind,
        state: r.state,
        attempts: r.attempts,
        ...(r.last_error ? { lastError: r.last_error } : {}),
        createdAt: r.created_at.toISOString(),
      })),
    }),
  )
  app.get(
    '/admin/documents/inbox',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Received VDXP documents of every agency, newest first, with their latest status (filters: state, agency with its units, sender)',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union(['received', 'revoked', 'updated', 'replaced'].map((s) => Type.Literal(s)))),
            agency: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN, description: 'The receiving agency and its units' })),
            sender: Type.Optional(Type.String({ pattern: ORGAN_ID_PATTERN, maxLength: 40 })),
            unacked: Type.Optional(Type.Boolean({ description: "Only documents the agency's system has not acknowledged" })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            after: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'The `next` of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(InboxItem), next: Type.Optional(Type.String()) }), ...errors },
      },
    },
    async (request) => documents.console.inbox(request.query),
  )
  app.get(
    '/admin/documents/:id/timeline',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: "A document's timeline (sent or received): stored, its document message, each status sent or received, acknowledgement, change",
        params: DocumentIdParams,
        response: {
          200: Type.Object({
            document: Type.Object({
              id: Type.String({ format: 'uuid' }),
              direction: Direction,
              agency: Type.String(),
              peer: Type.String(),
              code: Type.Optional(Type.String()),
              subject: Type.Optional(Type.String()),
              businessType: Type.String(),
              state: Type.String(),
              stateReason: Type.Optional(Type.String()),
              createdAt: Type.String(),
              ackedAt: Type.Union([Type.String(), Type.Null()]),
            }),
            events: Type.Array(TimelineEvent),
          }),
          ...errors,
          404: ProblemSchema,
        },
      },
    },
    async (request) => documents.console.timeline(request.params.id),
  )
  app.post(
    '/admin/documents/replay',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Put parked outgoing messages (of one document, or all) back in line',
        body: Type.Object({ documentId: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ replayed: Type.Array(Type.String()) }), 400: ProblemSchema },
      },
    },
    async (request) => ({ replayed: await documents.replay(request.body.documentId) }),
  )
  app.post(
    '/admin/documents/agencies/sync',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "Sync the axis's agency list now (recipients are validated against it)",
        response: { 200: Type.Object({ agencies: Type.Integer() }), 502: ProblemSchema, 503: ProblemSchema, 504: ProblemSchema },
      },
    },
    async () => documents.syncAgencies(),
  )
}
