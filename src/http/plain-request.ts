import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios'
import type { AuthStrategy } from '../outbound-auth/strategy.js'
import { injectTraceHeaders } from '../telemetry/propagation.js'
import { UpstreamError } from './errors.js'

/** A lookup's request: one method, a path under the base URL (or an absolute URL), a text body. */
export interface PlainRequest {
  method: 'GET' | 'POST'
  /** Absolute, or joined to the transport's base URL like axios does. */
  url: string
  body?: string
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** The reply as read: any status, the headers, the body as text (bounded). */
export interface PlainReply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface PlainSettings {
  name: string
  baseURL: string
  headers?: Record<string, string>
  auth?: AuthStrategy
  httpAgent: http.Agent
  httpsAgent: https.Agent
  maxReplyBytes?: number
}

/** `baseURL` + `url` as axios joins them (one slash between), unless `url` is absolute. */
export function joinUrl(baseURL: string, url: string): string {
  if (/^https?:\/\//i.test(url)) return url
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
}

/**
 * One HTTP exchange without axios, for the hot lookup path: the same keep-alive agents,
 * the same outbound auth strategies (they see an axios-shaped config: url, base URL,
 * headers; an mTLS strategy may set the agent), trace headers, the caller's deadline
 * signal, and the reply byte cap enforced while streaming (the socket is destroyed past
 * it: `too_large`). A fired deadline is a `timeout`, another abort `aborted`; connection
 * errors are left raw (their codes) for the transport to normalise.
 */
export async function plainRequest(s: PlainSettings, req: PlainRequest): Promise<PlainReply> {
  const url = joinUrl(s.baseURL, req.url)
  const headers = new AxiosHeaders({ ...s.headers, ...req.headers })
  const config = { url: req.url, baseURL: s.baseURL, method: req.method.toLowerCase(), headers, signal: req.signal } as InternalAxiosRequestConfig
  if (s.auth) await s.auth.apply(config)
  const out = headers.toJSON(true) as Record<string, string>
  injectTraceHeaders(out)
  if (req.body !== undefined) out['content-length'] = String(Buffer.byteLength(req.body))
  const tls = url.startsWith('https:')
  const agent = tls ? ((config.httpsAgent as https.Agent | undefined) ?? s.httpsAgent) : ((config.httpAgent as http.Agent | undefined) ?? s.httpAgent)
  const max = s.maxReplyBytes ?? -1
  return new Promise<PlainReply>((resolve, reject) => {
    const signal = req.signal
    if (signal?.aborted) return reject(abortError(s.name, signal))
    const r = (tls ? https : http).request(url, { method: req.method, headers: out, agent })
    const onAbort = () => r.destroy(abortError(s.name, signal!))
    signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => signal?.removeEventListener('abort', onAbort)
    r.on('error', (e) => {
      done()
      reject(e)
    })
    r.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (max >= 0 && size > max) {
          const err = new UpstreamError(s.name, 'too_large', `${s.name} answered more than the reply limit (${max} bytes)`, { limit: 'reply_bytes' })
          res.destroy(err)
          r.destroy(err)
          return
        }
        chunks.push(c)
      })
      res.on('error', (e) => {
        done()
        reject(e)
      })
      res.on('end', () => {
        done()
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size).toString('utf8') })
      })
    })
    r.end(req.body)
  })
}

/** The deadline (an AbortSignal.timeout) fired: a timeout; any other abort (shutdown, the caller): aborted. */
function abortError(name: string, signal: AbortSignal): UpstreamError {
  return (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError'
    ? new UpstreamError(name, 'timeout', `${name} did not answer in time (deadline)`)
    : new UpstreamError(name, 'aborted', `${name}: call aborted`)
}
