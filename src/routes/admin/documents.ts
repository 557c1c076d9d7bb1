import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { AdminDocumentsQuery } from '../../../schemas/v1/documents.js'
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
