import type { Readable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { ProblemSchema } from '../problem.js'
import { sendFile } from '../download.js'
import { PERIOD_PATTERN } from '../../services/indicators/reports/period.js'

const AGENCY = Type.String({
  pattern: '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$',
  description: 'Agency code NNN.NN.NN.Xnn',
  examples: ['000.00.06.H56'],
})
const PERIOD = Type.String({ pattern: PERIOD_PATTERN, description: 'A month `YYYY-MM` or a quarter `YYYY-Qn`', examples: ['2026-11', '2026-Q4'] })

const Report = Type.Object({
  id: Type.String(),
  period: Type.String(),
  from: Type.String({ description: 'First day (Asia/Ho_Chi_Minh, inclusive)' }),
  to: Type.String({ description: 'Day after the period (exclusive)' }),
  agency: Type.Union([Type.String(), Type.Null()], { description: 'null: the whole province' }),
  format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
  sha256: Type.String(),
  size: Type.Integer(),
  trigger: Type.String({ description: 'schedule | operator' }),
  generatedAt: Type.String(),
})

const Confirmation = Type.Object({
  sampled: Type.Integer(),
  confirmed: Type.Integer(),
  ratio: Type.Union([Type.Number(), Type.Null()]),
  checkedAt: Type.String(),
})

const Unconfirmed = Type.Object({
  dossierCode: Type.String(),
  agencyCode: Type.String(),
  expectedStatus: Type.Union([Type.Integer(), Type.Null()]),
  portalStatus: Type.Union([Type.Integer(), Type.Null()]),
  outcome: Type.Union([Type.Literal('missing'), Type.Literal('status_differs'), Type.Literal('error')]),
  reason: Type.String(),
  checkedAt: Type.String(),
})

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }

/** Operators: indicator reports (list, download, generate now) and the portal spot-check. */
export default async function adminReportRoutes(app: HubApp) {
  const { reports, portalCheck } = app.hub.services
  app.get(
    '/admin/reports',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Generated indicator reports, newest first',
        description: 'Monthly and quarterly reports (CSV and XLSX) per agency and for the province; `agency=province` lists the province-wide ones.',
        querystring: Type.Object(
          {
            period: Type.Optional(PERIOD),
            agency: Type.Optional(Type.Union([AGENCY, Type.Literal('province')])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Report) }), ...errors },
      },
    },
    async (request) => {
      const { agency, ...rest } = request.query
      return reports.list({ ...rest, ...(agency ? { agency: agency === 'province' ? '' : agency } : {}) })
    },
  )
  app.get(
    '/admin/reports/:id',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Download a report file (CSV: UTF-8 with BOM, RFC 4180; XLSX)',
        params: Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }) }),
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'The file bytes' }),
          ...errors,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => sendFile(reply, await reports.file(request.params.id)),
  )
  app.post(
    '/admin/reports',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Generate the reports of a period now (queued for a worker)',
        description: 'Without `agency`: the province and every agency of REPORTS_AGENCIES. A period generated again replaces its files.',
        body: Type.Object({ period: PERIOD, agency: Type.Optional(AGENCY) }, { additionalProperties: false }),
        response: {
          202: Type.Object({ jobId: Type.String(), period: Type.String(), agency: Type.Union([Type.String(), Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request, reply) => reply.code(202).send(await reports.request(request.body.period, request.body.agency)),
  )
  app.get(
    '/admin/indicators/portal-check',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'The latest portal spot-check: the share of sampled dossiers DVCQG confirmed, and the ones it did not',
        querystring: Type.Object({ agency: Type.Optional(AGENCY) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            runId: Type.Union([Type.String(), Type.Null()]),
            confirmation: Type.Union([Confirmation, Type.Null()]),
            unconfirmed: Type.Array(Unconfirmed),
          }),
          ...errors,
        },
      },
    },
    async (request) => portalCheck.latest(request.query.agency),
  )
  app.post(
    '/admin/indicators/portal-check',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Run the portal spot-check now (queued for a worker)',
        response: { 202: Type.Object({ jobId: Type.String() }), ...errors },
      },
    },
    async (_request, reply) => reply.code(202).send(await portalCheck.request()),
  )
}
