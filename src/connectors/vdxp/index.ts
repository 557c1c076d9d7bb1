import { DEFAULT_BREAKER, type Transport } from '../../http/transport.js'
import { UpstreamError } from '../../http/errors.js'
import {
  MalformedVdxpReply,
  facadeDay,
  readAgencies,
  readEdoc,
  readEdocList,
  readSentDocId,
  type VdxpAgency,
  type VdxpEdoc,
  type VdxpListItem,
} from '../../mappings/vdxp/from-vdxp.js'
import { timedCheck, type CheckResult, type Connector, type ConnectorContext } from '../types.js'
import { upstreamAuth, upstreamTls } from '../upstream-settings.js'
import { createVdxpWire, vdxpCredentials } from './wire.js'

export type { VdxpAgency, VdxpEdoc, VdxpListItem } from '../../mappings/vdxp/from-vdxp.js'

export type VdxpMessageType = 'edoc' | 'status'
export type VdxpAck = 'done' | 'fail' | 'processing'

/** A received/sent list window: days as the façade counts them; `toDay` is EXCLUSIVE at the axis. */
export interface VdxpWindow {
  fromMs: number
  toMs: number
}

/**
 * The document exchange axis (VDXP) through the provincial LGSP REST façade
 * (NATIONAL-ENDPOINTS §4): typed operations, each made as one of the hub's agencies.
 */
export interface VdxpApi extends Connector {
  send(as: string, edxml: Buffer, messageType: VdxpMessageType, signal?: AbortSignal): Promise<{ docId: string }>
  receivedList(as: string, messageType: VdxpMessageType, window: VdxpWindow, signal?: AbortSignal): Promise<VdxpListItem[]>
  get(as: string, docId: string, signal?: AbortSignal): Promise<VdxpEdoc>
  ack(as: string, docId: string, status: VdxpAck, reason?: string, signal?: AbortSignal): Promise<void>
  sentList(as: string, window: VdxpWindow, signal?: AbortSignal): Promise<VdxpListItem[]>
  agencies(signal?: AbortSignal): Promise<VdxpAgency[]>
  readonly transport: Transport
}

/** Runs a pure reader; its MalformedVdxpReply is a transient `malformed` upstream error. */
function read<T>(operation: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof MalformedVdxpReply) throw new UpstreamError('vdxp', 'malformed', `VDXP ${operation}: ${e.message}`)
    throw e
  }
}

export function createVdxpConnector(ctx: ConnectorContext): VdxpApi {
  const cfg = ctx.config
  const ref: { transport?: Transport } = {}
  const { auth } = upstreamAuth(cfg, 'vdxp', 'VDXP', cfg.VDXP_AUTH, () => ref.transport!)
  const transport = ctx.transport({
    name: 'vdxp',
    baseURL: cfg.VDXP_BASE_URL,
    timeoutMs: cfg.UPSTREAM_TIMEOUT_MS,
    auth,
    tls: upstreamTls(ctx, 'vdxp', 'VDXP'),
    breaker: DEFAULT_BREAKER,
    maxConcurrent: 64,
    readRetries: 1,
    maxReplyBytes: cfg.VDXP_MAX_REPLY_BYTES,
  })
  ref.transport = transport
  const call = createVdxpWire(transport, vdxpCredentials(cfg))
  const windowParams = (w: VdxpWindow) => ({ fromDate: facadeDay(w.fromMs), toDate: facadeDay(w.toMs) })
  const probeAs = cfg.VDXP_AGENCIES.split(',').filter(Boolean)[0] ?? ''

  return {
    id: 'vdxp',
    transport,
    async send(as, edxml, messageType, signal) {
      // sendEdoc (multipart): header fields of the SDK, the edXML as the file part.
      const form = new FormData()
      form.append('from', as)
      form.append('servicetype', 'eDoc')
      form.append('messageType', messageType)
      form.append('file', new Blob([new Uint8Array(edxml)], { type: 'application/xml' }), `${messageType}.edxml`)
      const { body } = await call({ operation: 'sendEdoc', method: 'POST', path: '/sendEdoc', as, body: form, signal })
      return { docId: read('sendEdoc', () => readSentDocId(body)) }
    },
    async receivedList(as, messageType, window, signal) {
      const { body } = await call({
        operation: 'syncReceivedEdocList',
        method: 'GET',
        path: '/syncReceivedEdocList',
        as,
        params: { messageType, ...windowParams(window) },
        idempotent: true,
        signal,
      })
      return read('syncReceivedEdocList', () => readEdocList(body))
    },
    async get(as, docId, signal) {
      const { body } = await call({ operation: 'getEdoc', method: 'GET', path: '/getEdoc', as, params: { docId }, idempotent: true, signal })
      return read('getEdoc', () => readEdoc(docId, body))
    },
    async ack(as, docId, status, reason, signal) {
      // Not retried inside the call: an acknowledgement whose reply was lost must not be sent twice. The
      // poller sees the delivery `done` in the next list, or acknowledges again when the list says otherwise.
      await call({
        operation: 'updateStatus',
        method: 'POST',
        path: '/updateStatus',
        as,
        body: { docId, status, ...(reason ? { description: reason.slice(0, 500) } : {}) },
        idempotent: false,
        signal,
      })
    },
    async sentList(as, window, signal) {
      const { body } = await call({
        operation: 'getSentEdocList',
        method: 'GET',
        path: '/getSentEdocList',
        as,
        params: windowParams(window),
        idempotent: true,
        signal,
      })
      return read('getSentEdocList', () => readEdocList(body))
    },
    async agencies(signal) {
      const { body } = await call({ operation: 'getAgenciesList', method: 'GET', path: '/getAgenciesList', as: probeAs, idempotent: true, signal })
      return read('getAgenciesList', () => readAgencies(body))
    },
    check(): Promise<CheckResult> {
      return timedCheck(async () => {
        const list = await call({ operation: 'getAgenciesList', method: 'GET', path: '/getAgenciesList', as: probeAs, idempotent: true })
        return `reachable (${Array.isArray(list.body['data']) ? (list.body['data'] as unknown[]).length : '?'} agencies)`
      })
    },
  }
}
