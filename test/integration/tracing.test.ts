import { randomBytes } from 'node:crypto'
import { createServer, request, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SpanKind, context, propagation, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode, fakeCccd } from '../helpers/dossiers.js'
import { createSandbox } from '../../src/sandbox/index.js'
import { createLogger } from '../../src/log.js'
import { QUEUES } from '../../src/queue/names.js'
import { startTracing, tracingEnabled, type Tracing } from '../../src/telemetry/tracing.js'

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }

/** What the simulated portal received: the operation named in the body and the W3C header. */
interface Seen {
  url: string
  service?: string
  traceparent?: string
}

/** The sandbox with a capture of every DVCQG call's trace header (the recorder keeps no headers). */
async function capturingSandbox(): Promise<TestSandbox & { seen: Seen[] }> {
  const sb = await createSandbox(42, createLogger('silent'))
  const seen: Seen[] = []
  sb.app.addHook('preHandler', (req, _reply, done) => {
    if (req.url.startsWith('/dvcqg')) {
      const tp = req.headers['traceparent']
      seen.push({ url: req.url, service: (req.body as { service?: string } | undefined)?.service, traceparent: typeof tp === 'string' ? tp : undefined })
    }
    done()
  })
  await sb.app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(sb.app.server.address() as AddressInfo).port}`
  return { ...sb, url, seen, close: () => sb.app.close() }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex')
/** W3C traceparent: version-traceid-parentid-flags. */
const parseTraceparent = (tp: string) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(tp)
  if (!m) throw new Error(`not a traceparent: ${tp}`)
  return { traceId: m[1]!, parentId: m[2]!, flags: m[3]! }
}

async function postDossier(t: TestHub, i: number, traceparent: string) {
  const body = dossierBody(i, `trace-${i}`)
  const res = await fetch(`${t.url}/v1/dossiers`, { method: 'POST', headers: { ...H, traceparent }, body: JSON.stringify(body) })
  expect(res.status).toBe(202)
  await waitFor(async () => {
    const s = (await (await fetch(`${t.url}/v1/dossiers/${body.dossierCode}/sync`, { headers: H })).json()) as { events: { state: string }[] }
    return s.events.length === 1 && s.events[0]!.state === 'delivered'
  })
  return body
}

describe('tracing off (the default)', () => {
  let sandbox: Awaited<ReturnType<typeof capturingSandbox>>
  let t: TestHub
  beforeAll(async () => {
    sandbox = await capturingSandbox()
    t = await startTestHub({ sandbox, env: { DOSSIER_BATCH_MS: 0 } })
  })
  afterAll(async () => {
    await t?.close()
    await sandbox?.close()
  })

  it('registers no provider or propagator and sends no traceparent to DVCQG, even when the caller sent one', async () => {
    expect(tracingEnabled()).toBe(false)
    // The API's globals are the no-op ones: spans do not record, nothing is injected.
    const span = trace.getTracer('probe').startSpan('probe')
    expect(span.isRecording()).toBe(false)
    span.end()
    expect(propagation.fields()).toEqual([])
    const carrier: Record<string, string> = {}
    propagation.inject(context.active(), carrier)
    expect(carrier).toEqual({})

    const inbound = `00-${hex(16)}-${hex(8)}-01`
    const body = await postDossier(t, 9101, inbound)
    const calls = sandbox.seen.filter((s) => s.service === 'DongBoHoSoMC')
    expect(calls.length).toBeGreaterThan(0)
    expect(sandbox.seen.every((s) => s.traceparent === undefined)).toBe(true)
    expect(t.sandbox.sims.dvcqg.dossier(body.dossierCode)).toBeDefined()
  })
})

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter()
  let tracing: Tracing
  let sandbox: Awaited<ReturnType<typeof capturingSandbox>>
  let t: TestHub
  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'lgsp-hub-test', role: 'all', sampleRatio: 1 }, { exporter })!
    sandbox = await capturingSandbox()
    t = await startTestHub({ sandbox, env: { DOSSIER_BATCH_MS: 0 } })
  })
  afterAll(async () => {
    await t?.close()
    await sandbox?.close()
    await tracing?.shutdown()
  })
  afterEach(() => exporter.reset())

  it('follows one dossier event from intake through the queue job to the DVCQG call as one trace', async () => {
    const inbound = { traceId: hex(16), spanId: hex(8) }
    const body = await postDossier(t, 9201, `00-${inbound.traceId}-${inbound.spanId}-01`)
    await tracing.flush()
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === inbound.traceId)
    const one = (pred: (s: ReadableSpan) => boolean, what: string) => {
      const found = spans.filter(pred)
      expect(found, what).toHaveLength(1)
      return found[0]!
    }
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId

    // Intake: the server span, named by the route pattern, a child of the caller's span.
    const intake = one((s) => s.kind === SpanKind.SERVER && s.name === 'POST /v1/dossiers', 'intake span')
    expect(parentOf(intake)).toBe(inbound.spanId)
    expect(intake.attributes['http.route']).toBe('/v1/dossiers')
    expect(intake.attributes['http.response.status_code']).toBe(202)
    expect(intake.resource.attributes['service.name']).toBe('lgsp-hub-test')
    expect(intake.resource.attributes['hub.role']).toBe('all')

    // The queue job: a consumer span whose parent is the intake span (its traceparent travelled in the job data).
    const job = one((s) => s.kind === SpanKind.CONSUMER && s.name === `${QUEUES.dossierSync} drain`, 'job span')
    expect(parentOf(job)).toBe(intake.spanContext().spanId)
    expect(job.attributes['messaging.destination.name']).toBe(QUEUES.dossierSync)

    // The DVCQG call: a client span under the job span.
    const call = one((s) => s.kind === SpanKind.CLIENT && s.name === 'dvcqg DongBoHoSoMC', 'DVCQG call span')
    expect(parentOf(call)).toBe(job.spanContext().spanId)
    expect(call.attributes['hub.upstream']).toBe('dvcqg')

    // The portal received the same trace, its parent being the client span.
    const sent = sandbox.seen.filter((s) => s.service === 'DongBoHoSoMC' && s.traceparent && parseTraceparent(s.traceparent).traceId === inbound.traceId)
    expect(sent).toHaveLength(1)
    expect(parseTraceparent(sent[0]!.traceparent!)).toEqual({ traceId: inbound.traceId, parentId: call.spanContext().spanId, flags: '01' })

    // No personal data in any span: the applicant's identity number and name appear nowhere.
    const all = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })))
    expect(all).not.toContain(fakeCccd(9201))
    expect(all).not.toContain(body.applicant.name)
    expect(job.attributes['hub.dossier.code']).toBe(dossierCode(9201)) // codes are fine
  })

  it('keeps the intake span active for the handler when the body arrives after the headers (socket events)', async () => {
    const inbound = { traceId: hex(16), spanId: hex(8) }
    const body = JSON.stringify(dossierBody(9202, 'trace-9202'))
    const { port } = new URL(t.url)
    // Headers first, the body in two pieces later: the body is parsed from socket events.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/dossiers',
          headers: { ...H, traceparent: `00-${inbound.traceId}-${inbound.spanId}-01`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      req.flushHeaders()
      const half = Math.floor(body.length / 2)
      setTimeout(() => req.write(body.slice(0, half)), 50)
      setTimeout(() => req.end(body.slice(half)), 100)
    })
    expect(status).toBe(202)
    await waitFor(async () => {
      const s = (await (await fetch(`${t.url}/v1/dossiers/${dossierCode(9202)}/sync`, { headers: H })).json()) as { events: { state: string }[] }
      return s.events[0]?.state === 'delivered'
    })
    await tracing.flush()
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === inbound.traceId)
    const intake = spans.find((s) => s.kind === SpanKind.SERVER)
    const job = spans.find((s) => s.kind === SpanKind.CONSUMER)
    expect(intake?.name).toBe('POST /v1/dossiers')
    expect(job?.parentSpanContext?.spanId).toBe(intake?.spanContext().spanId)
  })

  it('starts a new trace for a request without traceparent, and names unmatched routes without their URL', async () => {
    const res = await fetch(`${t.url}/v1/no-such-thing/0010901234567`, { headers: H })
    expect(res.status).toBe(404)
    await tracing.flush()
    const spans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)
    expect(spans).toHaveLength(1)
    expect(spans[0]!.name).toBe('GET unmatched')
    expect(spans[0]!.parentSpanContext).toBeUndefined()
    expect(JSON.stringify(spans[0]!.attributes)).not.toContain('0010901234567')
  })
})

describe('OTLP export', () => {
  it('sends spans to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces', async () => {
    const got: { url?: string; type?: string; bytes: number }[] = []
    const collector = createServer((req: IncomingMessage, res) => {
      let bytes = 0
      req.on('data', (c: Buffer) => (bytes += c.length))
      req.on('end', () => {
        got.push({ url: req.url, type: req.headers['content-type'], bytes })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r))
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`
    const tracing = startTracing({ endpoint, serviceName: 'lgsp-hub-test', role: 'worker', sampleRatio: 1 })!
    try {
      trace.getTracer('t').startSpan('probe').end()
      await tracing.flush()
      expect(got).toHaveLength(1)
      expect(got[0]!.url).toBe('/v1/traces')
      expect(got[0]!.bytes).toBeGreaterThan(0)
    } finally {
      await tracing.shutdown()
      collector.close()
    }
    expect(tracingEnabled()).toBe(false)
  })
})
