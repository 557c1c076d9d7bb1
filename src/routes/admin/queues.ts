import type { FastifyInstance } from 'fastify'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { Queue } from 'bullmq'
import { HubError, problem } from '../../errors.js'
import { toHubError } from '../../plugins/errors.js'
import { DASHBOARD_CSP, routeHelmet } from '../../plugins/security-headers.js'

export const QUEUES_UI_PATH = '/admin/queues'

const REDIS_DOWN = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|MaxRetriesPerRequest/

/**
 * An error of a dashboard action. bull-board and BullMQ refuse bad input (no job name,
 * conflicting job options, an unknown job) with bare Errors, so anything but the hub's
 * own errors and a Redis outage is the caller's request, answered 400 rather than 500.
 */
function dashboardError(err: Error): HubError {
  const known = toHubError(err)
  if (known.code !== 'HUB_ERR_INTERNAL') return known
  if (REDIS_DOWN.test(`${(err as { code?: unknown }).code ?? ''} ${err.message.slice(0, 200)}`))
    return new HubError('HUB_ERR_DEPENDENCY_DOWN', 'Redis is unavailable', { retryAfter: 5 })
  return new HubError('HUB_ERR_VALIDATION', 'the queue dashboard refused this request', {
    errors: [{ field: '/body', message: 'refused by the queue dashboard', rule: 'HUB_QUEUE_DASHBOARD' }],
  })
}

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD'])

/** A `<link>` of bull-board's page to another origin (its Google Fonts stylesheet for the Ubuntu face). Its own template: not caller input. */
const EXTERNAL_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>/g

/**
 * The dashboard page without anything from outside the hub: provincial networks are often
 * air-gapped, and a page must not tell a third party who opens it. bull-board's page asks
 * Google Fonts for the Ubuntu face; without it the page uses the system's sans-serif
 * (its own stylesheet names `Ubuntu, sans-serif`). Scripts, styles and images are its own
 * files, served from /admin/queues/static.
 */
export function withoutExternalAssets(html: string): string {
  return html.replace(EXTERNAL_LINK, '')
}

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
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type')
    if (typeof payload === 'string' && typeof type === 'string' && type.startsWith('text/html')) done(null, withoutExternalAssets(payload))
    else done(null, payload)
  })
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(QUEUES_UI_PATH)
  createBullBoard({
    queues: opts.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'lgsp-hub queues' } },
  })
  // bull-board answers the errors of its scope itself (hooks' included): keep them problem+json with the hub's codes.
  serverAdapter.setErrorHandler((err) => {
    const hubErr = dashboardError(err)
    if (hubErr.status >= 500) app.log.error({ err: { type: err.name, message: err.message }, code: hubErr.code }, 'queue dashboard request failed')
    // Its status type lists only the codes it uses itself; the hub's are 4xx/5xx all the same.
    return { status: hubErr.status as 400, body: problem(hubErr) }
  })
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUES_UI_PATH })
}
