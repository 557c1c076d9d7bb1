import type { HubConfig } from '../../config/schema.js'
import type { AuthStrategy } from '../../http/auth.js'
import { singleFlight } from '../../http/auth.js'
import { UpstreamError, parseRetryAfter } from '../../http/errors.js'
import { DEFAULT_BREAKER, type Transport } from '../../http/transport.js'
import { parseDvcqgReply, type DvcqgOutcome } from '../../mappings/dvcqg/from-dvcqg.js'
import type { CapNhatTienDoHoSoMC, DongBoHoSoMC } from '../../mappings/dvcqg/types.js'
import { timedCheck, type CheckResult, type Connector, type ConnectorContext } from '../types.js'

export type DvcqgStyle = 'adapter' | 'rest'

/** Successful DVCQG answer: the envelope's `result` list. */
export interface DvcqgOk {
  result: unknown[]
  message?: string
}

/** What the delivery service needs from the national portal. */
export interface DvcqgApi extends Connector {
  readonly style: DvcqgStyle
  /**
   * Creates (`isUpdating` False) or updates a dossier. A create answered "đã tồn tại"
   * (already exists) is sent again as an update; `created` tells which happened.
   */
  syncDossier(payload: DongBoHoSoMC, signal?: AbortSignal): Promise<{ created: boolean; resentAsUpdate: boolean }>
  /** Appends ≤ 10 processing steps. */
  updateProgress(payload: CapNhatTienDoHoSoMC, signal?: AbortSignal): Promise<void>
  /** Does the portal know this dossier? */
  lookupDossier(code: string, signal?: AbortSignal): Promise<boolean>
  /** Catalog reads (share path in adapter style). */
  share(service: 'LayDanhSachTTHC' | 'LayThuTuc' | 'LayDanhMucCoQuan' | 'LayDanhMucLinhVuc', params?: Record<string, string>, signal?: AbortSignal): Promise<DvcqgOk>
  /** Any other operation (warehouse etc.) in the configured style. */
  call(service: string, params: Record<string, unknown>, opts?: { signal?: AbortSignal; path?: 'integration' | 'share'; idempotent?: boolean }): Promise<DvcqgOk>
}

/** Style B: one URL per operation (Thanh Hóa style). */
const REST_PATHS: Record<string, { method: 'GET' | 'POST'; path: string }> = {
  'DongBoHoSoMC:create': { method: 'POST', path: '/DongBoHoSo' },
  'DongBoHoSoMC:update': { method: 'POST', path: '/CapNhatHoSo' },
  CapNhatTienDoHoSoMC: { method: 'POST', path: '/DongBoTienTrinh' },
  TraCuuHoSo: { method: 'POST', path: '/TraCuuHoSo' },
  DongBoTrangThaiHoSo: { method: 'POST', path: '/DongBoTrangThaiHoSo' },
  LayDanhSachTTHC: { method: 'GET', path: '/LayDanhSachTTHCDonVi' },
  LayThuTuc: { method: 'GET', path: '/LayThuTuc' },
  LayDanhMucCoQuan: { method: 'GET', path: '/LayDanhMucCoQuan' },
  LayDanhMucLinhVuc: { method: 'GET', path: '/LayDanhMucLinhVuc' },
}

/**
 * Adapter-style session: `POST {authPath}` with username/password and the `dstcode`
 * header, cached; injected into every body; refreshed once on an auth failure
 * (single flight: one login however many calls fail together).
 */
export function dvcqgSessionAuth(cfg: Pick<HubConfig, 'DVCQG_AUTH_PATH' | 'DVCQG_USERNAME' | 'DVCQG_PASSWORD'>, getTransport: () => Transport): AuthStrategy & { session(): Promise<string>; logins: number } {
  let session: string | undefined
  const state = { logins: 0 }
  const login = singleFlight(async () => {
    const t = getTransport()
    state.logins++
    const res = await t.axios.post(cfg.DVCQG_AUTH_PATH, { username: cfg.DVCQG_USERNAME, password: cfg.DVCQG_PASSWORD }, { headers: { 'x-hub-login': '1' } })
    const outcome = parseDvcqgReply(res.status, String(res.headers['content-type'] ?? ''), res.data)
    const token = (res.data as { session?: unknown })?.session
    if (outcome.kind !== 'ok' || typeof token !== 'string' || !token) {
      throw new UpstreamError('dvcqg', 'auth', `DVCQG login refused: ${'message' in outcome ? outcome.message : 'no session'}`)
    }
    session = token
    return token
  })
  return {
    name: 'dvcqg-session',
    get logins() {
      return state.logins
    },
    session: async () => session ?? login(),
    async apply(config) {
      if (config.headers.get('x-hub-login')) {
        config.headers.delete('x-hub-login')
        return
      }
      const s = session ?? (await login())
      if (config.data && typeof config.data === 'object') config.data = { ...(config.data as object), session: s }
    },
    async refresh() {
      session = undefined
      await login()
    },
  }
}

export function createDvcqgConnector(ctx: ConnectorContext): DvcqgApi {
  const cfg = ctx.config
  const style: DvcqgStyle = cfg.DVCQG_STYLE
  // The login goes through the same transport it authenticates (auth is applied lazily).
  const ref: { transport?: Transport } = {}
  const auth = style === 'adapter' ? dvcqgSessionAuth(cfg, () => ref.transport!) : undefined
  const transport = ctx.transport({
    name: 'dvcqg',
    baseURL: cfg.DVCQG_BASE_URL,
    timeoutMs: cfg.UPSTREAM_TIMEOUT_MS,
    auth,
    breaker: DEFAULT_BREAKER,
    maxConcurrent: 64,
    readRetries: 2,
    // Warehouse downloads carry whole files: a limit of its own.
    maxReplyBytes: cfg.DVCQG_MAX_REPLY_BYTES,
    headers: { dstcode: cfg.DVCQG_DSTCODE, 'content-type': 'application/json' },
  })
  ref.transport = transport

  /** Turns an envelope into a result or an UpstreamError (auth → refresh, malformed → retry). */
  function settle(service: string, status: number, contentType: string, body: unknown): DvcqgOutcome {
    const outcome = parseDvcqgReply(status, contentType, body)
    if (outcome.kind === 'auth') throw new UpstreamError('dvcqg', 'auth', `DVCQG ${service}: ${outcome.message}`)
    if (outcome.kind === 'malformed') throw new UpstreamError('dvcqg', 'malformed', `DVCQG ${service}: ${outcome.message}`)
    return outcome
  }

  // Read every answer as text: the envelope decides, and 4xx bodies carry the portal's message.
  const RAW = (signal?: AbortSignal) => ({ signal, responseType: 'text' as const, transformResponse: (d: unknown) => d, validateStatus: () => true })

  async function send(operation: string, restKey: string, params: Record<string, unknown>, opts: { signal?: AbortSignal; path?: 'integration' | 'share'; idempotent?: boolean } = {}): Promise<DvcqgOutcome> {
    return transport.execute({ operation, idempotent: opts.idempotent, signal: opts.signal }, async (signal) => {
      let res
      if (style === 'adapter') {
        const path = opts.path === 'share' ? cfg.DVCQG_SHARE_PATH : cfg.DVCQG_INTEGRATION_PATH
        res = await transport.axios.post(path, { madonvi: cfg.DVCQG_UNIT_CODE, service: operation, ...params }, RAW(signal))
      } else {
        const route = REST_PATHS[restKey] ?? { method: 'POST' as const, path: `/${operation}` }
        res =
          route.method === 'GET'
            ? await transport.axios.get(route.path, { ...RAW(signal), params: { maDonVi: cfg.DVCQG_UNIT_CODE, ...params } })
            : await transport.axios.post(route.path, params, RAW(signal))
      }
      if (res.status >= 500 || res.status === 429 || res.status === 408) {
        throw new UpstreamError('dvcqg', 'http', `DVCQG ${operation} answered HTTP ${res.status}`, { status: res.status, retryAfterMs: parseRetryAfter(res.headers['retry-after']) })
      }
      if (res.status === 401 || res.status === 403) throw new UpstreamError('dvcqg', 'auth', `DVCQG ${operation} answered HTTP ${res.status}`, { status: res.status })
      return settle(operation, res.status, String(res.headers['content-type'] ?? ''), res.data)
    })
  }

  function ok(service: string, outcome: DvcqgOutcome): DvcqgOk {
    if (outcome.kind === 'ok') return { result: outcome.result, message: outcome.message }
    if (outcome.kind === 'rejected') throw new UpstreamError('dvcqg', 'rejected', `DVCQG ${service} rejected: ${outcome.message}`, { upstreamCode: outcome.errorCode })
    throw new UpstreamError('dvcqg', 'rejected', `DVCQG ${service}: ${outcome.message}`)
  }

  return {
    id: 'dvcqg',
    style,
    async syncDossier(payload, signal) {
      const creating = payload.isUpdating === 'False'
      const first = await send('DongBoHoSoMC', creating ? 'DongBoHoSoMC:create' : 'DongBoHoSoMC:update', { ...payload }, { signal })
      if (first.kind === 'already_exists' && creating) {
        ok('DongBoHoSoMC', await send('DongBoHoSoMC', 'DongBoHoSoMC:update', { ...payload, isUpdating: 'True' }, { signal }))
        return { created: false, resentAsUpdate: true }
      }
      ok('DongBoHoSoMC', first)
      return { created: creating, resentAsUpdate: false }
    },
    async updateProgress(payload, signal) {
      ok('CapNhatTienDoHoSoMC', await send('CapNhatTienDoHoSoMC', 'CapNhatTienDoHoSoMC', { ...payload }, { signal }))
    },
    async lookupDossier(code, signal) {
      const r = ok('TraCuuHoSo', await send('TraCuuHoSo', 'TraCuuHoSo', { mahoso: code }, { signal, idempotent: true }))
      return r.result.length > 0
    },
    async share(service, params = {}, signal) {
      return ok(service, await send(service, service, params, { signal, path: 'share', idempotent: true }))
    },
    async call(service, params, opts = {}) {
      return ok(service, await send(service, service, params, opts))
    },
    check(): Promise<CheckResult> {
      // Adapter style: a fresh login proves reachability and credentials; REST: a cheap lookup.
      return timedCheck(async () => {
        await send('TraCuuHoSo', 'TraCuuHoSo', { mahoso: '000.00.00.H56-000101-0000' }, { idempotent: true })
        return auth ? 'session ok' : 'reachable'
      })
    },
  }
}
