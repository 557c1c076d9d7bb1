import { context, propagation } from '@opentelemetry/api'

/**
 * Writes the W3C trace headers (`traceparent`, `tracestate`) of the active span into
 * an outbound request's headers. A no-op while tracing is off (no propagator registered),
 * so the hot path pays one function call.
 */
export function injectTraceHeaders(headers: Record<string, unknown>): void {
  propagation.inject(context.active(), headers)
}
