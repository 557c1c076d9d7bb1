import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS, REDIS_URL, uniqueId } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'

/**
 * Redis Cluster needs every key one Lua script touches in one hash slot; BullMQ gets that
 * from a `{…}`-tagged prefix. This runs the hub with such a prefix on the real Redis: a
 * dossier and its events travel to the portal, and every key the hub wrote (queues, jobs,
 * rate-limit counters) starts with the tag, so all of them hash to the tag's slot.
 */

/** CRC16-CCITT (XModem), as in the Redis Cluster specification, written here from it. */
function crc16(buf: Buffer): number {
  let crc = 0
  for (const byte of buf) {
    crc ^= byte << 8
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}
/** The cluster slot of a key: only the first non-empty {…} counts when there is one. */
function slot(key: string): number {
  const open = key.indexOf('{')
  if (open >= 0) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) key = key.slice(open + 1, close)
  }
  return crc16(Buffer.from(key)) % 16384
}

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

describe('a {hash-tagged} QUEUE_PREFIX', () => {
  it('the CRC16 reference gives the slots of the Redis Cluster specification', () => {
    // Values from the specification's example (crc16("123456789") = 0x31C3) and from CLUSTER KEYSLOT.
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3)
    expect(slot('foo')).toBe(12182)
    expect(slot('{user1000}.following')).toBe(slot('{user1000}.followers'))
  })

  it('carries a dossier round trip, and every key the hub writes hashes to the one slot of the tag', async () => {
    const tag = `hub${uniqueId()}`
    const prefix = `{${tag}}`
    const t: TestHub = await startTestHub({ env: { QUEUE_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '1000' } })
    cleanups.push(t.close)
    const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
    const code = dossierCode(7)
    const res = await fetch(`${t.url}/v1/dossiers`, { method: 'POST', headers: H, body: JSON.stringify(dossierBody(7, 'tag-create-7')) })
    expect(res.status).toBe(202)
    const ev = await fetch(`${t.url}/v1/dossiers/${code}/events`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({
        eventId: 'tag-step-7',
        occurredAt: '2026-11-21T09:15:00+07:00',
        status: 'DANG_XU_LY',
        step: { actor: 'Lê Văn Cường', department: 'Phòng Quản lý đô thị', action: 'Thẩm định' },
      }),
    })
    expect(ev.status).toBe(202)
    await waitFor(async () => {
      const s = (await (await fetch(`${t.url}/v1/dossiers/${code}/sync`, { headers: H })).json()) as { events: { state: string }[] }
      return s.events.length === 2 && s.events.every((e) => e.state === 'delivered')
    })
    expect(t.sandbox.sims.dvcqg.dossier(code)?.history.map((h) => h.op)).toEqual(['create', 'update', 'progress'])

    const redis = new Redis(REDIS_URL)
    cleanups.push(async () => redis.quit())
    const keys = await redis.keys(`*${tag}*`)
    // The dossier-sync queue's own keys and the rate-limit counters are among them.
    expect(keys.some((k) => k.startsWith(`${prefix}:dossier-sync:`))).toBe(true)
    expect(keys.some((k) => k.startsWith(`${prefix}:rate-limit:`))).toBe(true)
    expect(keys.filter((k) => !k.startsWith(`${prefix}:`))).toEqual([])
    expect(new Set(keys.map(slot))).toEqual(new Set([slot(tag)]))
  }, 60_000)
})
