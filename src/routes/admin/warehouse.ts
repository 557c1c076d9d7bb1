import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { BackfillBody, BackfillProgress, StatsQuery, StatsReply, WarehouseDocument } from '../../../schemas/v1/warehouse.js'
import { ProblemSchema } from '../problem.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }

/** Operators: mirror backfill (progress also in the queue dashboard) and digitisation statistics. */
export default async function adminWarehouseRoutes(app: HubApp) {
  const { mirror, stats, signatures } = app.hub.services.warehouse
  app.post(
    '/admin/warehouse/documents/:id/signature-check',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary:
          'Check a stored file’s signature again (today’s policy, trust anchors, revocation): a local document no longer blocked is queued for push (docs/signatures.md)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: WarehouseDocument, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => signatures.recheck(request.params.id),
  )
  app.post(
    '/admin/warehouse/backfill',
    {
      config: { access: 'admin' },
      bodyLimit: 8 * 1_048_576,
      // A file of owner ids (text/plain, one per line) is accepted as well as the JSON body.
      preValidation: async (request) => {
        const raw: unknown = request.body
        if (typeof raw === 'string') request.body = { ownerIds: raw.split(/[\s,;]+/).filter(Boolean) }
      },
      schema: {
        tags: ['admin'],
        summary: 'Mirror these owners from the national warehouse (one warehouse-mirror job each): JSON {ownerIds}, or text/plain with one id per line',
        body: BackfillBody,
        response: { 202: Type.Object({ backfillId: Type.String(), owners: Type.Integer() }), ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await mirror.backfill(request.body)),
  )
  app.get(
    '/admin/warehouse/backfill/:backfillId',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Progress of a backfill',
        params: Type.Object({ backfillId: Type.String({ pattern: '^bf[0-9a-z]+$', maxLength: 40 }) }),
        response: { 200: BackfillProgress, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => mirror.backfillProgress(request.params.backfillId),
  )
  app.get(
    '/admin/warehouse/stats',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Digitisation statistics per agency and period: digitised, pushed, mirrored, reused, signature outcomes',
        querystring: StatsQuery,
        response: { 200: StatsReply, ...errors },
      },
    },
    async (request) => stats.query(request.query),
  )
}
