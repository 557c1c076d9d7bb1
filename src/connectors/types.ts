import type { HubConfig } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { HubMetrics } from '../metrics.js'
import type { Transport, TransportOptions } from '../http/transport.js'

export interface CheckResult {
  ok: boolean
  latencyMs: number
  detail?: string
}

/** One national system. Speaks national types only; mappings handle the province. */
export interface Connector {
  readonly id: string
  /** Cheap reachability + credentials probe, used by /health/upstreams (never readiness). */
  check(): Promise<CheckResult>
  close?(): void | Promise<void>
}

export interface ConnectorContext {
  config: HubConfig
  logger: Logger
  metrics: HubMetrics
  /** The shared transport factory: connectors never build their own HTTP client. */
  transport(opts: Omit<TransportOptions, 'logger' | 'metrics'>): Transport
}

export type ConnectorFactory<C extends Connector = Connector> = (ctx: ConnectorContext) => C

/** Times a probe and turns a throw into `{ok:false}`. */
export async function timedCheck(probe: () => Promise<string | void>): Promise<CheckResult> {
  const t = performance.now()
  try {
    const detail = await probe()
    return { ok: true, latencyMs: Math.round(performance.now() - t), ...(detail ? { detail } : {}) }
  } catch (e) {
    return { ok: false, latencyMs: Math.round(performance.now() - t), detail: (e as Error).message }
  }
}
