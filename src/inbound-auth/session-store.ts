import type { Redis } from 'ioredis'
import type { Session } from 'fastify'
import type { SessionStore } from '@fastify/session'
import { HubError } from '../errors.js'

declare module 'fastify' {
  // What a console session holds besides @fastify/session's cookie: who signed in, its CSRF token, when.
  interface Session {
    clientId?: string
    csrfToken?: string
    /** Sign-in time, epoch ms (the absolute lifetime counts from it). */
    createdAt?: number
    /** Set on a request whose session could not be read because Redis failed (never stored). */
    storeUnavailable?: boolean
  }
}

type Callback = (err?: unknown) => void
/** A failed write or delete reaches the caller as a clean 503 (sign-in, sign-out, a use's rolling expiry). */
const unavailable = (e: unknown) =>
  new HubError('HUB_ERR_DEPENDENCY_DOWN', 'the console session store is unavailable; retry or use an API key', { cause: e instanceof Error ? e : undefined })
type GetCallback = (err: unknown, session?: Session | null) => void

/**
 * The store of @fastify/session for operator console sessions: one key per session in the
 * hub's Redis (every API process sees the same ones), under the queue prefix. A key lives
 * until its cookie's expiry (idle time, pushed back by every use: the plugin is rolling) but
 * never past `maxAgeMs` after sign-in. Only signed-in sessions are stored: a session
 * without a client (a visitor, an expired cookie the plugin regenerates) is never written.
 *
 * A Redis failure while reading does not fail the request (the console's static files and
 * public routes need no session): the session comes back marked `storeUnavailable`, and
 * the auth hook answers 503 on a route that needed it.
 */
export class ConsoleSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxAgeMs: number,
  ) {}

  private key(id: string) {
    return `${this.prefix}:console:session:${id}`
  }

  get(id: string, callback: GetCallback): void {
    this.redis.get(this.key(id)).then(
      (raw) => {
        if (!raw) return callback(null, null)
        let stored: Session
        try {
          stored = JSON.parse(raw) as Session
        } catch {
          return this.destroy(id, () => callback(null, null))
        }
        callback(null, stored)
      },
      () => callback(null, { storeUnavailable: true } as Session),
    )
  }

  set(id: string, session: Session, callback: Callback): void {
    const { clientId, csrfToken, createdAt } = session
    if (!clientId || !csrfToken || typeof createdAt !== 'number') return callback()
    const now = Date.now()
    const expires = session.cookie.expires ? new Date(session.cookie.expires).getTime() : now + this.maxAgeMs
    const ttl = Math.min(expires, createdAt + this.maxAgeMs) - now
    if (ttl <= 0) return this.destroy(id, callback)
    const value = JSON.stringify({ clientId, csrfToken, createdAt, cookie: session.cookie })
    this.redis.set(this.key(id), value, 'PX', ttl).then(
      () => callback(),
      (e: unknown) => callback(unavailable(e)),
    )
  }

  destroy(id: string, callback: Callback): void {
    this.redis.del(this.key(id)).then(
      () => callback(),
      (e: unknown) => callback(unavailable(e)),
    )
  }
}

/**
 * Sign-in attempts counted per address in fixed one-minute windows, in Redis (so the limit
 * holds across API processes).
 */
export class SignInLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Counts a sign-in attempt of `address`; refused (with seconds to wait) past `limit` in the current minute. */
  async attempt(address: string, limit: number, now = Date.now()): Promise<{ allowed: true } | { allowed: false; retryAfter: number }> {
    const minute = Math.floor(now / 60_000)
    const key = `${this.prefix}:console:signin:${address}:${minute}`
    const r = await this.redis
      .multi()
      .incr(key)
      .pexpire(key, 120_000)
      .exec()
      .catch((e: unknown) => {
        throw unavailable(e)
      })
    const n = Number(r?.[0]?.[1] ?? 0)
    if (n <= limit) return { allowed: true }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) }
  }
}
