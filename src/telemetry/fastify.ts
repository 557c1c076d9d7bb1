import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api'
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions'
import { hubTracer } from './tracing.js'

const TRACE = Symbol('hub.trace')
type Traced = FastifyRequest & { [TRACE]?: { span: Span; ctx: Context } }

/**
 * Server spans for the API: one per request, named by method and route pattern (never
 * the raw URL, which carries identifiers), a child of the caller's `traceparent` /
 * `tracestate`, ended when the response is sent. The span is made active for the route
 * handler by wrapping it (the body is parsed from socket events, which lose an
 * AsyncLocalStorage context entered in onRequest). Installed only while tracing is on.
 */
export function registerTracingHooks(app: FastifyInstance): void {
  const tracer = hubTracer()
  if (!tracer) return
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url
    const parent = propagation.extract(ROOT_CONTEXT, request.headers)
    const span = tracer.startSpan(
      `${request.method} ${route ?? 'unmatched'}`,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}) } },
      parent,
    )
    const ctx = trace.setSpan(parent, span)
    ;(request as Traced)[TRACE] = { span, ctx }
    context.with(ctx, done)
  })
  const end = (request: FastifyRequest, status?: number) => {
    const t = (request as Traced)[TRACE]
    if (!t) return
    ;(request as Traced)[TRACE] = undefined
    if (status !== undefined) {
      t.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status)
      if (status >= 500) t.span.setStatus({ code: SpanStatusCode.ERROR })
    } else t.span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' })
    t.span.end()
  }
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode)
    done()
  })
  app.addHook('onRequestAbort', (request, done) => {
    end(request)
    done()
  })
  app.addHook('onRoute', (route) => {
    const handler = route.handler as (this: FastifyInstance, ...a: Parameters<RouteHandlerMethod>) => ReturnType<RouteHandlerMethod>
    route.handler = function (this: FastifyInstance, request, reply) {
      const t = (request as Traced)[TRACE]
      return t ? context.with(t.ctx, handler, this, request, reply) : handler.call(this, request, reply)
    }
  })
}
