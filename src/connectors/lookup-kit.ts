import { readFileSync } from 'node:fs'
import type { AxiosInstance } from 'axios'
import type { HubConfig } from '../config/schema.js'
import type { AuthStyle } from '../config/upstream.js'
import { staticKeyAuth, type AuthStrategy } from '../http/auth.js'
import { combineAuth, hashedBasicAuth, lgspAccessTokenAuth, mutualTlsAuth, oauth2ClientCredentials, type OAuth2Strategy } from '../http/auth/index.js'
import { UpstreamError, parseRetryAfter } from '../http/errors.js'
import type { Transport } from '../http/transport.js'
import type { UpstreamFound, UpstreamNotFound, UpstreamResult } from '../mappings/upstream-result.js'
import type { ConnectorContext } from './types.js'

/**
 * What every lookup connector shares: configuration by prefix, the outbound auth
 * strategy it names, the shared transport (breaker, timeout, read retry, concurrency
 * cap) and one way to turn a mapping outcome into an answer or an UpstreamError.
 */
export type LookupPrefix = 'POPULATION' | 'BUSINESS_REGISTRY' | 'TAX' | 'BHXH' | 'CIVIL_STATUS'

/** A lookup answer: a record, or a clean "no such subject". Everything else throws UpstreamError. */
export type LookupAnswer<T> = UpstreamFound<T> | UpstreamNotFound

export interface LookupUpstream {
  transport: Transport
  auth?: AuthStrategy
  /** The OAuth2 strategy when the upstream uses one (token request count, tests). */
  oauth?: OAuth2Strategy
}

const get = (cfg: HubConfig, key: string): string | undefined => {
  const v = (cfg as unknown as Record<string, unknown>)[key]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Builds the transport of one lookup upstream from its `<PREFIX>_*` variables. */
export function lookupUpstream(ctx: ConnectorContext, name: string, prefix: LookupPrefix): LookupUpstream {
  const cfg = ctx.config
  const v = (k: string) => get(cfg, `${prefix}_${k}`)
  const baseURL = v('BASE_URL')!
  const style = v('AUTH') as AuthStyle
  const ref: { t?: Transport } = {}
  // The token request rides the same transport (lazily: the transport needs the auth first).
  const http = { post: (...a: Parameters<AxiosInstance['post']>) => ref.t!.axios.post(...a) } as AxiosInstance
  const oauth =
    style === 'oauth2' || style === 'vnpt'
      ? oauth2ClientCredentials({ upstream: name, tokenUrl: v('TOKEN_URL') ?? `${baseURL.replace(/\/$/, '')}/token`, clientId: v('CLIENT_ID') ?? '', clientSecret: v('CLIENT_SECRET') ?? '', http })
      : undefined
  let auth: AuthStrategy | undefined
  switch (style) {
    case 'api-key':
      auth = staticKeyAuth(v('API_KEY_HEADER') ?? 'x-api-key', v('API_KEY') ?? '')
      break
    case 'hashed-basic':
      auth = hashedBasicAuth({ authUrl: v('AUTH_URL') ?? baseURL, username: v('USERNAME') ?? '', secretKey: v('SECRET_KEY') ?? '' })
      break
    case 'oauth2':
      auth = combineAuth(oauth!)
      break
    case 'vnpt':
      auth = combineAuth(
        lgspAccessTokenAuth({ AccessKey: cfg.LGSP_ACCESS_KEY, SecretKey: cfg.LGSP_SECRET_KEY, AppName: cfg.LGSP_APP_NAME, PartnerCode: cfg.LGSP_PARTNER_CODE, PartnerCodeCus: cfg.LGSP_PARTNER_CODE_CUS }),
        oauth!,
      )
      break
    default:
      auth = undefined
  }
  // Mutual TLS: loaded (and refused when expired) here, at boot; expiry exported as a metric.
  const certFile = v('CLIENT_CERT_FILE')
  const pfxFile = v('CLIENT_PFX_FILE')
  let tls
  if (certFile || pfxFile) {
    const mtls = mutualTlsAuth({
      upstream: name,
      source: pfxFile
        ? { pfx: readFileSync(pfxFile), passphrase: v('CLIENT_CERT_PASSPHRASE') }
        : { certPem: readFileSync(certFile!, 'utf8'), keyPem: readFileSync(v('CLIENT_KEY_FILE') ?? certFile!, 'utf8'), passphrase: v('CLIENT_CERT_PASSPHRASE') },
      ca: v('CA_FILE') ? readFileSync(v('CA_FILE')!, 'utf8') : undefined,
      registry: ctx.metrics.registry,
    })
    tls = mtls.tls
    mtls.agent.destroy()
  }
  const transport = ctx.transport({
    name,
    baseURL,
    timeoutMs: cfg.LOOKUP_TIMEOUT_MS,
    auth,
    tls,
    breaker: {
      errorThresholdPercentage: cfg.LOOKUP_BREAKER_ERROR_PERCENT,
      volumeThreshold: cfg.LOOKUP_BREAKER_VOLUME,
      resetTimeoutMs: cfg.LOOKUP_BREAKER_RESET_MS,
      rollingCountTimeoutMs: 10_000,
    },
    maxConcurrent: cfg.LOOKUP_MAX_CONCURRENT,
    readRetries: cfg.LOOKUP_READ_RETRIES,
    maxReplyBytes: cfg.UPSTREAM_MAX_REPLY_BYTES,
    // Every lookup result is a mapped reply: one length bound on all of its strings.
    maxFieldChars: cfg.UPSTREAM_MAX_FIELD_CHARS,
  })
  ref.t = transport
  return { transport, auth, oauth }
}

/**
 * A mapping outcome → an answer, or an UpstreamError the transport and the API know:
 * retryable faults (proxy pages, "try again" faults, error_code 99/04) count against
 * the breaker and answer 503; other faults are rejections (502); unreadable replies
 * are `malformed` (502).
 */
export function settle<T>(upstream: string, result: UpstreamResult<T>, status = 200): LookupAnswer<T> {
  switch (result.kind) {
    case 'found':
    case 'not_found':
      return result
    case 'fault':
      if (result.retryable) throw new UpstreamError(upstream, 'http', `${upstream}: ${result.message}`, { status: status >= 500 ? status : 502, upstreamCode: result.code })
      throw new UpstreamError(upstream, 'rejected', `${upstream} rejected the request (${result.code}): ${result.message}`, { upstreamCode: result.code })
    case 'malformed':
      throw new UpstreamError(upstream, 'malformed', `${upstream}: ${result.message}`)
  }
}

/**
 * Status checks common to every reply before its body is read: 401/403 (the transport
 * refreshes credentials once), 5xx/429/408 whatever the body says.
 */
export function checkStatus(upstream: string, operation: string, status: number, headers: Record<string, unknown>): void {
  if (status === 401 || status === 403) throw new UpstreamError(upstream, 'http', `${upstream} ${operation} answered HTTP ${status}`, { status })
  if (status >= 500 || status === 429 || status === 408) {
    throw new UpstreamError(upstream, 'http', `${upstream} ${operation} answered HTTP ${status}`, { status, retryAfterMs: parseRetryAfter(headers['retry-after']) })
  }
}

/** A JSON POST read as text (the envelope decides; 4xx bodies carry the upstream's message). */
export async function postJson(upstream: LookupUpstream, name: string, operation: string, path: string, body: unknown, signal?: AbortSignal): Promise<string> {
  const res = await upstream.transport.axios.post<string>(path, body, {
    signal,
    responseType: 'text',
    transformResponse: (d: unknown) => d,
    validateStatus: () => true,
    headers: { 'content-type': 'application/json' },
  })
  checkStatus(name, operation, res.status, res.headers as Record<string, unknown>)
  return typeof res.data === 'string' ? res.data : String(res.data ?? '')
}
