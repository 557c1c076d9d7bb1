import type { HubApp } from '../types.js'
import { DossierAcceptedReply, DossierCodeParams, DossierEventBody, DossierSyncReply, DossierUpsertBody } from '../../../schemas/v1/dossier.js'
import { ProblemSchema } from '../problem.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }

/** Dossier intake and sync state: thin, schema on the route, one service call each. */
export default async function dossierRoutes(app: HubApp) {
  const dossiers = app.hub.services.dossiers
  app.post(
    '/v1/dossiers',
    {
      config: { access: 'dossiers' },
      schema: {
        tags: ['dossiers'],
        summary: 'Create or update a dossier (stored before 202; delivered to DVCQG in order)',
        body: DossierUpsertBody,
        response: { 202: DossierAcceptedReply, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { replayed: _r, ...accepted } = await dossiers.upsert(request.body, request.client!)
      return reply.code(202).send(accepted)
    },
  )
  app.post(
    '/v1/dossiers/:dossierCode/events',
    {
      config: { access: 'dossiers' },
      schema: {
        tags: ['dossiers'],
        summary: 'Record a status change and/or a processing step',
        params: DossierCodeParams,
        body: DossierEventBody,
        response: { 202: DossierAcceptedReply, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { replayed: _r, ...accepted } = await dossiers.addEvent(request.params.dossierCode, request.body, request.client!)
      return reply.code(202).send(accepted)
    },
  )
  app.get(
    '/v1/dossiers/:dossierCode/sync',
    {
      config: { access: 'dossiers' },
      schema: {
        tags: ['dossiers'],
        summary: 'Delivery state of each event of a dossier',
        params: DossierCodeParams,
        response: { 200: DossierSyncReply, 404: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    async (request) => dossiers.syncState(request.params.dossierCode, request.client!),
  )
}
