import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { AGENCY_CODE_PATTERN, DossierCodeParams, PROCEDURE_CODE_PATTERN } from '../../../schemas/v1/dossier.js'
import { MAX_OFFSET } from '../../../schemas/v1/catalog.js'
import { ProblemSchema } from '../problem.js'
import adminDossierConsoleRoutes from './dossiers-console.js'

const Item = Type.Object({
  dossierCode: Type.String(),
  state: Type.String(),
  pendingEvents: Type.Integer(),
  attempts: Type.Integer(),
  lastError: Type.Optional(Type.String()),
  parkedReason: Type.Optional(Type.String()),
  parkedAt: Type.Optional(Type.String()),
  nextAttemptAt: Type.Optional(Type.String()),
})

/** Operators: dead letters (parked dossiers), retrying ones, replay, attempt history. */
export default async function adminDossierRoutes(app: HubApp) {
  const dossiers = app.hub.services.dossiers
  await app.register(adminDossierConsoleRoutes)
  app.get(
    '/admin/dossiers',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Dossiers by sync state: parked (dead letter), failed (retrying), pending',
        querystring: Type.Object(
          {
            state: Type.Union([Type.Literal('parked'), Type.Literal('failed'), Type.Literal('pending')], { default: 'parked' }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Item) }) },
      },
    },
    async (request) => ({ items: await dossiers.list(request.query.state, request.query.limit, request.query.offset) }),
  )
  app.post(
    '/admin/dossiers/:dossierCode/replay',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Put a parked dossier back in line',
        params: DossierCodeParams,
        response: { 200: Type.Object({ replayed: Type.Array(Type.String()) }), 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => {
      request.log.info({ dossierCode: request.params.dossierCode }, 'operator replays a parked dossier')
      return { replayed: await dossiers.replay(request.params.dossierCode) }
    },
  )
  app.post(
    '/admin/dossiers/replay',
    {
      config: { access: 'admin' },
      // No body (or an empty one, any content type) means every parked dossier, as before filters existed.
      preValidation: async (request) => {
        const body = request.body as unknown
        if (body === undefined || body === null || body === '') request.body = {}
      },
      schema: {
        tags: ['admin'],
        summary: 'Put parked dossiers back in line: every one (no body), or those of an agency (and its units) and/or a procedure; dryRun only counts',
        body: Type.Object(
          {
            agency: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN, description: 'The agency and its units (agency hierarchy)' })),
            procedure: Type.Optional(Type.String({ pattern: PROCEDURE_CODE_PATTERN })),
            dryRun: Type.Optional(Type.Boolean({ description: 'Only count (and list up to 20 of) the dossiers it would replay' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            replayed: Type.Optional(Type.Array(Type.String())),
            count: Type.Optional(Type.Integer()),
            sample: Type.Optional(Type.Array(Type.String(), { maxItems: 20 })),
          }),
        },
      },
    },
    async (request) => {
      const body = request.body
      const result = await dossiers.replayWhere(body)
      if ('replayed' in result)
        request.log.info({ count: result.replayed.length, agency: body.agency, procedure: body.procedure }, 'operator replays parked dossiers')
      return result
    },
  )
  app.get(
    '/admin/dossiers/:dossierCode/attempts',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Delivery attempts of one dossier, newest first',
        params: DossierCodeParams,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                at: Type.String(),
                firstSeq: Type.Integer(),
                lastSeq: Type.Integer(),
                operation: Type.String(),
                outcome: Type.String(),
                upstreamStatus: Type.Optional(Type.Integer()),
                errorKind: Type.Optional(Type.String()),
                message: Type.Optional(Type.String()),
                latencyMs: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await dossiers.attempts(request.params.dossierCode) }),
  )
}
