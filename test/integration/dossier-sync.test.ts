import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { QUEUES } from '../../src/queue/names.js'

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const ADMIN = { 'x-api-key': KEYS.operator }

async function post(t: TestHub, path: string, body: unknown) {
  const res = await fetch(t.url + path, { method: 'POST', headers: H, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('dossier status sync (real Redis, PGlite, sandbox over HTTP)', () => {
  let t: TestHub
  beforeAll(async () => {
    t = await startTestHub()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('stores an event before answering 202 and delivers create, status and step in order', async () => {
    const code = dossierCode(1)
    const created = await post(t, '/v1/dossiers', dossierBody(1, 'it-create-1'))
    expect(created).toEqual({ status: 202, body: { dossierCode: code, eventId: 'it-create-1', seq: 1 } })
    const ev = await post(t, `/v1/dossiers/${code}/events`, {
      eventId: 'it-step-1',
      occurredAt: '2026-11-21T09:15:00+07:00',
      status: 'DANG_XU_LY',
      step: { actor: 'Lê Văn Cường', actorTitle: 'Chuyên viên', department: 'Phòng Quản lý đô thị', action: 'Thẩm định hồ sơ' },
    })
    expect(ev.body['seq']).toBe(2)
    await waitFor(async () => {
      const s = (await (await fetch(`${t.url}/v1/dossiers/${code}/sync`, { headers: H })).json()) as { events: { state: string }[] }
      return s.events.every((e) => e.state === 'delivered')
    })
    const portal = t.sandbox.sims.dvcqg.dossier(code)
    expect(portal?.history.map((h) => [h.op, h.status ?? h.content])).toEqual([
      ['create', '2'],
      ['update', '4'],
      ['progress', 'Thẩm định hồ sơ'],
    ])
    expect(portal?.hoso['NgayTiepNhan']).toBe('20261120083000')
  })

  it('the same eventId sent 5 times concurrently stores and delivers one event', async () => {
    const code = dossierCode(2)
    const body = dossierBody(2, 'it-idem-2')
    const replies = await Promise.all(Array.from({ length: 5 }, () => post(t, '/v1/dossiers', body)))
    for (const r of replies) expect(r).toEqual({ status: 202, body: { dossierCode: code, eventId: 'it-idem-2', seq: 1 } })
    const { rows } = await t.hub.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM dossier_events WHERE dossier_code = $1', [code])
    expect(rows[0]!.n).toBe(1)
    await waitFor(() => t.sandbox.sims.dvcqg.dossier(code))
    // Give any stray duplicate time to arrive, then count what the portal received.
    await new Promise((r) => setTimeout(r, 500))
    const received = t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'DongBoHoSoMC' }).filter((r) => JSON.stringify(r.body).includes(code))
    expect(received).toHaveLength(1)
  })

  it('the same event sent 5 times concurrently to an existing dossier is stored once, and the dossier still drains fully', async () => {
    const code = dossierCode(6)
    await post(t, '/v1/dossiers', dossierBody(6, 'it-gap-create'))
    const ev = { eventId: 'it-gap-step', occurredAt: '2026-11-21T09:15:00+07:00', step: { actor: 'Cán bộ', action: 'Bước duy nhất' } }
    const replies = await Promise.all(Array.from({ length: 5 }, () => post(t, `/v1/dossiers/${code}/events`, ev)))
    const seqs = new Set(replies.map((r) => r.body['seq']))
    expect(replies.every((r) => r.status === 202)).toBe(true)
    expect(seqs.size).toBe(1)
    const { rows } = await t.hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM dossier_events WHERE event_id = 'it-gap-step'`)
    expect(rows[0]!.n).toBe(1)
    // Whatever sequence numbers the race consumed, the dossier ends fully delivered, the step once.
    await waitFor(async () => {
      const r = await t.hub.db.query<{ done: boolean }>('SELECT delivered_seq = last_seq AS done FROM dossiers WHERE code = $1', [code])
      return r.rows[0]?.done
    })
    expect(t.sandbox.sims.dvcqg.dossier(code)!.history.filter((h) => h.content === 'Bước duy nhất')).toHaveLength(1)
  })

  it('rejects an unmapped status with 400 naming the field, and stores nothing', async () => {
    const res = await post(t, '/v1/dossiers', dossierBody(3, 'it-bad-3', { status: 'TRANG_THAI_LA' }))
    expect(res.status).toBe(400)
    expect(res.body['code']).toBe('HUB_ERR_UNKNOWN_CODE')
    expect(res.body['errors']).toEqual([expect.objectContaining({ field: '/body/status' })])
    const { rows } = await t.hub.db.query('SELECT 1 FROM dossiers WHERE code = $1', [dossierCode(3)])
    expect(rows).toHaveLength(0)
  })

  it('an event for an unknown dossier is a 404', async () => {
    const res = await post(t, `/v1/dossiers/${dossierCode(9999)}/events`, {
      eventId: 'it-unknown',
      occurredAt: '2026-11-21T09:15:00+07:00',
      status: 'DANG_XU_LY',
    })
    expect(res.status).toBe(404)
    expect(res.body['code']).toBe('HUB_ERR_NOT_FOUND')
  })

  it('parks a permanently rejected dossier, blocks only its own later events, and delivers after replay', async () => {
    const bad = dossierCode(4)
    const good = dossierCode(5)
    await fetch(`${t.sandbox.url}/dvcqg/_sandbox/rejections/${bad}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Mã thủ tục 1.001234 không tồn tại trong CSDL TTHC quốc gia' }),
    })
    await post(t, '/v1/dossiers', dossierBody(4, 'it-park-create'))
    await post(t, `/v1/dossiers/${bad}/events`, {
      eventId: 'it-park-step',
      occurredAt: '2026-11-21T10:00:00+07:00',
      step: { actor: 'Cán bộ một cửa', action: 'Chuyển xử lý' },
    })
    await post(t, '/v1/dossiers', dossierBody(5, 'it-good-create'))

    const parked = await waitFor(async () => {
      const r = (await (await fetch(`${t.url}/admin/dossiers?state=parked`, { headers: ADMIN })).json()) as {
        items: { dossierCode: string; parkedReason?: string; pendingEvents: number }[]
      }
      return r.items.find((i) => i.dossierCode === bad)
    })
    expect(parked.parkedReason).toContain('không tồn tại trong CSDL TTHC')
    expect(parked.pendingEvents).toBe(2)
    await waitFor(() => t.sandbox.sims.dvcqg.dossier(good))
    expect(t.sandbox.sims.dvcqg.dossier(bad)).toBeUndefined()

    const sync = (await (await fetch(`${t.url}/v1/dossiers/${bad}/sync`, { headers: H })).json()) as { events: { state: string; lastError?: string }[] }
    expect(sync.events.map((e) => e.state)).toEqual(['parked', 'pending'])

    const attempts = (await (await fetch(`${t.url}/admin/dossiers/${bad}/attempts`, { headers: ADMIN })).json()) as {
      items: { outcome: string; message?: string }[]
    }
    expect(attempts.items[0]).toEqual(expect.objectContaining({ outcome: 'parked', message: expect.stringContaining('không tồn tại') }))

    // The cause is fixed at the portal; an operator replays the dossier.
    await fetch(`${t.sandbox.url}/dvcqg/_sandbox/rejections/${bad}`, { method: 'DELETE' })
    const replay = await fetch(`${t.url}/admin/dossiers/${bad}/replay`, { method: 'POST', headers: ADMIN })
    expect(((await replay.json()) as { replayed: string[] }).replayed).toEqual([bad])
    await waitFor(() => (t.sandbox.sims.dvcqg.dossier(bad)?.history.length ?? 0) >= 2)
    expect(t.sandbox.sims.dvcqg.dossier(bad)!.history.map((h) => h.op)).toEqual(['create', 'progress'])
    const after = (await (await fetch(`${t.url}/admin/dossiers?state=parked`, { headers: ADMIN })).json()) as { items: unknown[] }
    expect(after.items).toHaveLength(0)
  })

  it('a transient outage: the drain job retries with the hub backoff, events sent meanwhile follow in order', async () => {
    const code = dossierCode(7)
    const faults = `${t.sandbox.url}/_sandbox/faults/dvcqg/*`
    await fetch(faults, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1, errorStatus: 503 }) })
    try {
      await post(t, '/v1/dossiers', dossierBody(7, 'it-outage-create'))
      // The same BullMQ job is retried (attempts + backoff), not re-enqueued under a new id.
      const queue = t.hub.queues.queue(QUEUES.dossierSync)
      await waitFor(async () => (await queue.getJobs(['delayed', 'wait', 'active'])).some((j) => j.data.dossierCode === code && j.attemptsMade >= 1))
      await post(t, `/v1/dossiers/${code}/events`, { eventId: 'it-outage-status', occurredAt: '2026-11-21T09:00:00+07:00', status: 'DANG_XU_LY' })
      await post(t, `/v1/dossiers/${code}/events`, {
        eventId: 'it-outage-step',
        occurredAt: '2026-11-21T09:15:00+07:00',
        step: { actor: 'Cán bộ', action: 'Sau sự cố' },
      })
      await waitFor(async () => {
        const r = await t.hub.db.query<{ attempts: number }>('SELECT attempts FROM dossiers WHERE code = $1', [code])
        return (r.rows[0]?.attempts ?? 0) >= 2
      })
      expect(t.sandbox.sims.dvcqg.dossier(code)).toBeUndefined()
      const failing = (await (await fetch(`${t.url}/admin/dossiers?state=failed`, { headers: ADMIN })).json()) as {
        items: { dossierCode: string; state: string; lastError?: string }[]
      }
      expect(failing.items.find((i) => i.dossierCode === code)).toEqual(expect.objectContaining({ state: 'active', lastError: expect.stringContaining('503') }))
    } finally {
      await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' })
    }
    await waitFor(async () => {
      const r = await t.hub.db.query<{ done: boolean }>('SELECT delivered_seq = last_seq AS done FROM dossiers WHERE code = $1', [code])
      return r.rows[0]?.done
    })
    expect(t.sandbox.sims.dvcqg.dossier(code)!.history.map((h) => [h.op, h.status ?? h.content])).toEqual([
      ['create', '2'],
      ['update', '4'],
      ['progress', 'Sau sự cố'],
    ])
    const sync = (await (await fetch(`${t.url}/v1/dossiers/${code}/sync`, { headers: H })).json()) as { events: { state: string }[] }
    expect(sync.events.map((e) => e.state)).toEqual(['delivered', 'delivered', 'delivered'])
  })

  it('exposes the sync metrics operators watch', async () => {
    const text = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
    for (const m of [
      'lgsp_hub_dossier_events_accepted_total{kind="upsert"}',
      'lgsp_hub_dossier_events_delivered_total',
      'lgsp_hub_dossier_delivery_failures_total',
      'lgsp_hub_dossier_undelivered_events{measure="oldest_age_seconds"}',
      'lgsp_hub_dossier_delivery_latency_seconds_bucket',
      'lgsp_hub_queue_jobs{queue="dossier-sync",state="waiting"}',
      'lgsp_hub_upstream_request_duration_seconds_bucket{le="0.005",upstream="dvcqg",operation="DongBoHoSoMC",outcome="ok"}',
    ])
      expect(text).toContain(m)
    expect(text).toMatch(/lgsp_hub_dossiers_parked_total [1-9]/)
  })
})
