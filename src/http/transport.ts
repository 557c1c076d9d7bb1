import http from 'node:http'
import https from 'node:https'
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios'
import CircuitBreaker from 'opossum'
import type { Logger } from '../log.js'
import { maskText } from '../pii.js'
import type { HubMetrics } from '../metrics.js'
import type { AuthStrategy } from '../outbound-auth/strategy.js'
import { UpstreamError, isRetryable, toUpstreamError } from './errors.js'
import { Semaphore } from './semaphore.js'
import { injectTraceHeaders } from '../telemetry/propagation.js'
import { plainRequest, type PlainReply, type PlainRequest, type PlainSettings } from './plain-request.js'

export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the circuit. */
  errorThresholdPercentage: number
  /** Open → half-open after this long. */
  resetTimeoutMs: number
  /** Minimum calls in the window before the percentage counts. */
  volumeThreshold: number
  rollingCountTimeoutMs: number
}

export interface TransportOptions {
  /** Upstream id, e.g. `dvcqg`, `population` (labels logs and metrics). */
  name: string
  baseURL: string
  timeoutMs: number
  auth?: AuthStrategy
  /** Off when undefined. */
  breaker?: BreakerOptions
  /** Concurrency cap toward this upstream (waits, never rejects). */
  maxConcurrent?: number
  /** Bounded retries for idempotent reads only (pushes retry through the queue). */
  readRetries?: number
  /** TLS options: client certificate (mTLS), CA… */
  tls?: https.AgentOptions
  headers?: Record<string, string>
  /** Largest reply body read, in bytes, enforced while streaming (a larger one: `too_large`). */
  maxReplyBytes?: number
  /** Longest string accepted anywhere in a call's result (lookups: the mapped reply). */
  maxFieldChars?: number
  logger: Logger
  metrics?: HubMetrics
  /** Sees every logical call as it ends (the console's cluster-wide call counts, src/services/overview/calls.ts). */
  onCall?: (call: { ok: boolean; ms: number }) => void
  /** Sees the breaker change state (published for the console, latest wins). */
  onBreaker?: (state: 'closed' | 'open' | 'half-open') => void
}

export interface CallOptions {
  /** Operation name for logs and metrics (`DongBoHoSoMC`, `TraCuuThongTinCongDan`…). */
  operation: string
  /** Safe to repeat: enables the bounded read retry. */
  idempotent?: boolean
  signal?: AbortSignal
}

/** What a transport saw of its upstream lately (for /health/upstreams); no personal data. */
export interface UpstreamObservation {
  circuit: 'closed' | 'open' | 'half-open' | 'none'
  lastSuccessAt?: string
  /** Last failure that speaks of the upstream's health (retryable: timeouts, resets, 5xx, 429, open circuit). */
  lastFaultAt?: string
  /** Kind of the last failure of any sort (`timeout`, `http`, `rejected`…), with its status when HTTP. */
  lastErrorKind?: string
  lastErrorAt?: string
  /** Latency of the most recent call, and the 95th percentile of the recent ones (ms). */
  lastLatencyMs?: number
  p95LatencyMs?: number
  /** Calls in the latency window. */
  recentCalls: number
}

const LATENCY_WINDOW = 100

export const DEFAULT_BREAKER: BreakerOptions = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 5000,
  volumeThreshold: 10,
  rollingCountTimeoutMs: 10_000,
}

/**
 * The one transport. Connectors never build their own HTTP client: they get a
 * Transport with timeouts, keep-alive, TLS/mTLS, outbound auth (refreshed once on
 * 401), PII-masked logging, metrics, a concurrency cap and a circuit breaker.
 * SOAP clients reuse `transport.axios` (the `soap` package accepts it as `request`)
 * and wrap each call in `transport.execute`.
 */
export class Transport {
  readonly axios: AxiosInstance
  readonly name: string
  private readonly breaker?: CircuitBreaker<[() => Promise<unknown>], unknown>
  private readonly limit?: Semaphore
  private readonly latencies: number[] = []
  private lastSuccessAt?: number
  private lastFaultAt?: number
  private lastError?: { kind: string; at: number }
  private readonly plain: PlainSettings
  /** Signals made by `execute` (its deadline already in them): the axios interceptor adds no second deadline. */
  private readonly ownSignals = new WeakSet<AbortSignal>()
  private gaugeAt = 0
  private readonly gauges?: { recent: { set(v: number): void }; lastSuccess: { set(v: number): void } }
  /** Histogram children by operation and outcome, looked up once each (a bounded set). */
  private readonly histograms = new Map<string, { observe(v: number): void }>()

  constructor(private readonly opts: TransportOptions) {
    this.name = opts.name
    const agentOpts = { keepAlive: true, maxSockets: Math.max(opts.maxConcurrent ?? 64, 16) }
    const httpAgent = new http.Agent(agentOpts)
    const httpsAgent = new https.Agent({ ...agentOpts, ...opts.tls })
    if (opts.metrics)
      this.gauges = { recent: opts.metrics.upstreamRecentLatency.labels(opts.name), lastSuccess: opts.metrics.upstreamLastSuccess.labels(opts.name) }
    this.plain = { name: opts.name, baseURL: opts.baseURL, headers: opts.headers, auth: opts.auth, httpAgent, httpsAgent, maxReplyBytes: opts.maxReplyBytes }
    this.axios = axios.create({
      baseURL: opts.baseURL,
      timeout: opts.timeoutMs,
      httpAgent,
      httpsAgent,
      headers: opts.headers,
      // Bodies are read by mappings; never let axios throw on a 4xx body we want to see.
      validateStatus: (s) => s >= 200 && s < 300,
      maxRedirects: 0,
      // axios counts the bytes as they stream in and destroys the socket past the limit
      // (chunked or with a content-length): the reply is never read whole.
      maxContentLength: opts.maxReplyBytes ?? -1,
      transitional: { clarifyTimeoutError: true },
    })
    // axios `timeout` is an idle timeout in Node: a reply dripping a byte a second never
    // trips it. Every request (SOAP, token and login requests included) also gets one
    // deadline covering connect, headers and body, combined with the caller's signal.
    this.axios.interceptors.request.use((config) => {
      const signal = config.signal as AbortSignal | undefined
      if (!signal || !this.ownSignals.has(signal)) {
        const deadline = AbortSignal.timeout(opts.timeoutMs)
        config.signal = signal ? AbortSignal.any([signal, deadline]) : deadline
      }
      injectTraceHeaders(config.headers)
      return config
    })
    if (opts.auth) {
      const auth = opts.auth
      this.axios.interceptors.request.use(async (config) => {
        await auth.apply(config)
        return config
      })
    }
    if (opts.maxConcurrent) this.limit = new Semaphore(opts.maxConcurrent)
    if (opts.breaker) {
      const b = opts.breaker
      this.breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
        timeout: false, // axios owns the timeout
        errorThresholdPercentage: b.errorThresholdPercentage,
        resetTimeout: b.resetTimeoutMs,
        volumeThreshold: b.volumeThreshold,
        rollingCountTimeout: b.rollingCountTimeoutMs,
        // Only failures of the upstream itself count; its business "no" (and an oversized reply) does not.
        errorFilter: (err: unknown) => !isRetryable(err) || (err instanceof UpstreamError && err.kind === 'aborted'),
      })
      const gauge = opts.metrics?.breakerState.labels(opts.name)
      gauge?.set(0)
      this.breaker.on('open', () => {
        gauge?.set(1)
        opts.onBreaker?.('open')
        opts.logger.warn({ upstream: opts.name }, 'circuit opened')
      })
      this.breaker.on('halfOpen', () => {
        gauge?.set(0.5)
        opts.onBreaker?.('half-open')
      })
      this.breaker.on('close', () => {
        gauge?.set(0)
        opts.onBreaker?.('closed')
        opts.logger.info({ upstream: opts.name }, 'circuit closed')
      })
    }
  }

  get circuitState(): 'closed' | 'open' | 'half-open' | 'none' {
    if (!this.breaker) return 'none'
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed'
  }

  /** The upstream as this transport saw it: breaker, last success/fault, recent latency. */
  observe(): UpstreamObservation {
    const p95 = this.p95()
    const at = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString())
    return {
      circuit: this.circuitState,
      ...(this.lastSuccessAt !== undefined ? { lastSuccessAt: at(this.lastSuccessAt) } : {}),
      ...(this.lastFaultAt !== undefined ? { lastFaultAt: at(this.lastFaultAt) } : {}),
      ...(this.lastError ? { lastErrorKind: this.lastError.kind, lastErrorAt: at(this.lastError.at) } : {}),
      ...(p95 !== undefined ? { lastLatencyMs: this.latencies[this.latencies.length - 1], p95LatencyMs: p95 } : {}),
      recentCalls: this.latencies.length,
    }
  }

  private p95(): number | undefined {
    if (!this.latencies.length) return undefined
    const sorted = [...this.latencies].sort((a, b) => a - b)
    return sorted[Math.ceil(sorted.length * 0.95) - 1]
  }

  private record(outcome: string, err: UpstreamError | undefined, ms: number): void {
    const now = Date.now()
    this.latencies.push(Math.round(ms))
    if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift()
    // The p95 gauge (it sorts the window) moves at most every 250 ms: scrapes are seconds apart.
    if (now - this.gaugeAt >= 250) {
      this.gaugeAt = now
      this.gauges?.recent.set((this.p95() ?? 0) / 1000)
    }
    if (!err) {
      this.lastSuccessAt = now
      this.gauges?.lastSuccess.set(now / 1000)
      return
    }
    this.lastError = { kind: outcome, at: now }
    if (isRetryable(err) || err.kind === 'circuit_open') this.lastFaultAt = now
  }

  /**
   * Runs one logical call (which may be several HTTP exchanges, e.g. a SOAP call)
   * through the breaker, the concurrency cap, auth refresh and the read retry.
   */
  async execute<T>(call: CallOptions, fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const started = performance.now()
    let outcome = 'ok'
    let failure: UpstreamError | undefined
    // One deadline for the whole logical call: retries and the auth refresh included.
    // A timer cleared when the call ends: an AbortSignal.timeout would still fire (an exception and an abort event) after every call.
    const ctl = new AbortController()
    const timer = setTimeout(() => ctl.abort(new DOMException(`${this.name} deadline`, 'TimeoutError')), this.opts.timeoutMs)
    timer.unref()
    const deadline = ctl.signal
    const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline
    this.ownSignals.add(signal)
    const max = this.opts.maxFieldChars
    const checked = max === undefined ? fn : async (s?: AbortSignal) => checkFieldLengths(this.name, await fn(s), max)
    try {
      const attempt = () => this.withAuthRefresh(call, checked, signal)
      const guarded = () => (this.limit ? this.limit.run(attempt) : attempt())
      const retries = call.idempotent ? (this.opts.readRetries ?? 0) : 0
      for (let i = 0; ; i++) {
        try {
          if (this.breaker) {
            if (this.breaker.opened) {
              throw new UpstreamError(this.name, 'circuit_open', `${this.name} circuit is open; calls are paused`, {
                retryAfterMs: this.opts.breaker?.resetTimeoutMs,
              })
            }
            return (await this.breaker.fire(guarded)) as T
          }
          return await guarded()
        } catch (e) {
          const err = this.normalise(e)
          if (i >= retries || !isRetryable(err) || err.kind === 'circuit_open' || signal.aborted) throw err
          await new Promise((r) => setTimeout(r, 50 * 2 ** i + Math.random() * 50))
        }
      }
    } catch (e) {
      let err = this.normalise(e)
      // The deadline fired while no request was in flight (waiting for a slot, between retries).
      if (deadline.aborted && !call.signal?.aborted && err.kind === 'aborted')
        err = new UpstreamError(this.name, 'timeout', `${this.name} did not answer in time (deadline)`, { cause: err })
      outcome = err.kind === 'http' ? `http_${err.status}` : err.kind
      failure = err
      if (err.kind === 'too_large') this.opts.metrics?.upstreamLimitBreaches.labels(this.name, err.opts.limit ?? 'reply_bytes').inc()
      else if (err.kind === 'timeout' && deadline.aborted) this.opts.metrics?.upstreamLimitBreaches.labels(this.name, 'deadline').inc()
      this.opts.logger.debug({ upstream: this.name, operation: call.operation, outcome, err: { message: err.message } }, 'upstream call failed')
      throw err
    } finally {
      clearTimeout(timer)
      const ms = performance.now() - started
      const metrics = this.opts.metrics
      if (metrics) {
        const key = `${call.operation} ${outcome}`
        let h = this.histograms.get(key)
        if (!h) this.histograms.set(key, (h = metrics.upstreamRequests.labels(this.name, call.operation, outcome)))
        h.observe(ms / 1000)
      }
      this.record(outcome, failure, ms)
      this.opts.onCall?.({ ok: failure === undefined, ms })
    }
  }

  /** An HTTP request through `execute`. */
  request<T = unknown>(call: CallOptions, config: AxiosRequestConfig): Promise<AxiosResponse<T>> {
    return this.execute(call, (signal) => this.axios.request<T>({ ...config, signal }))
  }

  /**
   * One exchange without axios (the lookups' hot path): same agents, auth, trace headers and
   * reply cap; answers any status with its text body. Call it inside `execute` with its signal
   * (that carries the deadline); alone it gets a deadline of its own.
   */
  text(req: PlainRequest): Promise<PlainReply> {
    const signal = req.signal && this.ownSignals.has(req.signal) ? req.signal : this.deadlineFor(req.signal)
    return plainRequest(this.plain, { ...req, signal })
  }

  private deadlineFor(signal?: AbortSignal): AbortSignal {
    const deadline = AbortSignal.timeout(this.opts.timeoutMs)
    return signal ? AbortSignal.any([signal, deadline]) : deadline
  }

  private async withAuthRefresh<T>(call: CallOptions, fn: (signal?: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const since = Date.now()
    try {
      return await fn(signal)
    } catch (e) {
      const err = this.normalise(e)
      if (this.opts.auth?.refresh && ((err.kind === 'http' && err.status === 401) || err.kind === 'auth')) {
        this.opts.logger.info({ upstream: this.name, operation: call.operation }, 'credentials refused; refreshing once')
        await this.opts.auth.refresh({ since })
        try {
          return await fn(signal)
        } catch (e2) {
          const err2 = this.normalise(e2)
          if ((err2.kind === 'http' && err2.status === 401) || err2.kind === 'auth') {
            throw new UpstreamError(this.name, 'auth', `${this.name} refused the credentials after a refresh`, { status: err2.status, cause: e2 })
          }
          throw err2
        }
      }
      throw err
    }
  }

  private normalise(e: unknown): UpstreamError {
    if (e instanceof UpstreamError) return e
    const err = toUpstreamError(this.name, e)
    // Keep identity numbers out of messages that may reach logs or problem bodies.
    return err.message.length ? new UpstreamError(err.upstream, err.kind, maskText(err.message), err.opts) : err
  }

  close(): void {
    this.breaker?.shutdown()
    ;(this.axios.defaults.httpAgent as http.Agent | undefined)?.destroy()
    ;(this.axios.defaults.httpsAgent as https.Agent | undefined)?.destroy()
  }
}

/**
 * Throws `too_large` (field_chars) when any string in `value` is longer than `max`:
 * one generic bound on mapped replies, whatever the mapping. Answers `value`.
 */
export function checkFieldLengths<T>(upstream: string, value: T, max: number): T {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }]
  while (stack.length) {
    const { v, depth } = stack.pop()!
    if (typeof v === 'string') {
      if (v.length > max)
        throw new UpstreamError(upstream, 'too_large', `${upstream} answered a field of ${v.length} characters (limit ${max})`, { limit: 'field_chars' })
    } else if (v && typeof v === 'object' && depth < 32 && !Buffer.isBuffer(v)) {
      for (const x of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push({ v: x, depth: depth + 1 })
    }
  }
  return value
}

export function createTransport(opts: TransportOptions): Transport {
  return new Transport(opts)
}
