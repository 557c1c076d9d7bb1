import type { HubApp } from '../types.js'
import {
  AgencyListQuery,
  AgencyListReply,
  ChangesQuery,
  ChangesReply,
  FieldListReply,
  ProcedureCodeParams,
  ProcedureListQuery,
  ProcedureListReply,
  ProcedureReply,
} from '../../../schemas/v1/catalog.js'
import { ProblemSchema } from '../problem.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }
const config = { access: 'catalog' as const }

/** The national procedure catalog, as synced from DVCQG: thin routes, one service call each. */
export default async function catalogRoutes(app: HubApp) {
  const catalog = app.hub.services.catalog
  app.get(
    '/v1/catalog/procedures',
    {
      config,
      schema: {
        tags: ['catalog'],
        summary: 'Procedures, filtered by agency, field, level or text (diacritics optional)',
        querystring: ProcedureListQuery,
        response: { 200: ProcedureListReply, ...errors },
      },
    },
    async (request) => catalog.listProcedures(request.query),
  )
  app.get(
    '/v1/catalog/procedures/:code',
    {
      config,
      schema: {
        tags: ['catalog'],
        summary: 'One procedure in full, by national or local code',
        params: ProcedureCodeParams,
        response: { 200: ProcedureReply, 404: ProblemSchema, ...errors },
      },
    },
    async (request) => catalog.getProcedure(request.params.code),
  )
  app.get(
    '/v1/catalog/agencies',
    {
      config,
      schema: { tags: ['catalog'], summary: 'Agencies (LayDanhMucCoQuan)', querystring: AgencyListQuery, response: { 200: AgencyListReply, ...errors } },
    },
    async (request) => ({ items: await catalog.listAgencies(request.query.q) }),
  )
  app.get(
    '/v1/catalog/fields',
    { config, schema: { tags: ['catalog'], summary: 'Fields (LayDanhMucLinhVuc)', response: { 200: FieldListReply, ...errors } } },
    async () => ({ items: await catalog.listFields() }),
  )
  app.get(
    '/v1/catalog/changes',
    {
      config,
      schema: {
        tags: ['catalog'],
        summary: 'Change feed: added, changed (field by field) and removed procedures after a cursor',
        querystring: ChangesQuery,
        response: { 200: ChangesReply, ...errors },
      },
    },
    async (request) => catalog.changes(request.query.since, request.query.limit),
  )
}
