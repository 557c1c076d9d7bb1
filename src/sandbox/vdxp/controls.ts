import type { FastifyInstance } from 'fastify'
import type { VdxpSimulator } from './index.js'

/**
 * Sandbox-only controls and inspection of the VDXP simulator, under `/vdxp/_sandbox`
 * (no credentials; the sandbox's own `/_sandbox/faults/vdxp/<op>` sets 5xx, hangs,
 * resets, latency). Described in docs/sandbox-vdxp.md.
 */
export function registerControls(app: FastifyInstance, sim: VdxpSimulator, opts: { errorCodes: readonly number[]; operations: readonly string[] }): void {
  const body = (b: unknown) => (b && typeof b === 'object' ? (b as Record<string, unknown>) : {})
  const count = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000 ? v : dflt)

  app.get('/_sandbox/stats', async () => sim.state())

  app.get('/_sandbox/deliveries', async (req) => {
    const q = req.query as Record<string, string | undefined>
    return sim.deliveries(q['agency']).filter((d) => !q['messageType'] || d.messageType === q['messageType'])
  })

  app.get('/_sandbox/messages/:docId', async (req, reply) => {
    const msg = sim.store.get((req.params as { docId: string }).docId)
    if (!msg) return reply.code(404).send({ message: 'no such docId' })
    return msg
  })

  app.post('/_sandbox/agencies/:code/lock', async (req, reply) => {
    const agency = sim.agencies.get((req.params as { code: string }).code)
    if (!agency) return reply.code(404).send({ message: 'no such agency' })
    agency.locked = body(req.body)['locked'] !== false
    return agency
  })

  app.post('/_sandbox/next-error', async (req, reply) => {
    const b = body(req.body)
    const operation = typeof b['operation'] === 'string' ? b['operation'] : 'sendEdoc'
    const code = b['code']
    if (!opts.operations.includes(operation) || operation === 'token')
      return reply.code(400).send({ message: `operation must be one of ${opts.operations.join(', ')}` })
    if (typeof code !== 'number' || !opts.errorCodes.includes(code))
      return reply.code(400).send({ message: `code must be one of ${opts.errorCodes.join(', ')}` })
    sim.forced.set(operation, { code: code as never, remaining: count(b['count'], 1) })
    return Object.fromEntries(sim.forced)
  })

  app.post('/_sandbox/lose-replies', async (req, reply) => {
    const b = body(req.body)
    const operation = typeof b['operation'] === 'string' ? b['operation'] : 'sendEdoc'
    if (!opts.operations.includes(operation) || operation === 'token')
      return reply.code(400).send({ message: `operation must be one of ${opts.operations.join(', ')}` })
    const rate = typeof b['rate'] === 'number' && b['rate'] >= 0 && b['rate'] <= 1 ? b['rate'] : 0
    sim.lostReplies.set(operation, { count: count(b['count'], rate > 0 ? 0 : 1), rate })
    return Object.fromEntries(sim.lostReplies)
  })

  app.put('/_sandbox/clock', async (req, reply) => {
    const v = body(req.body)['offsetMs']
    if (typeof v !== 'number' || !Number.isFinite(v)) return reply.code(400).send({ message: 'offsetMs must be a number' })
    sim.clockOffsetMs = v
    return { offsetMs: v, now: new Date(sim.now()).toISOString() }
  })

  app.put('/_sandbox/auth', async (req) => {
    const b = body(req.body)
    if (typeof b['requireBearer'] === 'boolean') sim.requireBearer = b['requireBearer']
    if (typeof b['tokenTtlSec'] === 'number' && b['tokenTtlSec'] > 0) sim.tokens.ttlSec = b['tokenTtlSec']
    return { requireBearer: sim.requireBearer, tokenTtlSec: sim.tokens.ttlSec }
  })

  app.post('/_sandbox/revoke-tokens', async () => {
    sim.tokens.revokeAll()
    return { revoked: true }
  })

  // Plants a message as `systemId` would send it (no OAuth; same checks and answer as sendEdoc).
  app.post('/_sandbox/inject', async (req, reply) => {
    const b = body(req.body)
    const systemId = typeof b['systemId'] === 'string' ? b['systemId'] : ''
    const edxml = typeof b['edxml'] === 'string' ? Buffer.from(b['edxml'], 'base64') : undefined
    if (!edxml) return reply.code(400).send({ message: 'edxml (base64 of the file) is required' })
    const messageType = b['messageType'] === 'edoc' || b['messageType'] === 'status' ? b['messageType'] : undefined
    return sim.submit(systemId, edxml, messageType)
  })

  app.post('/_sandbox/reset', async () => {
    sim.reset()
    return { reset: true }
  })
}
