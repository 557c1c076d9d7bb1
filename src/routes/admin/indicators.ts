import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'
import { AgencyCode, ProcedureCode } from '../../../schemas/v1/dossier.js'
import { MAX_OFFSET } from '../../../schemas/v1/catalog.js'
import { ProblemSchema } from '../problem.js'
import { RATIO_CODES } from '../../services/indicators/types.js'

const closed = { additionalProperties: false } as const
const Day = Type.String({ pattern: String.raw`^\d{4}-\d{2}-\d{2}$`, description: 'YYYY-MM-DD, Asia/Ho_Chi_Minh', examples: ['2026-11-01'] })
const CODES = [...RATIO_CODES, 'AVG_PROCESSING_DAYS'] as const
const Code = Type.Unsafe<(typeof CODES)[number]>({ type: 'string', enum: [...CODES] })

const Period = {
  from: Day,
  to: Type.String({ ...Day, description: 'Day after the period (exclusive), YYYY-MM-DD, Asia/Ho_Chi_Minh' }),
  agency: Type.Optional(
    Type.String({ ...AgencyCode, description: 'The agency and its children by code hierarchy (docs/indicators.md); whole province when absent' }),
  ),
  procedure: Type.Optional(ProcedureCode),
}

const Nullable = (t: ReturnType<typeof Type.Number>) => Type.Union([t, Type.Null()])
const PortalConfirmed = Type.Object(
  { sampled: Type.Integer(), confirmed: Type.Integer(), ratio: Nullable(Type.Number()), checkedAt: Type.String() },
  { additionalProperties: true },
)
const MetricSchema = Type.Object({
  code: Code,
  numerator: Type.Number(),
  denominator: Type.Integer(),
  ratio: Nullable(Type.Number({ description: 'numerator / denominator; null when the denominator is 0' })),
  score: Nullable(Type.Number({ description: 'min(1, ratio / fullAt) × maxScore (config/indicators.json)' })),
  maxScore: Nullable(Type.Number()),
  portalConfirmed: Type.Optional(PortalConfirmed),
})
const Report = Type.Object({
  agency: Type.Union([Type.String(), Type.Null()]),
  from: Type.String(),
  to: Type.String(),
  procedure: Type.Optional(Type.String()),
  metrics: Type.Array(MetricSchema),
})
const Breakdown = Type.Object({ by: Type.String(), items: Type.Array(Type.Object({ key: Type.String(), report: Report })), total: Report })

const DrillItem = Type.Object({
  dossierCode: Type.String(),
  agency: Type.String(),
  procedure: Type.String(),
  receivedAt: Type.String(),
  dueAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
  inNumerator: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'Why the dossier is not in the numerator' })),
  processingDays: Type.Optional(Type.Number()),
})

const DueReport = Type.Object({
  asOf: Type.String(),
  horizon: Type.String(),
  truncated: Type.Boolean(),
  agencies: Type.Array(
    Type.Object({
      agency: Type.String(),
      overdue: Type.Integer(),
      dueSoon: Type.Integer(),
      dossiers: Type.Array(
        Type.Object({
          dossierCode: Type.String(),
          procedure: Type.String(),
          dueAt: Type.String(),
          effectiveDueAt: Type.String({ description: 'dueAt plus supplement pauses (an open pause counted to now)' }),
          overdue: Type.Boolean(),
          paused: Type.Boolean(),
        }),
      ),
    }),
  ),
})

const errors = { 400: ProblemSchema }

/** Service-quality indicators (issue 14, docs/indicators.md): summary, breakdowns, drill-down, due list. */
export default async function adminIndicatorRoutes(app: HubApp) {
  const indicators = app.hub.services.indicators
  app.get(
    '/admin/indicators',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Decision 766 indicators of an agency (and its children) or the province over [from, to); by=agency|procedure adds a breakdown',
        querystring: Type.Object({ ...Period, by: Type.Optional(Type.Union([Type.Literal('agency'), Type.Literal('procedure')])) }, closed),
        response: { 200: Type.Union([Report, Breakdown]), ...errors },
      },
    },
    async (request) => {
      const { by, ...q } = request.query
      return by ? indicators.breakdownWithTotal(q, by) : indicators.summary(q)
    },
  )
  app.get(
    '/admin/indicators/:code/dossiers',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: "The dossiers of an indicator's denominator, by dossier code, with whether each is in the numerator and why not",
        params: Type.Object({ code: Code }, closed),
        querystring: Type.Object(
          {
            ...Period,
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
          },
          closed,
        ),
        response: { 200: Type.Object({ items: Type.Array(DrillItem), nextOffset: Type.Optional(Type.Integer()) }), ...errors },
      },
    },
    async (request) => {
      const { limit, offset, ...q } = request.query
      return indicators.dossiers(request.params.code, q, limit, offset)
    },
  )
  app.get(
    '/admin/dossiers/due',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'Unfinished dossiers past their due time or within `within` of it (supplement pauses extend it), per agency',
        querystring: Type.Object(
          {
            within: Type.String({ pattern: '^[1-9][0-9]{0,2}[hd]$', default: '2d', description: 'Horizon: hours (h) or days (d), e.g. 2d, 12h' }),
            agency: Type.Optional(AgencyCode),
            limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
          },
          closed,
        ),
        response: { 200: DueReport, ...errors },
      },
    },
    async (request) => indicators.due(request.query.within, request.query.agency, request.query.limit),
  )
}
