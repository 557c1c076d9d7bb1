import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HubError } from '../errors.js'
import { closeRedis, createRedis, type RedisTarget } from '../queue/redis.js'
import type { Logger } from '../log.js'
import { sendProblem } from './errors.js'

export interface RateLimitOptions {
  /** The hub's Redis (`hub.queues.target`): the same server, sentinels, credentials and TLS as the queues. */
  redis: RedisTarget | string
  /** QUEUE_PREFIX: two hubs sharing one Redis keep separate counters. */
  prefix: string
  /** Default budget of an authenticated client per minute (a client may set its own). */
  perClient: number
  /** Budget of one remote address per minute, counted before authentication. */
  perIp: number
  onLimited?: (layer: RateLimitLayer) => void
  /** A check skipped because the store failed or timed out (fail open). */
  onSkipped?: (layer: RateLimitLayer) => void
  logger?: Logger
}

export type RateLimitLayer = 'ip' | 'client'

const WINDOW_MS = 60_000

/** Load balancer probes are never limited (a throttled probe would take the hub out of service). */
export const isProbe = (request: FastifyRequest) => request.routeOptions.url?.startsWith('/health/') === true

/**
 * Two fixed one-minute windows in Redis (so limits hold across API processes):
 * per remote address in `onRequest`, before authentication (registered before the
 * auth plugin), and per client in `preParsing`, after authentication and before the
 * body is read. If Redis fails or is slow (> 1 s), the check is skipped: an outage
 * of the limiter never blocks the API (fail open, see docs/edge-limits.md).
 */
export default fp(
  async function rateLimitPlugin(app: FastifyInstance, opts: RateLimitOptions) {
    const redis = createRedis(opts.redis, 'limiter', opts.logger)
    // Count from the first request: connect before listening, but a Redis that is down (an error) or slow (2 s) never holds start-up.
    app.addHook('onReady', async () => {
      if (redis.status === 'ready') return
      await Promise.race([once(redis, 'ready').catch(() => undefined), sleep(2000, undefined, { ref: false })])
    })
    app.addHook('onClose', async () => {
      await closeRedis(redis)
    })
    await app.register(rateLimit, {
      global: false,
      redis,
      nameSpace: `${opts.prefix}:rate-limit:`,
      skipOnError: true,
      timeWindow: WINDOW_MS,
      // The client is set by the auth hook: before it, every request counts against its address.
      keyGenerator: (request) => (request.client ? `client:${request.client.id}` : `ip:${normalizeIP(request.ip)}`),
      max: (request) => (request.client ? (request.client.rateLimitPerMinute ?? opts.perClient) : opts.perIp),
    })
    const check = app.createRateLimit()

    async function enforce(layer: RateLimitLayer, request: FastifyRequest, reply: FastifyReply) {
      const r = await check(request)
      if (r.isAllowed) return undefined
      // remaining = max (current 0) means the store failed and the check was skipped: no headers to tell.
      if (r.remaining === r.max) {
        opts.onSkipped?.(layer)
        return undefined
      }
      reply.header('x-ratelimit-limit', r.max).header('x-ratelimit-remaining', r.remaining).header('x-ratelimit-reset', r.ttlInSeconds)
      if (!r.isExceeded) return undefined
      opts.onLimited?.(layer)
      const retryAfter = Math.max(1, r.ttlInSeconds)
      const who = layer === 'client' ? `client ${request.client?.id ?? ''}` : 'this address'
      // Returning the reply makes Fastify wait until it is sent before the next hook.
      return sendProblem(
        request,
        reply,
        new HubError('HUB_ERR_RATE_LIMITED', `${who} exceeded ${r.max} requests per minute; retry in ${retryAfter} s`, {
          retryAfter,
          extra: { limit: r.max, scope: layer },
        }),
      )
    }

    app.addHook('onRequest', async (request, reply) => {
      if (isProbe(request)) return undefined
      return enforce('ip', request, reply)
    })
    app.addHook('preParsing', async (request, reply) => {
      if (!request.client || isProbe(request)) return undefined
      await enforce('client', request, reply)
      return undefined
    })
  },
  { name: 'hub-rate-limit', dependencies: ['hub-errors'] },
)
