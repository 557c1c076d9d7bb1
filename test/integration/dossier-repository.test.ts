import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { migrate } from '../../src/store/migrate.js'
import { DossierRepository } from '../../src/services/dossiers/repository.js'
import { storageEngines } from '../helpers/pg.js'
import { dossierBody } from '../helpers/dossiers.js'

const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

const AGENCY = '000.00.06.H56'
const OTHER = ['000.00.99.H99']
const CLIENT = 'province-app'
const LEASE_MS = 30_000
/** A body hash as intake stores it (SHA-256, hex). */
const h = (s: string) => createHash('sha256').update(s).digest('hex')

/** The dossier part of an upsert body (what the repository stores). */
function dossierOf(i: number, status = 'DA_TIEP_NHAN') {
  const { eventId: _e, ...dossier } = dossierBody(i, 'unused', { status })
  return dossier
}

describe.each(engines)('dossier repository on %s', (_name, open) => {
  it('stores events with per-dossier sequence numbers, idempotently by (client, eventId), and only for served agencies', async () => {
    const db = await open()
    await migrate(db)
    const repo = new DossierRepository(db)
    const d = dossierOf(101)

    expect(await repo.storeUpsert({ dossier: d, eventId: 'e1', clientId: CLIENT, agencies: [AGENCY], hash: h('h1') })).toEqual({
      fresh: true,
      seq: 1,
      leased: false,
      inserted: 1,
    })
    expect(
      await repo.storeEvent({
        dossierCode: d.dossierCode,
        event: { eventId: 'e2', occurredAt: '2026-11-21T09:15:00+07:00', status: 'DANG_XU_LY' },
        clientId: CLIENT,
        agencies: ['*'],
        hash: h('h2'),
      }),
    ).toEqual({
      fresh: true,
      seq: 2,
      leased: false,
      inserted: 1,
    })
    // A known key changes nothing: not fresh, nothing inserted.
    expect(await repo.storeUpsert({ dossier: d, eventId: 'e1', clientId: CLIENT, agencies: [AGENCY], hash: h('h1') })).toMatchObject({
      fresh: false,
      inserted: 0,
    })
    expect(await repo.findEvent(CLIENT, 'e1')).toEqual({ dossier_code: d.dossierCode, seq: 1, body_sha256: h('h1') })
    expect(await repo.findEvent('another-client', 'e1')).toBeUndefined()
    // Unknown dossier, or a dossier of an agency the client does not serve: no row touched.
    expect(
      await repo.storeEvent({
        dossierCode: 'NO-SUCH',
        event: { eventId: 'e3', occurredAt: '2026-11-21T09:15:00+07:00' },
        clientId: CLIENT,
        agencies: ['*'],
        hash: h('h3'),
      }),
    ).toMatchObject({
      fresh: true,
      seq: null,
      inserted: 0,
    })
    expect(
      await repo.storeEvent({
        dossierCode: d.dossierCode,
        event: { eventId: 'e4', occurredAt: '2026-11-21T09:15:00+07:00' },
        clientId: CLIENT,
        agencies: OTHER,
        hash: h('h4'),
      }),
    ).toMatchObject({
      fresh: true,
      seq: null,
      inserted: 0,
    })
    const { rows } = await db.query<{ last_seq: number; current_status: string }>('SELECT last_seq, current_status FROM dossiers WHERE code = $1', [
      d.dossierCode,
    ])
    expect(rows[0]).toEqual({ last_seq: 2, current_status: 'DANG_XU_LY' })
  })

  it('leases a dossier and reads its undelivered events in order; delivered events leave the queue', async () => {
    const db = await open()
    await migrate(db)
    const repo = new DossierRepository(db)
    const d = dossierOf(102)
    const step = { actor: 'Lê Văn Cường', action: 'Thẩm định hồ sơ' }
    await repo.storeUpsert({ dossier: d, eventId: 'u1', clientId: CLIENT, agencies: [AGENCY], hash: h('a') })
    await repo.storeEvent({
      dossierCode: d.dossierCode,
      event: { eventId: 's2', occurredAt: '2026-11-21T09:15:00+07:00', step },
      clientId: CLIENT,
      agencies: [AGENCY],
      hash: h('b'),
    })
    await repo.storeEvent({
      dossierCode: d.dossierCode,
      event: { eventId: 's3', occurredAt: '2026-11-21T10:00:00+07:00', status: 'DANG_XU_LY' },
      clientId: CLIENT,
      agencies: [AGENCY],
      hash: h('c'),
    })

    const lease = await repo.lease(d.dossierCode, 'tok-a', LEASE_MS, false)
    expect(lease).toBeDefined()
    expect(lease!.portalKnown).toBe(false)
    expect(lease!.deliveredSeq).toBe(0)
    expect(lease!.events.map((e) => [e.seq, e.kind])).toEqual([
      [1, 'upsert'],
      [2, 'event'],
      [3, 'event'],
    ])
    expect(lease!.events[0]!.payload.dossier).toEqual(d)
    // A step-only event reports the dossier's status at that moment; a status change carries the dossier as of then.
    expect(lease!.events[1]!.payload).toEqual({ occurredAt: '2026-11-21T09:15:00+07:00', status: 'DA_TIEP_NHAN', step })
    expect(lease!.events[2]!.payload).toEqual({ occurredAt: '2026-11-21T10:00:00+07:00', status: 'DANG_XU_LY', dossier: { ...d, status: 'DANG_XU_LY' } })

    // The lease is exclusive; an event stored meanwhile says so.
    expect(await repo.lease(d.dossierCode, 'tok-b', LEASE_MS, false)).toBeUndefined()
    expect(
      await repo.storeEvent({
        dossierCode: d.dossierCode,
        event: { eventId: 's4', occurredAt: '2026-11-21T11:00:00+07:00', step },
        clientId: CLIENT,
        agencies: [AGENCY],
        hash: h('d'),
      }),
    ).toMatchObject({
      seq: 4,
      leased: true,
    })

    expect(
      await repo.markDelivered({
        code: d.dossierCode,
        token: 'tok-a',
        seqs: [1],
        portalKnown: true,
        leaseMs: LEASE_MS,
        operation: 'DongBoHoSoMC',
        latencyMs: 12,
      }),
    ).toBe(true)
    expect(
      await repo.markDelivered({
        code: d.dossierCode,
        token: 'wrong',
        seqs: [2],
        portalKnown: false,
        leaseMs: LEASE_MS,
        operation: 'CapNhatTienDoHoSoMC',
        latencyMs: 5,
      }),
    ).toBe(false)
    expect(await repo.releaseIfDrained(d.dossierCode, 'tok-a')).toBeUndefined() // 2..4 still pending
    const after = await repo.readAfter(d.dossierCode, 1)
    expect(after.lastSeq).toBe(4)
    expect(after.events.map((e) => e.seq)).toEqual([2, 3, 4])
    expect(
      await repo.markDelivered({
        code: d.dossierCode,
        token: 'tok-a',
        seqs: [2, 3, 4],
        portalKnown: false,
        leaseMs: LEASE_MS,
        operation: 'CapNhatTienDoHoSoMC',
        latencyMs: 7,
      }),
    ).toBe(true)
    expect(await repo.releaseIfDrained(d.dossierCode, 'tok-a')).toBe(4)
    expect(await repo.holdsLease(d.dossierCode, 'tok-a')).toBe(false)
    expect((await repo.readAfter(d.dossierCode, 4)).events).toEqual([])

    const sync = await repo.syncState(d.dossierCode, [AGENCY])
    expect(sync!.events.map((e) => [e.seq, e.eventId, e.state, e.attempts])).toEqual([
      [1, 'u1', 'delivered', 1],
      [2, 's2', 'delivered', 1],
      [3, 's3', 'delivered', 1],
      [4, 's4', 'delivered', 1],
    ])
    expect(sync!.events[0]!.deliveredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(await repo.syncState(d.dossierCode, OTHER)).toBeUndefined()
    expect(await repo.list('pending', 100, 0)).toEqual([])
    expect((await repo.attempts(d.dossierCode, 10)).map((a) => [a.firstSeq, a.lastSeq, a.operation, a.outcome, a.upstreamStatus])).toEqual([
      [2, 4, 'CapNhatTienDoHoSoMC', 'delivered', 200],
      [1, 1, 'DongBoHoSoMC', 'delivered', 200],
    ])
  })

  it('records a transient failure (the dossier waits for its retry unless the retry itself asks), parks a permanent one, and unparks', async () => {
    const db = await open()
    await migrate(db)
    const repo = new DossierRepository(db)
    const d = dossierOf(103)
    await repo.storeUpsert({ dossier: d, eventId: 'p1', clientId: CLIENT, agencies: [AGENCY], hash: h('a') })
    await repo.storeEvent({
      dossierCode: d.dossierCode,
      event: { eventId: 'p2', occurredAt: '2026-11-21T09:15:00+07:00', step: { actor: 'A', action: 'B' } },
      clientId: CLIENT,
      agencies: [AGENCY],
      hash: h('b'),
    })

    await repo.lease(d.dossierCode, 't1', LEASE_MS, false)
    const failure = { code: d.dossierCode, seqs: [1], operation: 'DongBoHoSoMC', status: 503, kind: 'http', message: 'dvcqg answered HTTP 503', latencyMs: 3 }
    expect(await repo.recordRetry(failure, 't1', 60_000)).toBe(1)
    expect(await repo.release(d.dossierCode, 't1')).toEqual({ pending: true, last_seq: 2 })
    // Held back for a minute: a new job and the reconciler wait; the job's own retry may go.
    expect(await repo.lease(d.dossierCode, 't2', LEASE_MS, false)).toBeUndefined()
    expect(await repo.stalled(0)).toEqual([])
    const failed = await repo.list('failed', 100, 0)
    expect(failed).toEqual([
      { dossierCode: d.dossierCode, state: 'active', pendingEvents: 2, attempts: 1, lastError: 'dvcqg answered HTTP 503', nextAttemptAt: expect.any(String) },
    ])
    const wait = new Date(failed[0]!.nextAttemptAt!).getTime() - Date.now()
    expect(wait).toBeGreaterThan(50_000)
    expect(wait).toBeLessThanOrEqual(61_000)
    expect((await repo.syncState(d.dossierCode, ['*']))!.events.map((e) => [e.state, e.attempts, e.lastError])).toEqual([
      ['failed', 1, 'dvcqg answered HTTP 503'],
      ['pending', 0, undefined],
    ])

    const retry = await repo.lease(d.dossierCode, 't3', LEASE_MS, true)
    expect(retry!.events.map((e) => e.seq)).toEqual([1, 2])
    await repo.park({ ...failure, status: undefined, kind: 'rejected', message: 'Mã thủ tục không tồn tại' })
    await repo.release(d.dossierCode, 't3')
    expect(await repo.list('parked', 100, 0)).toEqual([
      expect.objectContaining({
        dossierCode: d.dossierCode,
        state: 'parked',
        pendingEvents: 2,
        parkedReason: 'Mã thủ tục không tồn tại',
        parkedAt: expect.any(String),
      }),
    ])
    expect(await repo.lease(d.dossierCode, 't4', LEASE_MS, true)).toBeUndefined() // parked: nobody delivers
    expect((await repo.syncState(d.dossierCode, ['*']))!.events.map((e) => e.state)).toEqual(['parked', 'pending'])
    expect((await repo.attempts(d.dossierCode, 10)).map((a) => [a.outcome, a.errorKind, a.upstreamStatus])).toEqual([
      ['parked', 'rejected', undefined],
      ['retry', 'http', 503],
    ])

    expect(await repo.unpark('NO-SUCH')).toEqual([])
    expect(await repo.exists('NO-SUCH')).toBe(false)
    expect(await repo.unpark(d.dossierCode)).toEqual([{ code: d.dossierCode, last_seq: 2 }])
    expect(await repo.list('parked', 100, 0)).toEqual([])
    expect((await repo.syncState(d.dossierCode, ['*']))!.events.map((e) => e.state)).toEqual(['pending', 'pending'])
    // Back in line, untouched for the grace period, no lease: the reconciler's pick.
    expect(await repo.stalled(0)).toEqual([{ code: d.dossierCode, last_seq: 2 }])
    expect(await repo.undelivered()).toEqual({ n: 2, age: expect.any(Number) })
  })

  it('closes a gap of sequence numbers only while last_seq is unchanged', async () => {
    const db = await open()
    await migrate(db)
    const repo = new DossierRepository(db)
    const d = dossierOf(104)
    await repo.storeUpsert({ dossier: d, eventId: 'g1', clientId: CLIENT, agencies: [AGENCY], hash: h('a') })
    await db.query('UPDATE dossiers SET last_seq = 3 WHERE code = $1', [d.dossierCode]) // two numbers consumed without events
    await repo.lease(d.dossierCode, 'tg', LEASE_MS, false)
    await repo.markDelivered({ code: d.dossierCode, token: 'tg', seqs: [1], portalKnown: true, leaseMs: LEASE_MS, operation: 'DongBoHoSoMC', latencyMs: 1 })
    expect(await repo.readAfter(d.dossierCode, 1)).toEqual({ lastSeq: 3, events: [] })
    expect(await repo.closeGap(d.dossierCode, 'tg', 2)).toBe(false)
    expect(await repo.closeGap(d.dossierCode, 'tg', 3)).toBe(true)
    expect(await repo.releaseIfDrained(d.dossierCode, 'tg')).toBe(3)
  })
})
