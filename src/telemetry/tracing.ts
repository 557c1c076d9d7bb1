import { hostname } from 'node:os'
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'
import { AsyncLocalStorageContextManager } from './context-manager.js'

export interface TracingSettings {
  /** OTLP/HTTP base URL (traces go to `<endpoint>/v1/traces`); unset and no exporter given: tracing stays off. */
  endpoint?: string
  serviceName: string
  /** The process role (api, worker, all), a resource attribute. */
  role: string
  /** Share of new traces (no sampled parent) recorded, 0..1; an inbound sampled traceparent is always followed. */
  sampleRatio: number
}

export interface TracingOptions {
  /** Exports here instead of OTLP (tests: InMemorySpanExporter). */
  exporter?: SpanExporter
}

export interface Tracing {
  /** Exports what is buffered. */
  flush(): Promise<void>
  /** Flushes, then unregisters the provider, propagator and context manager. */
  shutdown(): Promise<void>
}

let tracer: Tracer | undefined

/** True while this process has a tracer provider of its own registered. */
export const tracingEnabled = (): boolean => tracer !== undefined

/**
 * Starts tracing for this process: a BasicTracerProvider (service name and role as
 * resource attributes) exporting through a BatchSpanProcessor over OTLP/HTTP, the W3C
 * TraceContext propagator, and an AsyncLocalStorage context manager. With no endpoint
 * (and no exporter) it registers nothing and returns undefined: the OpenTelemetry API
 * stays the no-op it is, and the hub's hooks are not even installed.
 */
export function startTracing(settings: TracingSettings, opts: TracingOptions = {}): Tracing | undefined {
  const exporter = opts.exporter ?? (settings.endpoint ? new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }) : undefined)
  if (!exporter) return undefined
  if (tracer) throw new Error('tracing is already started in this process')
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      'service.instance.id': `${hostname()}-${process.pid}`,
      'hub.role': settings.role,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(provider)
  tracer = trace.getTracer('lgsp-hub')
  let stopped = false
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (stopped) return
      stopped = true
      try {
        await provider.shutdown()
      } finally {
        tracer = undefined
        trace.disable()
        propagation.disable()
        context.disable()
      }
    },
  }
}

/** The tracer while tracing is on. */
export function hubTracer(): Tracer | undefined {
  return tracer
}

/**
 * Marks a span failed with the error's kind only: error messages may quote a national
 * system's answer, and spans never carry personal data.
 */
export function failSpan(span: Span, err: unknown): void {
  const kind = (err as { kind?: unknown })?.kind
  span.setAttribute(ATTR_ERROR_TYPE, typeof kind === 'string' ? kind : ((err as Error)?.name ?? 'Error'))
  span.setStatus({ code: SpanStatusCode.ERROR })
}

/**
 * Runs `fn` inside a new active span (ended when `fn` settles); with tracing off, just
 * runs `fn`. `parent` defaults to the active context.
 */
export async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span?: Span) => Promise<T>, parent?: Context): Promise<T> {
  if (!tracer) return fn()
  const span = tracer.startSpan(name, { kind, attributes }, parent ?? context.active())
  try {
    return await context.with(trace.setSpan(parent ?? context.active(), span), () => fn(span))
  } catch (e) {
    failSpan(span, e)
    throw e
  } finally {
    span.end()
  }
}

/** A call to a national system: a client span, active while the transport sends (which injects `traceparent`). */
export function clientSpan<T>(upstream: string, operation: string, fn: () => Promise<T>): Promise<T> {
  if (!tracer) return fn()
  return inSpan(`${upstream} ${operation}`, SpanKind.CLIENT, { 'hub.upstream': upstream, 'hub.operation': operation }, fn)
}

/**
 * The W3C `traceparent` of the active span, to store with a queued job (a trace
 * reference, never personal data). `{}` when tracing is off or no span is active.
 */
export function jobTraceContext(): { traceparent?: string } {
  if (!tracer) return {}
  const carrier: Record<string, string> = {}
  propagation.inject(context.active(), carrier)
  return carrier.traceparent ? { traceparent: carrier.traceparent } : {}
}

/** The context a job's stored `traceparent` names (the root context when it has none). */
export function contextFromTraceparent(traceparent: unknown): Context {
  if (typeof traceparent !== 'string') return ROOT_CONTEXT
  return propagation.extract(ROOT_CONTEXT, { traceparent })
}

/** Adds attributes (codes and outcomes, never personal data) to the active span, if any. */
export function annotateSpan(attributes: Attributes): void {
  if (tracer) trace.getActiveSpan()?.setAttributes(attributes)
}
