import { GapsQuery, GapsReply } from '../../../schemas/v1/dossiers-digitisation.js'
import { ImportBody, ImportParams, ImportReport, ImportStarted } from '../../../schemas/v1/digitisation-imports.js'
import { Type } from '@sinclair/typebox'
import { AGENCY_CODE_PATTERN } from '../../../schemas/v1/dossier.js'
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
  const IsoDate = Type.String({ format: 'hub-date', maxLength: 10, description: 'YYYY-MM-DD, Vietnam time, inclusive' })
  const n = Type.Integer({ minimum: 0 })
  app.get(
    '/admin/digitisation/summary',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary:
          'Per agency: documents digitised, pushed, mirrored and reused over the period (as /admin/warehouse/stats), signature policy decisions, and the gaps in force',
        querystring: Type.Object(
          {
            agency: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN, description: 'The agency and its units' })),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.Optional(Type.String()),
            to: Type.Optional(Type.String()),
            agency: Type.Optional(Type.String()),
            rows: Type.Array(
              Type.Object({
                agencyCode: Type.String(),
                digitised: n,
                pushed: n,
                mirrored: n,
                reused: n,
                signature: Type.Object(
                  { pass: n, warn: n, fail: n },
                  { description: 'Signature policy decisions of the checked documents: pass, warn, blocked' },
                ),
                gaps: Type.Integer({ minimum: 0, description: 'Dossiers returned without a signed digital result, now (GET /admin/digitisation/gaps)' }),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => digitisation.summary(request.query),
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
