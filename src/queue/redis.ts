import { Redis, type RedisOptions } from 'ioredis'
import type { Logger } from '../log.js'

export type RedisRole = 'worker' | 'producer' | 'probe' | 'limiter'

/** Reconnect forever, backing off to 2 s: the hub must recover by itself when Redis returns. */
const retryStrategy = (times: number) => Math.min(100 * times, 2000)

/**
 * Redis connections per BullMQ's production guidance:
 * - worker: `maxRetriesPerRequest: null` so blocking commands survive reconnects;
 * - producer: fail fast (no offline queue, one retry) so an API request never hangs on a dead Redis;
 * - probe: like producer, for readiness checks;
 * - limiter: like producer plus a command timeout: a rate-limit check that Redis does
 *   not answer within 1 s is skipped (fail open) rather than holding the request.
 * Every connection has an `error` listener (an unhandled one would crash the process).
 */
export function createRedis(url: string, role: RedisRole, log?: Logger): Redis {
  const opts: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy, connectTimeout: 2000, ...(role === 'limiter' ? { commandTimeout: 1000 } : {}) }
  const client = new Redis(url, { ...opts, connectionName: `lgsp-hub-${role}` })
  let down = false
  client.on('error', (err) => {
    if (!down) log?.warn({ err: { message: err.message }, role }, 'redis connection error')
    down = true
  })
  client.on('ready', () => {
    if (down) log?.info({ role }, 'redis connection restored')
    down = false
  })
  return client
}
