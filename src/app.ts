import { randomUUID } from 'node:crypto'
import Fastify, { LogController, type RouteOptions, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { openapiOptions } from './plugins/openapi.js'
import ajvFormats from 'ajv-formats'
import type { Hub } from './hub.js'
import type { Logger } from './log.js'
import errorsPlugin, { sendProblem, toHubError } from './plugins/errors.js'
import inputPlugin from './plugins/input.js'
import { HUB_FORMATS, registerHubFormats } from './validation/text.js'
import authPlugin from './inbound-auth/plugin.js'
import { ConsoleSessions } from './inbound-auth/session.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import pressurePlugin from './plugins/pressure.js'
import { serverOptions } from './http/server-options.js'
import securityHeaders, { DOCS_CSP, cspHeader } from './plugins/security-headers.js'
import healthRoutes from './routes/health.js'
import metricsRoute from './routes/metrics.js'
import queuesDashboard from './routes/admin/queues.js'
import { auditOperatorActions } from './routes/admin/operator-audit.js'
import { createReadiness, createUpstreamHealth } from './health.js'
import { registerRoutes } from './routes/index.js'
import type { HubApp } from './routes/types.js'
import { registerTracingHooks } from './telemetry/fastify.js'

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

/** One access-log line per request (method, masked URL, status, time, client) instead of two. */
class AccessLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, ms: Math.round(reply.elapsedTime * 10) / 10 }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else request.log.info(line, 'request completed')
  }
}

export interface BuildAppOptions {
  /** Logger to use instead of the hub's (tests capture log lines through it). */
  logger?: Logger
  /** Sees every route as it is registered (tests walk Fastify's own route table with it). */
  onRoute?: (route: RouteOptions) => void
}

/**
 * Builds the hub's API (never listens: server.ts does). Everything a request meets
 * is here: request ids, PII-safe logging, authentication, validation, problem+json,
 * OpenAPI at /docs, health and metrics, then the v1 and admin routes.
 */
export type { HubApp } from './routes/types.js'

/** DOCS_ENABLED: true/false force it; auto serves /docs except in production. */
export const docsEnabled = (config: Pick<Hub['config'], 'DOCS_ENABLED' | 'NODE_ENV'>) =>
  config.DOCS_ENABLED === 'true' || (config.DOCS_ENABLED === 'auto' && config.NODE_ENV !== 'production')

export async function buildApp(hub: Hub, opts: BuildAppOptions = {}): Promise<HubApp> {
  const app = Fastify({
    loggerInstance: (opts.logger ?? hub.logger) as FastifyBaseLogger,
    bodyLimit: hub.config.BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true, verbose: true },
      plugins: [ajvFormats as never, registerHubFormats as never],
    },
    // Response schemas share the input types: their hub-* formats mean nothing to the serializer.
    serializerOpts: { ajv: { formats: Object.fromEntries(Object.keys(HUB_FORMATS).map((f) => [f, true])) } },
    // A bad percent-escape or an over-long path segment: problem+json, not Fastify's own body.
    frameworkErrors: (err, request, reply) => sendProblem(request, reply, toHubError(err)),
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    logController: new AccessLog(),
    ...serverOptions(hub.config, (code) => hub.metrics.edgeRejections.labels(code.replace(/^HUB_ERR_/, '').toLowerCase()).inc()),
  }).withTypeProvider<TypeBoxTypeProvider>()

  if (opts.onRoute) app.addHook('onRoute', opts.onRoute)
  // Server spans (a no-op unless tracing was started for this process), before any route is added.
  registerTracingHooks(app)
  app.decorate('hub', hub)
  // Callback hooks: no promise per request on the hot path.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    done(null, payload)
  })
  // One histogram child per (method, route pattern, status), looked up once: the label set is bounded by the route table.
  const httpChildren = new Map<string, { observe(v: number): void }>()
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const key = `${request.method} ${route} ${reply.statusCode}`
    let child = httpChildren.get(key)
    if (!child) httpChildren.set(key, (child = hub.metrics.httpRequests.labels(request.method, route, String(reply.statusCode))))
    child.observe(reply.elapsedTime / 1000)
    done()
  })

  await app.register(errorsPlugin)
  // Before auth, so that refusals carry the headers too.
  await app.register(securityHeaders)
  await app.register(inputPlugin, { maxUrlLength: hub.config.MAX_URL_LENGTH })
  // Server limits (docs/edge-limits.md), before authentication: backpressure, then the per-address limit.
  await app.register(pressurePlugin, {
    maxEventLoopDelayMs: hub.config.MAX_EVENT_LOOP_DELAY_MS,
    onOverloaded: () => hub.metrics.edgeRejections.labels('overloaded').inc(),
  })
  await app.register(rateLimitPlugin, {
    redis: hub.queues.target,
    prefix: hub.config.QUEUE_PREFIX,
    perClient: hub.config.RATE_LIMIT_PER_MINUTE,
    perIp: hub.config.RATE_LIMIT_IP_PER_MINUTE,
    logger: hub.logger,
    onLimited: (layer) => hub.metrics.edgeRejections.labels(`rate_limit_${layer}`).inc(),
    onSkipped: (layer) => hub.metrics.rateLimitSkipped.labels(layer).inc(),
  })
  await app.register(authPlugin, {
    clients: hub.clients,
    sessions: new ConsoleSessions(hub.config, hub.queues.producer, hub.clients),
    onReject: (s) => hub.metrics.authRejections.labels(String(s)).inc(),
  })
  await app.register(swagger, openapiOptions())
  if (docsEnabled(hub.config)) {
    await app.register(async function docs(scope) {
      // swagger-ui and its static files take no route options: they are public pages.
      scope.addHook('onRoute', (route) => {
        route.config = { access: 'public', ...route.config }
      })
      await scope.register(swaggerUi, { routePrefix: '/docs', staticCSP: cspHeader(DOCS_CSP) })
    })
  }

  await app.register(healthRoutes, { readiness: createReadiness(hub), upstreams: createUpstreamHealth(hub) })
  // With METRICS_PORT set, /metrics lives on its own listener (server.ts), not here.
  if (hub.config.METRICS_PORT === 0) await app.register(metricsRoute, { registry: hub.metrics.registry })
  // Before any /admin route is registered: every operator action is audited (issue 11).
  auditOperatorActions(app, hub.services.lookups.audit)
  // Only the queues the services opened (the ones in use).
  await app.register(queuesDashboard, { queues: hub.queues.allQueues() })
  await registerRoutes(app, hub)
  return app
}
