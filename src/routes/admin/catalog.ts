import type { HubApp } from '../types.js'
import { RunsQuery, RunsReply, SyncAccepted } from '../../../schemas/v1/catalog.js'
import { ProblemSchema } from '../problem.js'

/** Operators: start a catalog sync now, and see each run (counts, errors, progress). */
export default async function adminCatalogRoutes(app: HubApp) {
  const catalog = app.hub.services.catalog
  app.post(
    '/admin/catalog/sync',
    {
      config: { access: 'admin' },
      schema: { tags: ['admin'], summary: 'Start a catalog sync now (or report the run under way)', response: { 202: SyncAccepted, 409: ProblemSchema } },
    },
    async (request, reply) => {
      const accepted = await catalog.requestSync('manual')
      request.log.info(accepted, 'operator requested a catalog sync')
      return reply.code(202).send(accepted)
    },
  )
  app.get(
    '/admin/catalog/runs',
    {
      config: { access: 'admin:read' },
      schema: { tags: ['admin'], summary: 'Catalog sync runs, newest first', querystring: RunsQuery, response: { 200: RunsReply } },
    },
    async (request) => ({ items: await catalog.runs(request.query.limit) }),
  )
}
