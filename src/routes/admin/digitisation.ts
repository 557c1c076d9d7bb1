import { GapsQuery, GapsReply } from '../../../schemas/v1/dossiers-digitisation.js'
import { ImportBody, ImportParams, ImportReport, ImportStarted } from '../../../schemas/v1/digitisation-imports.js'
import type { HubApp } from '../types.js'
import { ProblemSchema } from '../problem.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }

/** Operators: dossiers returned to the applicant without a signed digital result, and backlog imports (issue 17). */
export default async function adminDigitisationRoutes(app: HubApp) {
  const { digitisation, imports } = app.hub.services
  app.get(
    '/admin/digitisation/gaps',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'An agency\'s dossiers in a "result returned" status whose results have no signed digital document in the warehouse',
        querystring: GapsQuery,
        response: { 200: GapsReply, ...errors },
      },
    },
    async (request) => digitisation.gaps(request.query.agency, request.query.limit),
  )
  app.post(
    '/admin/digitisation/imports',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Import previously issued results: a folder of PDFs with a manifest, stored through the warehouse intake (docs/digitisation.md)',
        body: ImportBody,
        response: { 202: ImportStarted, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await imports.start(request.body.folder)),
  )
  app.get(
    '/admin/digitisation/imports/:id',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Progress of an import: row outcomes, refused rows, and per agency the documents and pages imported against the declared inventory',
        params: ImportParams,
        response: { 200: ImportReport, 404: ProblemSchema, ...errors },
      },
    },
    async (request) => imports.report(request.params.id),
  )
}
