import { Type } from '@sinclair/typebox'
import type { HubApp } from '../types.js'

const Count = Type.Integer({ minimum: 0 })
const NullableIso = Type.Union([Type.String(), Type.Null()])

const OverviewReply = Type.Object({
  at: Type.String(),
  systems: Type.Array(
    Type.Object({
      system: Type.String({ maxLength: 64, description: 'connector id: dvcqg, a lookup connector (src/connectors/lookups.ts), vdxp' }),
      enabled: Type.Boolean(),
      breaker: Type.String({ enum: ['closed', 'open', 'half-open', 'unknown'] }),
      breakerAt: Type.Optional(Type.String()),
      calls: Count,
      errors: Count,
      errorRate: Type.Union([Type.Number(), Type.Null()]),
      p95Ms: Type.Union([Type.Number(), Type.Null()]),
      lastSuccessAt: NullableIso,
      windowMinutes: Type.Integer(),
    }),
  ),
  statusSync: Type.Object({
    series: Type.Array(Type.Object({ at: Type.String(), accepted: Count, delivered: Count, backlog: Count })),
    backlog: Count,
    oldestReadyAgeSeconds: Type.Union([Type.Integer(), Type.Null()]),
    retryWaiting: Type.Object({ dossiers: Count, oldestAgeSeconds: Type.Union([Type.Integer(), Type.Null()]) }),
    parked: Count,
  }),
  catalog: Type.Object({
    lastRun: Type.Union([
      Type.Object({
        id: Type.Integer(),
        state: Type.String(),
        startedAt: Type.String(),
        finishedAt: NullableIso,
        counts: Type.Record(Type.String(), Type.Number()),
      }),
      Type.Null(),
    ]),
  }),
  warehouse: Type.Object({ mirror: Type.Record(Type.String(), Count), push: Type.Record(Type.String(), Count) }),
  documents: Type.Object({ awaitingAck: Count, failed: Count }),
})

/** Operator console: the hub at a glance (docs/console-api.md). */
export default async function adminOverviewRoutes(app: HubApp) {
  const overview = app.hub.services.overview
  app.get(
    '/admin/overview',
    {
      config: { access: 'admin:read' },
      schema: {
        tags: ['admin'],
        summary: 'The hub at a glance: national systems (last 15 min, all processes), status sync (6 h series), catalog, warehouse, documents',
        response: { 200: OverviewReply },
      },
    },
    async () => overview.overview(),
  )
}
