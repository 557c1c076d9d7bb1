import type { HubApp } from '../types.js'
import { AuditPage, AuditQuery } from '../../../schemas/v1/lookups.js'
import { ProblemSchema } from '../problem.js'
import { AuditVerifyReport } from '../../../schemas/v1/audit-evidence.js'

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

  // Evidence: the chain, its archived segments and signed checkpoints verified end to end.
  app.get(
    '/admin/audit/verify',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Verify the tamper-evident audit log: the first record or checkpoint that does not verify, and why (ok false)',
        response: { 200: AuditVerifyReport, 401: ProblemSchema, 403: ProblemSchema },
      },
    },
    () => app.hub.audit.verify(),
  )
}
