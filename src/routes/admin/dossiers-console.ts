import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { AGENCY_CODE_PATTERN, DossierCodeParams, PROCEDURE_CODE_PATTERN } from '../../../schemas/v1/dossier.js'
import { ProblemSchema } from '../problem.js'

const State = Type.Union([Type.Literal('delivered'), Type.Literal('pending'), Type.Literal('failed'), Type.Literal('parked')])

const SearchItem = Type.Object({
  dossierCode: Type.String(),
  agencyCode: Type.String(),
  procedureCode: Type.String(),
  state: Type.String({ enum: ['delivered', 'pending', 'failed', 'parked'] }),
  pendingEvents: Type.Integer(),
  receivedAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
  parkedReason: Type.Optional(Type.String()),
})

const Attempt = Type.Object({
  at: Type.String(),
  outcome: Type.String({ description: 'delivered | retry | parked' }),
  httpStatus: Type.Optional(Type.Integer()),
  portalCode: Type.Optional(Type.String()),
  portalMessage: Type.Optional(Type.String()),
  errorKind: Type.Optional(Type.String()),
  durationMs: Type.Integer(),
})

/** Operator console: dossier search (prefix, agency subtree, procedure, sync state) and one dossier's timeline. */
export default async function adminDossierConsoleRoutes(app: HubApp) {
  const reads = app.hub.services.dossiers.console
  app.get(
    '/admin/dossiers/search',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Search dossiers by code prefix, agency (with its units), procedure and sync state, by code, keyset-paged',
        querystring: Type.Object(
          {
            code: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z.-]{1,40}$', description: 'Code prefix (an index range, not a pattern)' })),
            agency: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN })),
            procedure: Type.Optional(Type.String({ pattern: PROCEDURE_CODE_PATTERN })),
            state: Type.Optional(State),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            after: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,120}$', description: 'The `next` cursor of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(SearchItem), next: Type.Optional(Type.String()) }), 400: ProblemSchema },
      },
    },
    async (request) => reads.search(request.query),
  )
  app.get(
    '/admin/dossiers/:dossierCode/timeline',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: "One dossier's events, oldest first, each with every delivery attempt and the portal's answer",
        params: DossierCodeParams,
        response: {
          200: Type.Object({
            dossier: SearchItem,
            events: Type.Array(
              Type.Object({
                eventId: Type.String(),
                kind: Type.String(),
                status: Type.Optional(Type.String()),
                occurredAt: Type.Union([Type.String(), Type.Null()]),
                receivedAt: Type.String(),
                state: Type.String(),
                deliveredAt: Type.Optional(Type.String()),
                attempts: Type.Array(Attempt),
              }),
            ),
          }),
          404: ProblemSchema,
        },
      },
    },
    async (request) => reads.timeline(request.params.dossierCode),
  )
}
