import type { HubConfig } from '../../config/schema.js'
import { UpstreamError, parseRetryAfter } from '../../http/errors.js'
import type { Transport } from '../../http/transport.js'
import { clientSpan } from '../../telemetry/tracing.js'
import { parseDvcqgReply, type DvcqgOutcome } from '../../mappings/dvcqg/from-dvcqg.js'

export type DvcqgStyle = 'adapter' | 'rest'

/** Successful DVCQG answer: the envelope's `result` list. */
export interface DvcqgOk {
  result: unknown[]
  message?: string
}

export interface SendOptions {
  signal?: AbortSignal
  /** Adapter style: the integration path (default) or the share path (catalog reads). */
  path?: 'integration' | 'share'
  /** Safe to repeat on a transient failure (reads). */
  idempotent?: boolean
}

/**
 * The DVCQG envelope exchange every typed operation goes through: one request in the
 * configured style (adapter: one path, `service` in the body; REST: one URL per
 * operation), the reply read as text and settled by the envelope, failures raised as
 * the shared UpstreamError. The operation files (dossiers.ts, catalog.ts,
 * warehouse.ts) call it; nothing outside this folder speaks the wire.
 */
export interface DvcqgWire {
  readonly style: DvcqgStyle
  readonly transport: Transport
  /** Sends one operation; `restKey` picks the REST route when it differs from the operation. */
  send(operation: string, restKey: string, params: Record<string, unknown>, opts?: SendOptions): Promise<DvcqgOutcome>
  /** The `result` list of an accepted answer, or UpstreamError `rejected`. */
  ok(operation: string, outcome: DvcqgOutcome): DvcqgOk
  /** send + ok. */
  call(operation: string, params: Record<string, unknown>, opts?: SendOptions & { restKey?: string }): Promise<DvcqgOk>
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

type WireConfig = Pick<HubConfig, 'DVCQG_SHARE_PATH' | 'DVCQG_INTEGRATION_PATH' | 'DVCQG_UNIT_CODE'>

export function createDvcqgWire(cfg: WireConfig, style: DvcqgStyle, transport: Transport): DvcqgWire {
  /** Turns an envelope into a result or an UpstreamError (auth → refresh, malformed → retry). */
  function settle(operation: string, status: number, contentType: string, body: unknown): DvcqgOutcome {
    const outcome = parseDvcqgReply(status, contentType, body)
    if (outcome.kind === 'auth') throw new UpstreamError('dvcqg', 'auth', `DVCQG ${operation}: ${outcome.message}`)
    if (outcome.kind === 'malformed') throw new UpstreamError('dvcqg', 'malformed', `DVCQG ${operation}: ${outcome.message}`)
    return outcome
  }

  // Read every answer as text: the envelope decides, and 4xx bodies carry the portal's message.
  const RAW = (signal?: AbortSignal) => ({ signal, responseType: 'text' as const, transformResponse: (d: unknown) => d, validateStatus: () => true })

  // A client span per operation (tracing on): the transport carries its traceparent to the portal.
  const send: DvcqgWire['send'] = (operation, restKey, params, opts = {}) => clientSpan('dvcqg', operation, () => exchange(operation, restKey, params, opts))

  const exchange = (operation: string, restKey: string, params: Record<string, unknown>, opts: SendOptions): Promise<DvcqgOutcome> =>
    transport.execute({ operation, idempotent: opts.idempotent, signal: opts.signal }, async (signal) => {
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
        throw new UpstreamError('dvcqg', 'http', `DVCQG ${operation} answered HTTP ${res.status}`, {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        })
      }
      if (res.status === 401 || res.status === 403)
        throw new UpstreamError('dvcqg', 'auth', `DVCQG ${operation} answered HTTP ${res.status}`, { status: res.status })
      return settle(operation, res.status, String(res.headers['content-type'] ?? ''), res.data)
    })

  const ok: DvcqgWire['ok'] = (operation, outcome) => {
    if (outcome.kind === 'ok') return { result: outcome.result, message: outcome.message }
    if (outcome.kind === 'rejected')
      throw new UpstreamError('dvcqg', 'rejected', `DVCQG ${operation} rejected: ${outcome.message}`, { upstreamCode: outcome.errorCode })
    throw new UpstreamError('dvcqg', 'rejected', `DVCQG ${operation}: ${outcome.message}`)
  }

  return {
    style,
    transport,
    send,
    ok,
    call: async (operation, params, opts = {}) => ok(operation, await send(operation, opts.restKey ?? operation, params, opts)),
  }
}
