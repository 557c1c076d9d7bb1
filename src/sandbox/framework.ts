import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyBaseLogger } from 'fastify'
import type { Logger } from 'pino'
import { FaultInjector, type FaultSpec } from './faults.js'
import { hashLabel, mulberry32 } from './random.js'
import { Recorder } from './recorder.js'

/** What a simulator's handler learns about the call besides the request. */
export interface CallContext {
  /** The fault injector asked this call to fail as an expired session/token. */
  expiredSession: boolean
}

export interface HandlerResult {
  status?: number
  body: unknown
  contentType?: string
  headers?: Record<string, string>
  /** Recorded verdict, e.g. `accepted` or `rejected: <message>`. */
  outcome?: string
}

/** What the framework gives every simulator. */
export interface SimKit {
  readonly seed: number
  /** A seeded random stream per label (deterministic data). */
  rng(label: string): () => number
  readonly faults: FaultInjector
  readonly recorder: Recorder
  /**
   * Runs one simulated operation: records it, applies injected latency and faults,
   * then (if no fault pre-empted it) the handler.
   */
  handle(
    sim: string,
    operation: string,
    request: FastifyRequest,
    reply: FastifyReply,
    fn: (ctx: CallContext) => Promise<HandlerResult> | HandlerResult,
  ): Promise<unknown>
}

/** One simulated national system, mounted under `/<id>`. */
export interface Simulator {
  readonly id: string
  routes(app: FastifyInstance, kit: SimKit): void | Promise<void>
  /** Back to the seeded state. */
  reset?(): void
  /** Extra admin endpoints' data (`GET /_sandbox/state/<id>`). */
  state?(): unknown
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createKit(seed: number): SimKit {
  const faults = new FaultInjector(seed)
  const recorder = new Recorder()
  return {
    seed,
    rng: (label) => mulberry32(seed ^ hashLabel(label)),
    faults,
    recorder,
    async handle(sim, operation, request, reply, fn) {
      const { decision, delayMs } = faults.decide(sim, operation)
      const base = { sim, operation, method: request.method, path: request.url, body: request.body }
      if (delayMs > 0) await sleep(delayMs)
      switch (decision.kind) {
        case 'hang': {
          recorder.add({ ...base, fault: 'hang' })
          reply.hijack()
          // Hold the request until the client gives up (or two minutes pass), then drop it.
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 120_000)
            // The socket, not the request: an IncomingMessage emits 'close' once its body is read.
            const done = () => {
              clearTimeout(t)
              resolve()
            }
            if (request.raw.socket && !request.raw.socket.destroyed) request.raw.socket.once('close', done)
            else done()
          })
          request.raw.socket?.destroy()
          return reply
        }
        case 'reset':
          recorder.add({ ...base, fault: 'reset' })
          reply.hijack()
          request.raw.socket?.destroy()
          return reply
        case '429':
          recorder.add({ ...base, fault: '429', status: 429 })
          return reply.code(429).header('retry-after', String(decision.retryAfterSec)).send({ error_code: 429, message: 'Too many requests' })
        case 'error':
          recorder.add({ ...base, fault: `http_${decision.status}`, status: decision.status })
          return reply
            .code(decision.status)
            .type('text/html')
            .send(
              `<html><head><title>${decision.status} Service Unavailable</title></head><body><h1>${decision.status}</h1>upstream error (sandbox)</body></html>`,
            )
        case 'malformed':
          recorder.add({ ...base, fault: 'malformed', status: 200 })
          return reply.code(200).type('application/json').send('{"error_code":0,"message":"OK","result":[{"MaHoSo":')
      }
      const res = await fn({ expiredSession: decision.kind === 'expired_session' })
      const status = res.status ?? 200
      recorder.add({
        ...base,
        status,
        ...(decision.kind === 'expired_session' ? { fault: 'expired_session' } : {}),
        ...(res.outcome ? { outcome: res.outcome } : {}),
      })
      reply.code(status)
      if (res.contentType) reply.type(res.contentType)
      if (res.headers) reply.headers(res.headers)
      return reply.send(res.body)
    },
  }
}

export interface SandboxOptions {
  seed: number
  logger: Logger
  simulators: Simulator[]
}

/**
 * The sandbox: faithful simulators of the national endpoints, with a record of what
 * they received and fault injection, plus an admin API under `/_sandbox`.
 */
export async function createSandboxApp(opts: SandboxOptions): Promise<{ app: FastifyInstance; kit: SimKit }> {
  const kit = createKit(opts.seed)
  const app = Fastify({ loggerInstance: opts.logger as FastifyBaseLogger, bodyLimit: 50 * 1024 * 1024 })
  // National systems accept text/xml (SOAP) and plain text as well as JSON.
  app.addContentTypeParser(['text/xml', 'application/soap+xml', 'text/plain', 'application/xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body))

  app.get('/_sandbox/records', async (req) => {
    const q = req.query as Record<string, string | undefined>
    return kit.recorder.query({
      sim: q['sim'],
      operation: q['operation'],
      sinceSeq: q['sinceSeq'] ? Number(q['sinceSeq']) : undefined,
      limit: q['limit'] ? Number(q['limit']) : undefined,
    })
  })
  app.get('/_sandbox/counts', async () => kit.recorder.counts())
  app.delete('/_sandbox/records', async () => {
    kit.recorder.clear()
    return { cleared: true }
  })
  app.get('/_sandbox/faults', async () => kit.faults.list())
  app.put('/_sandbox/faults/:sim/:op', async (req) => {
    const { sim, op } = req.params as { sim: string; op: string }
    kit.faults.set(sim, op, req.body as FaultSpec)
    return kit.faults.list()
  })
  app.delete('/_sandbox/faults', async () => {
    kit.faults.clear()
    return kit.faults.list()
  })
  app.post('/_sandbox/reset', async (req) => {
    const body = (req.body ?? {}) as { seed?: number }
    kit.faults.clear()
    kit.recorder.clear()
    if (typeof body.seed === 'number') kit.faults.reseed(body.seed)
    for (const s of opts.simulators) s.reset?.()
    return { reset: true }
  })
  app.get('/_sandbox/state/:sim', async (req, reply) => {
    const sim = opts.simulators.find((s) => s.id === (req.params as { sim: string }).sim)
    if (!sim?.state) return reply.code(404).send({ message: 'no such simulator state' })
    return sim.state()
  })
  app.get('/_sandbox/health', async () => ({ status: 'ok', simulators: opts.simulators.map((s) => s.id) }))

  for (const sim of opts.simulators) {
    await app.register(async (scope) => sim.routes(scope, kit), { prefix: `/${sim.id}` })
  }
  return { app, kit }
}
