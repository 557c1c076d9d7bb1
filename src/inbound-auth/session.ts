import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { fastifyCookie, type CookieSerializeOptions } from '@fastify/cookie'
import fastifySession from '@fastify/session'
import type { HubConfig } from '../config/schema.js'
import { ConfigError } from '../config/load.js'
import { ClientRegistry, type Client } from './clients.js'
import { ConsoleSessionStore, SignInLimiter } from './session-store.js'

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

/** A signed-in console session, as the routes and the auth hook see it. */
export interface ConsoleSession {
  id: string
  clientId: string
  csrfToken: string
  createdAt: number
}

const newToken = () => randomBytes(32).toString('base64url')

/**
 * Operator console sessions (docs/console-api.md) on @fastify/session: a signed, HttpOnly,
 * SameSite=Strict cookie naming a session in Redis (session-store.ts), rolling idle expiry,
 * an absolute lifetime from sign-in, a new session id at every sign-in. A session stands
 * for its client: the client's current grants decide (a client removed from the clients
 * document ends its sessions), and only clients with `admin` or `admin:read` sign in.
 */
export class ConsoleSessions {
  readonly store: ConsoleSessionStore
  readonly signIns: SignInLimiter
  readonly idleSeconds: number
  readonly maxAgeMs: number
  private readonly idleMs: number
  private readonly secret: string
  private readonly secure: boolean

  constructor(
    config: ConsoleConfig,
    redis: Redis,
    private readonly clients: ClientRegistry,
  ) {
    this.idleMs = Math.max(1000, Math.round(config.CONSOLE_IDLE_MINUTES * 60_000))
    this.idleSeconds = Math.round(this.idleMs / 1000)
    this.maxAgeMs = config.CONSOLE_SESSION_MAX_HOURS * 3_600_000
    this.store = new ConsoleSessionStore(redis, config.QUEUE_PREFIX, this.maxAgeMs)
    this.signIns = new SignInLimiter(redis, config.QUEUE_PREFIX)
    this.secret = consoleSecret(config)
    this.secure = config.CONSOLE_COOKIE_SECURE === 'true' || (config.CONSOLE_COOKIE_SECURE === 'auto' && config.NODE_ENV === 'production')
  }

  private get cookieOptions() {
    return { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: this.secure }
  }

  /**
   * Registers @fastify/cookie (its serializer and Set-Cookie writer; no per-request parsing)
   * and @fastify/session. The session plugin sits in a scope of its own with no routes, so
   * its request hooks never run: a session is read (`decryptSession`, the plugin's API for
   * it) only on the routes that accept one, as the matched route's access decides, and the
   * `/v1` hot path never creates or signs a session.
   */
  async register(app: FastifyInstance): Promise<void> {
    await app.register(fastifyCookie, { hook: false })
    await app.register(async (scope) => {
      await scope.register(fastifySession, {
        secret: this.secret,
        cookieName: CONSOLE_COOKIE,
        cookie: { ...this.cookieOptions, maxAge: this.idleMs },
        saveUninitialized: false,
        store: this.store,
      })
      this.decrypt = (raw, request) =>
        new Promise((resolve, reject) => scope.decryptSession(raw, request, (e?: unknown) => (e ? reject(e as Error) : resolve())))
    })
  }

  private decrypt?: (raw: string, request: FastifyRequest) => Promise<void>

  /** The request's session as the plugin restores it from `raw` (a new, empty one when `raw` is not a live session). */
  private async load(raw: string, request: FastifyRequest): Promise<FastifyRequest['session']> {
    if (!this.decrypt) throw new Error('ConsoleSessions.register(app) was not called')
    await this.decrypt(raw, request)
    return request.session
  }

  /** The console cookie the request carries, live or not. */
  static presented(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie
    if (typeof header !== 'string' || !header.includes(CONSOLE_COOKIE)) return undefined
    return fastifyCookie.parse(header)[CONSOLE_COOKIE] || undefined
  }

  /**
   * The request's live signed-in session and its client; undefined when there is none, it
   * is past its absolute lifetime, or its client may no longer sign in (both end it). A live
   * session's idle expiry starts again (stored, and the cookie sent again). Throws when
   * Redis failed.
   */
  async fromRequest(request: FastifyRequest, reply: FastifyReply): Promise<{ session: ConsoleSession; client: Client; role: ConsoleRole } | undefined> {
    const raw = ConsoleSessions.presented(request)
    if (!raw || raw.length > 200) return undefined
    const s = await this.load(raw, request)
    if (s.storeUnavailable) throw new Error('the console session store could not be read')
    const { clientId, csrfToken, createdAt } = s
    if (!clientId || !csrfToken || typeof createdAt !== 'number') return undefined
    const client = this.clients.byId(clientId)
    const role = client && consoleRole(client)
    if (createdAt + this.maxAgeMs <= Date.now() || !client || !role) {
      await s.destroy()
      return undefined
    }
    // Rolling: the restored session's cookie expires an idle time from now.
    await s.save()
    this.sendCookie(reply, s)
    return { session: { id: s.sessionId, clientId, csrfToken, createdAt }, client, role }
  }

  private sendCookie(reply: FastifyReply, s: FastifyRequest['session']) {
    // As the plugin's own onSend does: the cookie's attributes with its new expiry.
    // (No domain: a host-only cookie, and the same one clearCookie removes at sign-out.)
    const { domain, ...attributes } = (s.cookie as unknown as { toJSON(): CookieSerializeOptions }).toJSON()
    reply.setCookie(CONSOLE_COOKIE, s.encryptedSessionId, domain ? { domain, ...attributes } : attributes)
  }

  /** Signs `clientId` in on this request: a new session (never the id the browser came with; that one ends), stored, its cookie set. */
  async signIn(request: FastifyRequest, reply: FastifyReply, clientId: string): Promise<ConsoleSession> {
    await (await this.load(ConsoleSessions.presented(request) ?? '', request)).regenerate()
    const s = request.session
    s.clientId = clientId
    s.csrfToken = newToken()
    s.createdAt = Date.now()
    await s.save()
    this.sendCookie(reply, s)
    return { id: s.sessionId, clientId, csrfToken: s.csrfToken, createdAt: s.createdAt }
  }

  /** Ends the request's session everywhere (its Redis key) and removes the cookie. */
  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // The session fromRequest restored, or the cookie's.
    const s = (request.session as FastifyRequest['session'] | undefined) ?? (await this.load(ConsoleSessions.presented(request) ?? '', request))
    await s.destroy()
    reply.clearCookie(CONSOLE_COOKIE, this.cookieOptions)
  }

  /** The cookie value (signed session id) of session `id`: for tests and tools that seed a session. */
  signedId(id: string): string {
    return fastifyCookie.signerFactory(this.secret).sign(id)
  }
}
