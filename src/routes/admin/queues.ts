import type { FastifyInstance } from 'fastify'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { Queue } from 'bullmq'
import { DASHBOARD_CSP, routeHelmet } from '../../plugins/security-headers.js'

export const QUEUES_UI_PATH = '/admin/queues'

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD'])

/**
 * The operators' queue dashboard (@bull-board). Its routes are declared here since
 * bull-board takes no route options: reading (GET/HEAD: the page, its files, the read
 * API) needs `admin:read`, anything else (retry, clean, pause, add, obliterate…) `admin`,
 * so viewers get a read-only dashboard whose write API answers 403.
 */
export default async function queuesDashboard(app: FastifyInstance, opts: { queues: Queue[] }) {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    const access = methods.every((m) => READ_METHODS.has(m)) ? 'admin:read' : 'admin'
    route.config = { ...route.config, access, helmet: routeHelmet(DASHBOARD_CSP) } as typeof route.config
  })
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(QUEUES_UI_PATH)
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'lgsp-hub queues' } },
  })
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUES_UI_PATH })
}
