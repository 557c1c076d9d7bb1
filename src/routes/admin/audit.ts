import type { HubApp } from '../../app.js'
import { AuditPage, AuditQuery } from '../../../schemas/v1/lookups.js'
import { ProblemSchema } from '../problem.js'

/** Operators: who looked up whom (hashed), when, why, with what outcome. */
export default async function adminAuditRoutes(app: HubApp) {
  const lookups = app.hub.services.lookups
  app.get(
    '/admin/audit',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Audit log of personal-data lookups, newest first (filter by client, service, subject id, time; keyset pagination)',
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    (request) => lookups.auditQuery(request.query),
  )
}
