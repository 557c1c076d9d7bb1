import type { FastifyInstance } from 'fastify'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { Queue } from 'bullmq'

export const QUEUES_UI_PATH = '/admin/queues'

/** The operators' queue dashboard (@bull-board), behind the admin grant like all of /admin. */
export default async function queuesDashboard(app: FastifyInstance, opts: { queues: Queue[] }) {
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(QUEUES_UI_PATH)
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'lgsp-hub queues' } },
  })
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUES_UI_PATH })
}
