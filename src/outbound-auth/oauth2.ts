import type { AxiosInstance } from 'axios'
import { singleFlight } from '../lib/single-flight.js'
import type { AuthStrategy } from './strategy.js'
import { UpstreamError } from '../http/errors.js'
import { SKIP_AUTH_HEADER } from './combine.js'

export interface OAuth2ClientCredentialsOptions {
  /** Upstream id (labels errors). */
  upstream: string
  /** Absolute token URL (`POST` form `grant_type=client_credentials`). */
  tokenUrl: string
  clientId: string
  clientSecret: string
  scope?: string
  /** Refresh this long before the announced expiry (default 30 s). */
  refreshBeforeMs?: number
  /** The shared transport's axios instance: the token request rides the same transport. */
  http: AxiosInstance
  now?: () => number
}

export interface OAuth2Strategy extends AuthStrategy {
  /** Number of token requests made (tests, metrics). */
  readonly tokenRequests: number
  /** The current token, fetching one if needed. */
  token(): Promise<string>
}

/**
 * OAuth2 client credentials (NATIONAL-ENDPOINTS §6): the token is cached until shortly
 * before `expires_in`, refreshed once on a 401 and fetched by one request at a time
 * whatever the load (`singleFlight`).
 */
export function oauth2ClientCredentials(o: OAuth2ClientCredentialsOptions): OAuth2Strategy {
  const now = o.now ?? Date.now
  const before = o.refreshBeforeMs ?? 30_000
  let current: { token: string; expiresAt: number; obtainedAt: number; obtainedWall: number } | undefined
  let requests = 0
  const fetchToken = singleFlight(async () => {
    requests++
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: o.clientId, client_secret: o.clientSecret })
    if (o.scope) form.set('scope', o.scope)
    const res = await o.http.post(o.tokenUrl, form.toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded', [SKIP_AUTH_HEADER]: '1' },
      validateStatus: () => true,
    })
    const body = res.data as { access_token?: unknown; expires_in?: unknown } | undefined
    if (res.status >= 500 || res.status === 429) {
      throw new UpstreamError(o.upstream, 'http', `${o.upstream} token endpoint answered HTTP ${res.status}`, { status: res.status })
    }
    if (res.status !== 200 || typeof body?.access_token !== 'string' || !body.access_token) {
      throw new UpstreamError(o.upstream, 'auth', `${o.upstream} token endpoint refused the client credentials (HTTP ${res.status})`, { status: res.status })
    }
    const ttlMs = (Number(body.expires_in) > 0 ? Number(body.expires_in) : 300) * 1000
    const t = now()
    current = { token: body.access_token, expiresAt: t + ttlMs, obtainedAt: t, obtainedWall: Date.now() }
    return body.access_token
  })
  const token = async () => {
    if (current && now() < current.expiresAt - Math.min(before, (current.expiresAt - current.obtainedAt) / 2)) return current.token
    return fetchToken()
  }
  return {
    name: 'oauth2-client-credentials',
    get tokenRequests() {
      return requests
    },
    token,
    async apply(config) {
      if (config.headers.get(SKIP_AUTH_HEADER)) return
      config.headers.set('authorization', `Bearer ${await token()}`)
    },
    /**
     * After a 401: a token obtained since the refused call started is already the new
     * one (another call refreshed it), so the many calls refused together with an old
     * token cause one token request, not one each.
     */
    async refresh(ctx) {
      if (current && ctx && current.obtainedWall >= ctx.since) return
      current = undefined
      await fetchToken()
    },
  }
}
