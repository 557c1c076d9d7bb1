import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { HubError } from '../errors.js'
import { sendProblem } from './errors.js'

export interface PressureOptions {
  /** Mean event-loop delay (ms, sampled each second) above which requests get 503; 0 = off. */
  maxEventLoopDelayMs: number
  /** Seconds sent in `Retry-After`. */
  retryAfterSeconds?: number
  onOverloaded?: () => void
}

/**
 * Backpressure: while the event loop lags, new requests are refused at once with
 * 503 HUB_ERR_OVERLOADED + Retry-After instead of queueing behind the lag. Liveness
 * is exempt (a busy process is alive; restarting it would lose its work), readiness
 * is not (503 takes the instance out of the load balancer until it recovers).
 */
export default fp(
  async function pressurePlugin(app: FastifyInstance, opts: PressureOptions) {
    if (opts.maxEventLoopDelayMs <= 0) return
    const retryAfter = opts.retryAfterSeconds ?? 5
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelayMs,
      retryAfter,
      pressureHandler: (request: FastifyRequest, reply: FastifyReply, _type: string, value: number | undefined) => {
        if (request.routeOptions.url === '/health/live') return undefined
        opts.onOverloaded?.()
        const lag = typeof value === 'number' ? Math.round(value) : undefined
        const sent = sendProblem(
          request,
          reply,
          new HubError('HUB_ERR_OVERLOADED', `the hub is overloaded (event-loop delay ${lag ?? '?'} ms); retry later`, { retryAfter }),
        )
        // under-pressure continues the hook chain when this settles: by then the reply is sent and the chain stops.
        return new Promise<void>(
          (resolve) =>
            void sent.then(
              () => resolve(),
              () => resolve(),
            ),
        )
      },
    })
  },
  { name: 'hub-pressure', dependencies: ['hub-errors'] },
)
