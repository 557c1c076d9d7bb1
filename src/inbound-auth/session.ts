import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { FastifyRequest } from 'fastify'
import { fastifyCookie } from '@fastify/cookie'
import type { HubConfig } from '../config/schema.js'
import { ConfigError } from '../config/load.js'
import { ClientRegistry, type Client } from './clients.js'
import { ConsoleSessionStore, type ConsoleSession } from './session-store.js'

export const CONSOLE_COOKIE = 'lgsp_console'
/** The operator roles a console session can carry, strongest first. */
export type ConsoleRole = 'admin' | 'admin:read'

type ConsoleConfig = Pick<
  HubConfig,
  'NODE_ENV' | 'DATA_DIR' | 'QUEUE_PREFIX' | 'CONSOLE_IDLE_MINUTES' | 'CONSOLE_SESSION_MAX_HOURS' | 'CONSOLE_SESSION_SECRET' | 'CONSOLE_COOKIE_SECURE'
>

/**
 * The cookie's signing secret: CONSOLE_SESSION_SECRET, required in production; otherwise
 * one generated once into DATA_DIR (created exclusively, so processes of one hub that
 * race on it all end up reading the same file).
 */
export function consoleSecret(config: ConsoleConfig): string {
  if (config.CONSOLE_SESSION_SECRET) return config.CONSOLE_SESSION_SECRET
  if (config.NODE_ENV === 'production') {
    throw new ConfigError('CONSOLE_SESSION_SECRET', 'config error: CONSOLE_SESSION_SECRET is required in production (32+ random characters)')
  }
  const file = join(config.DATA_DIR, 'console-session-secret')
  try {
    mkdirSync(config.DATA_DIR, { recursive: true })
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 })
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST')
      throw new ConfigError('CONSOLE_SESSION_SECRET', `config error: cannot write ${file}: ${(e as Error).message}`)
  }
  const secret = readFileSync(file, 'utf8').trim()
  if (secret.length < 32) throw new ConfigError('CONSOLE_SESSION_SECRET', `config error: ${file} holds fewer than 32 characters`)
  return secret
}

/** The console role of a client: `admin`, `admin:read`, or none (it may not sign in). */
export function consoleRole(client: Client): ConsoleRole | undefined {
  if (ClientRegistry.allows(client, 'admin')) return 'admin'
  if (ClientRegistry.allows(client, 'admin:read')) return 'admin:read'
  return undefined
}

/** Equal strings in constant time (CSRF tokens). */
export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Operator console sessions (docs/console-api.md): a signed, HttpOnly, SameSite=Strict
 * cookie naming a session in Redis (session-store.ts). A session stands for its client:
 * the client's current grants decide (a client removed from the clients document ends
 * its sessions), and only clients with `admin` or `admin:read` sign in.
 */
export class ConsoleSessions {
  readonly store: ConsoleSessionStore
  readonly idleSeconds: number
  private readonly signer
  private readonly secure: boolean

  constructor(
    config: ConsoleConfig,
    redis: Redis,
    private readonly clients: ClientRegistry,
  ) {
    const idleMs = Math.round(config.CONSOLE_IDLE_MINUTES * 60_000)
    this.idleSeconds = Math.max(1, Math.round(idleMs / 1000))
    this.store = new ConsoleSessionStore(redis, config.QUEUE_PREFIX, idleMs, config.CONSOLE_SESSION_MAX_HOURS * 3_600_000)
    this.signer = fastifyCookie.signerFactory(consoleSecret(config))
    this.secure = config.CONSOLE_COOKIE_SECURE === 'true' || (config.CONSOLE_COOKIE_SECURE === 'auto' && config.NODE_ENV === 'production')
  }

  /** A new session of client `clientId`. */
  create(clientId: string): Promise<ConsoleSession> {
    return this.store.create(clientId)
  }

  /** The Set-Cookie value carrying session `id`. */
  cookie(id: string): string {
    return fastifyCookie.serialize(CONSOLE_COOKIE, this.signer.sign(id), { path: '/', httpOnly: true, sameSite: 'strict', secure: this.secure })
  }

  /** The Set-Cookie value that removes the cookie. */
  clearCookie(): string {
    return fastifyCookie.serialize(CONSOLE_COOKIE, '', { path: '/', httpOnly: true, sameSite: 'strict', secure: this.secure, maxAge: 0, expires: new Date(0) })
  }

  /** Whether the request carries a console cookie at all (live or not). */
  static presented(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie
    if (typeof header !== 'string' || !header.includes(CONSOLE_COOKIE)) return undefined
    return fastifyCookie.parse(header)[CONSOLE_COOKIE] || undefined
  }

  /** The live session of the request's cookie and its client, its idle clock restarted; undefined otherwise. */
  async fromRequest(request: FastifyRequest): Promise<{ session: ConsoleSession; client: Client; role: ConsoleRole } | undefined> {
    const raw = ConsoleSessions.presented(request)
    if (!raw || raw.length > 200) return undefined
    const unsigned = this.signer.unsign(raw)
    if (!unsigned.valid || !unsigned.value) return undefined
    const session = await this.store.use(unsigned.value)
    if (!session) return undefined
    const client = this.clients.byId(session.clientId)
    const role = client && consoleRole(client)
    if (!client || !role) {
      await this.store.destroy(session.id)
      return undefined
    }
    return { session, client, role }
  }
}
