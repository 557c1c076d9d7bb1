import type { HubConfig } from '../../config/schema.js'
import { ConfigError } from '../../config/load.js'
import { UpstreamError, parseRetryAfter } from '../../http/errors.js'
import type { Transport } from '../../http/transport.js'
import { classifyVdxpReply, describeVdxpOutcome, type VdxpOutcome } from '../../mappings/vdxp/errors.js'

/** The X-SystemId / X-SecretKey pair of one agency at the façade. */
export interface VdxpCredentials {
  systemId: string
  secretKey: string
}

/** Reads VDXP_CREDENTIALS_JSON once (bad JSON: the config error, exit 78). */
export function vdxpCredentials(cfg: Pick<HubConfig, 'VDXP_CREDENTIALS_JSON' | 'VDXP_SYSTEM_ID' | 'VDXP_SYSTEM_SECRET'>): (organId: string) => VdxpCredentials {
  let map: Record<string, VdxpCredentials> = {}
  if (cfg.VDXP_CREDENTIALS_JSON) {
    try {
      const parsed = JSON.parse(cfg.VDXP_CREDENTIALS_JSON) as unknown
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        const c = v as Partial<VdxpCredentials>
        if (typeof c?.systemId !== 'string' || typeof c?.secretKey !== 'string') throw new Error(`entry ${k} needs systemId and secretKey strings`)
      }
      map = parsed as Record<string, VdxpCredentials>
    } catch (e) {
      throw new ConfigError('VDXP_CREDENTIALS_JSON', `config error: VDXP_CREDENTIALS_JSON is not a valid credentials object (${(e as Error).message})`)
    }
  }
  return (organId) => map[organId] ?? { systemId: cfg.VDXP_SYSTEM_ID, secretKey: cfg.VDXP_SYSTEM_SECRET }
}

export interface VdxpCall {
  operation: string
  method: 'GET' | 'POST'
  path: string
  /** The agency the call is made as (picks the credentials). */
  as: string
  params?: Record<string, string>
  body?: unknown
  /** Safe to repeat on a transient failure (reads, acknowledgements). */
  idempotent?: boolean
  signal?: AbortSignal
}

/** An accepted reply: the body and its classified outcome. */
export interface VdxpReply {
  body: Record<string, unknown>
  outcome: VdxpOutcome
}

/**
 * The one exchange every VDXP operation goes through: the shared transport (its
 * deadline, size cap, breaker, §6 auth), the agency's X-SystemId/X-SecretKey, and the
 * façade's result code settled by src/mappings/vdxp/errors.ts. A refusal becomes an
 * UpstreamError whose kind says what to do: `rejected` (permanent: park), `http` 503
 * (transient axis fault: retry), `auth` (credentials: neither retried nor parked silently).
 */
export function createVdxpWire(transport: Transport, credentials: (organId: string) => VdxpCredentials) {
  return async function call(c: VdxpCall): Promise<VdxpReply> {
    return transport.execute({ operation: c.operation, idempotent: c.idempotent, signal: c.signal }, async (signal) => {
      const cred = credentials(c.as)
      const res = await transport.axios.request({
        method: c.method,
        url: c.path,
        params: c.params,
        data: c.body,
        signal,
        headers: { 'X-SystemId': cred.systemId, 'X-SecretKey': cred.secretKey },
        responseType: 'text',
        transformResponse: (d: unknown) => d,
        validateStatus: () => true,
      })
      if (res.status >= 500 || res.status === 429 || res.status === 408)
        throw new UpstreamError('vdxp', 'http', `VDXP ${c.operation} answered HTTP ${res.status}`, {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        })
      let body: unknown
      try {
        body = JSON.parse(String(res.data))
      } catch {
        if (res.status === 401 || res.status === 403)
          throw new UpstreamError('vdxp', 'auth', `VDXP ${c.operation} answered HTTP ${res.status}`, { status: res.status })
        throw new UpstreamError('vdxp', 'malformed', `VDXP ${c.operation} answered HTTP ${res.status} with no JSON`, { status: res.status })
      }
      const outcome = classifyVdxpReply(body)
      const text = `VDXP ${c.operation}: ${describeVdxpOutcome(outcome)}`
      switch (outcome.kind) {
        case 'ok':
          if (res.status >= 400) throw new UpstreamError('vdxp', 'http', `VDXP ${c.operation} answered HTTP ${res.status}`, { status: res.status })
          return { body: body as Record<string, unknown>, outcome }
        case 'auth':
          throw new UpstreamError('vdxp', 'auth', text, { status: res.status, upstreamCode: outcome.code })
        case 'permanent':
          throw new UpstreamError('vdxp', 'rejected', text, { status: res.status, upstreamCode: outcome.code })
        default:
          if (outcome.reason === 'malformed') throw new UpstreamError('vdxp', 'malformed', text, { status: res.status })
          // An axis-side fault (20, 21, an unknown code): the same message may pass later.
          throw new UpstreamError('vdxp', 'http', text, { status: 503, upstreamCode: outcome.code })
      }
    })
  }
}

export type VdxpWire = ReturnType<typeof createVdxpWire>
