import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { Redis, type RedisOptions } from 'ioredis'
import { ConfigError } from '../config/load.js'
import type { HubConfig } from '../config/schema.js'
import type { Logger } from '../log.js'

export type RedisRole = 'worker' | 'producer' | 'probe' | 'limiter'

/**
 * Where and how to reach Redis, resolved once from configuration: a URL (one server) or a
 * set of sentinels and the name of the primary they watch, plus credentials and TLS.
 * Every connection of the hub (queues, workers, the rate limiter, the dashboard's queues)
 * is built from it, so a failover or a TLS setting applies to all of them alike.
 */
export interface RedisTarget {
  /** REDIS_URL; with sentinels, only its credentials, database number and scheme (rediss: TLS) count. */
  readonly url: string
  /** Options common to every connection (sentinels, credentials, TLS). */
  readonly options: RedisOptions
  /** What logs and errors may show (no credentials). */
  readonly describe: string
}

type RedisSettings = Pick<
  HubConfig,
  | 'REDIS_URL'
  | 'REDIS_USERNAME'
  | 'REDIS_PASSWORD'
  | 'REDIS_SENTINELS'
  | 'REDIS_SENTINEL_MASTER'
  | 'REDIS_SENTINEL_USERNAME'
  | 'REDIS_SENTINEL_PASSWORD'
  | 'REDIS_TLS_CA_FILE'
  | 'REDIS_TLS_CERT_FILE'
  | 'REDIS_TLS_KEY_FILE'
  | 'REDIS_TLS_SERVERNAME'
>

function readPem(variable: string, file: string): Buffer {
  try {
    const pem = readFileSync(file)
    if (!pem.includes('-----BEGIN ')) throw new Error('not a PEM file')
    return pem
  } catch (e) {
    throw new ConfigError(variable, `config error: ${variable} ${file} cannot be read as PEM (${(e as Error).message.split('\n')[0]})`)
  }
}

/** host:port pairs of REDIS_SENTINELS (the schema has checked the shape; the ports are checked here). */
function parseSentinels(list: string): { host: string; port: number }[] {
  return list.split(',').map((entry) => {
    const i = entry.lastIndexOf(':')
    const port = Number(entry.slice(i + 1))
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError('REDIS_SENTINELS', `config error: REDIS_SENTINELS entry "${entry}" has no valid port (1–65535)`)
    }
    return { host: entry.slice(0, i), port }
  })
}

/** Resolves REDIS_* settings into a target; a bad value is one ConfigError naming its variable. */
export function redisTarget(cfg: RedisSettings): RedisTarget {
  let url: URL
  try {
    url = new URL(cfg.REDIS_URL)
  } catch {
    throw new ConfigError('REDIS_URL', 'config error: REDIS_URL is not a valid URL (redis://[user:password@]host:port[/db] or rediss://…)')
  }
  const db = url.pathname.replace(/^\//, '')
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new ConfigError('REDIS_URL', `config error: REDIS_URL database must be a number (0–15), got "${db}"`)
  if (cfg.REDIS_TLS_CERT_FILE !== '' && cfg.REDIS_TLS_KEY_FILE === '') {
    throw new ConfigError('REDIS_TLS_KEY_FILE', 'config error: REDIS_TLS_KEY_FILE is required with REDIS_TLS_CERT_FILE (mutual TLS needs both)')
  }
  if (cfg.REDIS_TLS_KEY_FILE !== '' && cfg.REDIS_TLS_CERT_FILE === '') {
    throw new ConfigError('REDIS_TLS_CERT_FILE', 'config error: REDIS_TLS_CERT_FILE is required with REDIS_TLS_KEY_FILE (mutual TLS needs both)')
  }
  const wantsTls = url.protocol === 'rediss:' || cfg.REDIS_TLS_CA_FILE !== '' || cfg.REDIS_TLS_CERT_FILE !== ''
  const tls: ConnectionOptions | undefined = wantsTls
    ? {
        ...(cfg.REDIS_TLS_CA_FILE ? { ca: readPem('REDIS_TLS_CA_FILE', cfg.REDIS_TLS_CA_FILE) } : {}),
        ...(cfg.REDIS_TLS_CERT_FILE ? { cert: readPem('REDIS_TLS_CERT_FILE', cfg.REDIS_TLS_CERT_FILE) } : {}),
        ...(cfg.REDIS_TLS_KEY_FILE ? { key: readPem('REDIS_TLS_KEY_FILE', cfg.REDIS_TLS_KEY_FILE) } : {}),
        ...(cfg.REDIS_TLS_SERVERNAME ? { servername: cfg.REDIS_TLS_SERVERNAME } : {}),
      }
    : undefined
  const username = cfg.REDIS_USERNAME || decodeURIComponent(url.username)
  const password = cfg.REDIS_PASSWORD || decodeURIComponent(url.password)
  const common: RedisOptions = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(tls ? { tls } : {}),
  }
  if (!cfg.REDIS_SENTINELS) {
    // The URL's parts become options (ioredis would let a URL's password win over REDIS_PASSWORD).
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1'
    return { url: cfg.REDIS_URL, options: { ...common, host, port: Number(url.port || 6379) }, describe: `${url.protocol}//${url.host}` }
  }
  const sentinels = parseSentinels(cfg.REDIS_SENTINELS)
  return {
    url: cfg.REDIS_URL,
    options: {
      ...common,
      sentinels,
      name: cfg.REDIS_SENTINEL_MASTER,
      role: 'master',
      ...(cfg.REDIS_SENTINEL_USERNAME ? { sentinelUsername: cfg.REDIS_SENTINEL_USERNAME } : {}),
      ...(cfg.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: cfg.REDIS_SENTINEL_PASSWORD } : {}),
      // TLS to the data nodes means TLS to the sentinels too (same CA and client certificate).
      ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
      // Not ioredis's failoverDetector: its +switch-master handler can cut a reconnect in
      // progress and leave the client ended for good (seen in test/e2e/redis-failover.test.ts).
      // A dead primary breaks the socket; a demoted one answers READONLY (reconnectOnError).
      sentinelRetryStrategy: (times: number) => Math.min(100 * times, 2000),
    },
    describe: `sentinel ${cfg.REDIS_SENTINEL_MASTER} via ${sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`,
  }
}

/** Reconnect forever, backing off to 2 s: the hub must recover by itself when Redis returns. */
const retryStrategy = (times: number) => Math.min(100 * times, 2000)

/**
 * A primary demoted by a failover (or a manual `SENTINEL FAILOVER`) keeps its clients'
 * sockets open and answers writes with READONLY: reconnect (through the sentinels, to the
 * new primary) and resend the command.
 */
const reconnectOnError = (err: Error) => (err.message.startsWith('READONLY') ? 2 : false)

/**
 * Redis connections per BullMQ's production guidance:
 * - worker: `maxRetriesPerRequest: null` so blocking commands survive reconnects;
 * - producer: fail fast (no offline queue, one retry) so an API request never hangs on a dead Redis;
 * - probe: like producer, for readiness checks;
 * - limiter: like producer plus a command timeout: a rate-limit check that Redis does
 *   not answer within 1 s is skipped (fail open) rather than holding the request.
 * Every connection has an `error` listener (an unhandled one would crash the process).
 * `target` is a resolved target (`redisTarget(config)`) or a plain URL (tests, tools).
 */
/** Connections the hub closes on purpose (closeRedis): every other end is reconnected. */
const closing = new WeakSet<Redis>()

/** Closes a connection of createRedis for good (QUIT, or a hard disconnect if that fails). */
export async function closeRedis(client: Redis): Promise<void> {
  closing.add(client)
  await client.quit().catch(() => client.disconnect())
}

export function createRedis(target: RedisTarget | string, role: RedisRole, log?: Logger): Redis {
  const t: RedisTarget = typeof target === 'string' ? { url: target, options: {}, describe: target } : target
  const opts: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy, connectTimeout: 2000, ...(role === 'limiter' ? { commandTimeout: 1000 } : {}) }
  const all: RedisOptions = { ...opts, reconnectOnError, ...t.options, connectionName: `lgsp-hub-${role}` }
  // A resolved target carries the server in its options (the primary's, or the sentinels).
  const client = typeof target === 'string' ? new Redis(t.url, all) : new Redis(all)
  let down = false
  client.on('error', (err) => {
    if (!down) log?.warn({ err: { message: err.message }, role, redis: t.describe }, 'redis connection error')
    down = true
  })
  client.on('ready', () => {
    if (down) log?.info({ role, redis: t.describe }, 'redis connection restored')
    down = false
  })
  // ioredis gives a client up ('end') on some paths despite retryStrategy (a failed
  // sentinel resolution, a connect cut short): the hub never does, unless it closes it.
  client.on('end', () => {
    if (closing.has(client)) return
    log?.warn({ role, redis: t.describe }, 'redis connection ended: reconnecting')
    setTimeout(() => {
      if (!closing.has(client) && client.status === 'end') client.connect().catch(() => undefined)
    }, 1000).unref()
  })
  return client
}
