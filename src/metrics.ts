import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client'

/**
 * The hub's Prometheus metrics, on a registry of its own (several hubs can live in one
 * test process). Services add theirs through `registry`.
 */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'lgsp_hub_' })
  return {
    registry,
    httpRequests: new Histogram({
      name: 'lgsp_hub_http_request_duration_seconds',
      help: 'Inbound API requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    upstreamRequests: new Histogram({
      name: 'lgsp_hub_upstream_request_duration_seconds',
      help: 'Calls to national systems by upstream, operation and outcome',
      labelNames: ['upstream', 'operation', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    upstreamLimitBreaches: new Counter({
      name: 'lgsp_hub_upstream_limit_breaches_total',
      help: 'Calls to national systems cut by a bound: reply_bytes (reply over its size limit), deadline (no complete answer in time), field_chars (a mapped field over UPSTREAM_MAX_FIELD_CHARS)',
      labelNames: ['upstream', 'limit'] as const,
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'lgsp_hub_circuit_open',
      help: '1 while the circuit breaker of an upstream is open, 0.5 half-open, 0 closed',
      labelNames: ['upstream'] as const,
      registers: [registry],
    }),
    upstreamUp: new Gauge({
      name: 'lgsp_hub_upstream_up',
      help: '1 while an enabled upstream answers (probe and recent calls), 0 while it is down; updated by /health/upstreams',
      labelNames: ['upstream'] as const,
      registers: [registry],
    }),
    upstreamLastSuccess: new Gauge({
      name: 'lgsp_hub_upstream_last_success_timestamp_seconds',
      help: 'Unix time of the last successful call to an upstream',
      labelNames: ['upstream'] as const,
      registers: [registry],
    }),
    upstreamRecentLatency: new Gauge({
      name: 'lgsp_hub_upstream_recent_latency_p95_seconds',
      help: '95th percentile of the last 100 calls to an upstream (seconds), updated on each call',
      labelNames: ['upstream'] as const,
      registers: [registry],
    }),
    authRejections: new Counter({
      name: 'lgsp_hub_auth_rejections_total',
      help: 'Inbound requests rejected by authentication (401) or authorisation (403)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    edgeRejections: new Counter({
      name: 'lgsp_hub_edge_rejections_total',
      help: 'Requests refused by the server limits: rate limits (429 by layer ip|client), backpressure (503 overloaded), cut connections (408/431/400)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    rateLimitSkipped: new Counter({
      name: 'lgsp_hub_rate_limit_skipped_total',
      help: 'Rate-limit checks skipped because Redis failed or was slow (> 1 s): the request went through unlimited (fail open), by layer ip|client',
      labelNames: ['layer'] as const,
      registers: [registry],
    }),
  }
}

export type HubMetrics = ReturnType<typeof createMetrics>
