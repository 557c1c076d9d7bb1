import http from 'node:http'
import https from 'node:https'
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios'
import CircuitBreaker from 'opossum'
import type { Logger } from '../log.js'
import { maskText } from '../pii.js'
import type { HubMetrics } from '../metrics.js'
import type { AuthStrategy } from './auth.js'
import { UpstreamError, isRetryable, toUpstreamError } from './errors.js'
import { Semaphore } from './semaphore.js'

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
  logger: Logger
  metrics?: HubMetrics
}

export interface CallOptions {
  /** Operation name for logs and metrics (`DongBoHoSoMC`, `TraCuuThongTinCongDan`…). */
  operation: string
  /** Safe to repeat: enables the bounded read retry. */
  idempotent?: boolean
  signal?: AbortSignal
}

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

  constructor(private readonly opts: TransportOptions) {
    this.name = opts.name
    const agentOpts = { keepAlive: true, maxSockets: Math.max(opts.maxConcurrent ?? 64, 16) }
    this.axios = axios.create({
      baseURL: opts.baseURL,
      timeout: opts.timeoutMs,
      httpAgent: new http.Agent(agentOpts),
      httpsAgent: new https.Agent({ ...agentOpts, ...opts.tls }),
      headers: opts.headers,
      // Bodies are read by mappings; never let axios throw on a 4xx body we want to see.
      validateStatus: (s) => s >= 200 && s < 300,
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
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
        // Only failures of the upstream itself count; its business "no" does not.
        errorFilter: (err: unknown) => !isRetryable(err) || (err instanceof UpstreamError && err.kind === 'aborted'),
      })
      const gauge = opts.metrics?.breakerState.labels(opts.name)
      gauge?.set(0)
      this.breaker.on('open', () => {
        gauge?.set(1)
        opts.logger.warn({ upstream: opts.name }, 'circuit opened')
      })
      this.breaker.on('halfOpen', () => gauge?.set(0.5))
      this.breaker.on('close', () => {
        gauge?.set(0)
        opts.logger.info({ upstream: opts.name }, 'circuit closed')
      })
    }
  }

  get circuitState(): 'closed' | 'open' | 'half-open' | 'none' {
    if (!this.breaker) return 'none'
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed'
  }

  /**
   * Runs one logical call (which may be several HTTP exchanges, e.g. a SOAP call)
   * through the breaker, the concurrency cap, auth refresh and the read retry.
   */
  async execute<T>(call: CallOptions, fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const started = performance.now()
    let outcome = 'ok'
    try {
      const attempt = () => this.withAuthRefresh(call, fn)
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
          if (i >= retries || !isRetryable(err) || err.kind === 'circuit_open' || call.signal?.aborted) throw err
          await new Promise((r) => setTimeout(r, 50 * 2 ** i + Math.random() * 50))
        }
      }
    } catch (e) {
      const err = this.normalise(e)
      outcome = err.kind === 'http' ? `http_${err.status}` : err.kind
      this.opts.logger.debug({ upstream: this.name, operation: call.operation, outcome, err: { message: err.message } }, 'upstream call failed')
      throw err
    } finally {
      this.opts.metrics?.upstreamRequests.labels(this.name, call.operation, outcome).observe((performance.now() - started) / 1000)
    }
  }

  /** An HTTP request through `execute`. */
  request<T = unknown>(call: CallOptions, config: AxiosRequestConfig): Promise<AxiosResponse<T>> {
    return this.execute(call, (signal) => this.axios.request<T>({ ...config, signal: call.signal ?? signal }))
  }

  private async withAuthRefresh<T>(call: CallOptions, fn: (signal?: AbortSignal) => Promise<T>): Promise<T> {
    const since = Date.now()
    try {
      return await fn(call.signal)
    } catch (e) {
      const err = this.normalise(e)
      if (this.opts.auth?.refresh && ((err.kind === 'http' && err.status === 401) || err.kind === 'auth')) {
        this.opts.logger.info({ upstream: this.name, operation: call.operation }, 'credentials refused; refreshing once')
        await this.opts.auth.refresh({ since })
        try {
          return await fn(call.signal)
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

export function createTransport(opts: TransportOptions): Transport {
  return new Transport(opts)
}
