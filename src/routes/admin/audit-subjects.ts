import type { HubApp } from '../types.js'
import { PurposeHeaders } from '../../../schemas/v1/lookups.js'
import { ProblemSchema } from '../problem.js'
import { SubjectParams, SubjectQuery, SubjectReport } from '../../../schemas/v1/audit-subjects.js'
import { SUBJECT_REQUEST_PURPOSE, auditBeforeServing, purposeCatalogue, requirePurpose } from '../../audit/purpose.js'
import { subjectAccesses, subjectCsv, subjectId } from '../../audit/subjects.js'

/**
 * The data subject's question (issue 11): every access to one person's data, paginated,
 * as JSON or CSV. The report is itself an access to that person's data: its own audit
 * record (purpose from x-purpose, default YEU-CAU-CHU-THE) is durable before it is sent.
 */
export default async function adminAuditSubjectRoutes(app: HubApp) {
  const audit = app.hub.services.lookups.audit
  const { config, logger } = app.hub
  const purposes = purposeCatalogue(config.AUDIT_PURPOSES)
  app.get(
    '/admin/audit/subjects/:idType/:idNumber',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: "Every recorded access to one person's data (who, when, purpose, outcome), newest first; ?format=csv exports CSV",
        description:
          'For a data-subject request (Decree 13/2023). The identifier is checked by the rules of its type and searched by its keyed hash. ' +
          'The optional x-purpose header (a dossier code or a catalogue code) defaults to YEU-CAU-CHU-THE; the report is audited itself.',
        params: SubjectParams,
        querystring: SubjectQuery,
        headers: PurposeHeaders,
        response: {
          200: SubjectReport,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const given = request.headers['x-purpose']
      const purpose = typeof given === 'string' ? requirePurpose(given, purposes) : SUBJECT_REQUEST_PURPOSE
      const id = subjectId(request.params.idType, request.params.idNumber)
      const report = await subjectAccesses(audit, request.params.idType, id, request.query)
      await auditBeforeServing(
        audit,
        {
          clientId: request.client!.id,
          requestId: request.id,
          service: 'audit',
          action: 'subject_report',
          subjectId: id,
          purpose,
          outcome: 'listed',
          status: 200,
          detail: { count: report.items.length, format: request.query.format },
        },
        { mode: 'refuse', logger },
      )
      if (request.query.format !== 'csv') return report
      if (report.nextCursor) reply.header('x-next-cursor', report.nextCursor)
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${request.params.idType}.csv"`)
        .send(subjectCsv(report.items) as never)
    },
  )
}
