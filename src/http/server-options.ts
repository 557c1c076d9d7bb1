import type { ServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { HubConfig } from '../config/schema.js'
import { HubError, problem, type HubErrorCode } from '../errors.js'

/** Reason phrases of the few statuses the server itself answers before routing. */
const REASON: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

/** What Node's HTTP parser or its timers report, mapped to the hub's stable codes. */
function classify(err: NodeJS.ErrnoException): { code: HubErrorCode; detail: string; field: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'HUB_ERR_REQUEST_TIMEOUT', detail: 'the request headers or body were not received in time', field: '/request' }
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'HUB_ERR_HEADERS_TOO_LARGE', detail: 'the request line and headers exceed the configured size', field: '/headers' }
    default:
      // The parser's code (HPE_INVALID_METHOD, HPE_INVALID_HEADER_TOKEN, …) is a fixed token: never caller data.
      return { code: 'HUB_ERR_VALIDATION', detail: `malformed HTTP request (${err.code ?? 'parse error'})`, field: '/request' }
  }
}

/** The raw HTTP/1.1 response for a request the server cuts before Fastify sees it. */
export function clientErrorResponse(err: NodeJS.ErrnoException): { status: number; code: HubErrorCode; raw: string } {
  const c = classify(err)
  const body = JSON.stringify(problem(new HubError(c.code, c.detail, { errors: [{ field: c.field, message: c.detail }] })))
  const status = new HubError(c.code).status
  const raw =
    `HTTP/1.1 ${status} ${REASON[status] ?? 'Error'}\r\n` +
    'Content-Type: application/problem+json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'X-Content-Type-Options: nosniff\r\n' +
    'Connection: close\r\n\r\n' +
    body
  return { status, code: c.code, raw }
}

/**
 * Fastify's `clientErrorHandler`: timeouts, header overflows and parse errors are
 * answered as problem+json (Fastify's default writes plain JSON), then the socket is
 * closed, as Node does. Nothing is written once a response has started on the socket.
 */
export function createClientErrorHandler(onCut?: (code: HubErrorCode) => void) {
  return function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    const res = clientErrorResponse(err)
    onCut?.(res.code)
    this.log.debug({ code: res.code, parserCode: err.code }, 'connection cut by the server')
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (socket.writable && !inFlight?.headersSent) socket.write(res.raw)
    socket.destroy()
  }
}

/**
 * How often Node checks pending requests against the headers and request timeouts
 * (its default, 30 s, would let a 1.5 s timeout run to 31.5 s). Bounded to 1 s so a
 * cut comes at most 1 s late.
 */
export function connectionsCheckingInterval(headersTimeoutMs: number): number {
  return Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 2)))
}

/**
 * The server limits of the API listener (see docs/edge-limits.md): Fastify's own
 * timeouts plus the Node server options Fastify passes through (`http`). Node
 * refuses a headers timeout above the request timeout, hence the clamp.
 */
export function serverOptions(config: HubConfig, onCut?: (code: HubErrorCode) => void) {
  const requestTimeout = config.REQUEST_TIMEOUT_MS
  const headersTimeout = Math.min(config.HEADERS_TIMEOUT_MS, requestTimeout)
  const http: ServerOptions = {
    requestTimeout,
    headersTimeout,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    maxHeaderSize: config.MAX_HEADER_BYTES,
    connectionsCheckingInterval: connectionsCheckingInterval(headersTimeout),
  }
  return {
    requestTimeout,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    http,
    clientErrorHandler: createClientErrorHandler(onCut),
    // Only named proxies: trusting any X-Forwarded-For would let a caller pick its own address.
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
  }
}
