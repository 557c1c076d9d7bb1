import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

/** One operator console session as Redis holds it: who signed in, its CSRF token, when. */
export interface ConsoleSession {
  id: string
  clientId: string
  csrfToken: string
  /** Sign-in time, epoch ms (the absolute lifetime counts from it). */
  createdAt: number
}

type Stored = Omit<ConsoleSession, 'id'>

const newToken = () => randomBytes(32).toString('base64url')

/**
 * Console sessions in the hub's Redis (every API process sees the same ones), under the
 * queue prefix. A session key lives `idleMs` and each use pushes that back (rolling), but
 * never past `maxAgeMs` after sign-in; sign-out deletes the key. Sign-in attempts are
 * counted per address in fixed one-minute windows, also in Redis (cluster-wide).
 */
export class ConsoleSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly idleMs: number,
    private readonly maxAgeMs: number,
  ) {}

  private key(id: string) {
    return `${this.prefix}:console:session:${id}`
  }

  async create(clientId: string, now = Date.now()): Promise<ConsoleSession> {
    const session: ConsoleSession = { id: newToken(), clientId, csrfToken: newToken(), createdAt: now }
    const { id, ...stored } = session
    await this.redis.set(this.key(id), JSON.stringify(stored satisfies Stored), 'PX', Math.min(this.idleMs, this.maxAgeMs))
    return session
  }

  /** The live session `id`, its idle clock restarted; undefined when unknown, idle too long or past its absolute lifetime. */
  async use(id: string, now = Date.now()): Promise<ConsoleSession | undefined> {
    const raw = await this.redis.getex(this.key(id), 'PX', this.idleMs)
    if (!raw) return undefined
    let stored: Stored
    try {
      stored = JSON.parse(raw) as Stored
    } catch {
      await this.destroy(id)
      return undefined
    }
    const left = stored.createdAt + this.maxAgeMs - now
    if (left <= 0) {
      await this.destroy(id)
      return undefined
    }
    // Never outlive the absolute lifetime, even by an idle period.
    if (left < this.idleMs) await this.redis.pexpire(this.key(id), left)
    return { id, ...stored }
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id))
  }

  /** Counts a sign-in attempt of `address`; refused (with seconds to wait) past `limit` in the current minute. */
  async signInAttempt(address: string, limit: number, now = Date.now()): Promise<{ allowed: true } | { allowed: false; retryAfter: number }> {
    const minute = Math.floor(now / 60_000)
    const key = `${this.prefix}:console:signin:${address}:${minute}`
    const r = await this.redis.multi().incr(key).pexpire(key, 120_000).exec()
    const n = Number(r?.[0]?.[1] ?? 0)
    if (n <= limit) return { allowed: true }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) }
  }
}
