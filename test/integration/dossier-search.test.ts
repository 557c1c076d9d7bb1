import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'

type Json = Record<string, unknown>
interface Item {
  dossierCode: string
  agencyCode: string
  state: string
  pendingEvents: number
  parkedReason?: string
}

const A = '000.00.06.H56'
const A_UNIT = '000.01.06.H56' // a unit under A
const B = '000.00.07.H56'
/** What the test creates: index → agency, and whether DVCQG rejects it (parks it). */
const PLAN: { i: number; agency: string; rejected: boolean }[] = [
  { i: 1, agency: A, rejected: false },
  { i: 2, agency: A, rejected: false },
  { i: 3, agency: A, rejected: true },
  { i: 4, agency: A, rejected: true },
  { i: 5, agency: A_UNIT, rejected: false },
  { i: 6, agency: A_UNIT, rejected: true },
  { i: 7, agency: B, rejected: false },
  { i: 8, agency: B, rejected: false },
  { i: 9, agency: B, rejected: true },
]
const codeOf = (p: { i: number; agency: string }) => dossierCode(p.i, p.agency)
const REJECTION = 'Mã thủ tục 1.001234 không tồn tại trong CSDL TTHC quốc gia'
const OP = { 'x-api-key': KEYS.operator }
const VIEW = { 'x-api-key': KEYS.viewer }
const sorted = (xs: string[]) => [...xs].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) as number)

describe('operator console: dossier search, timeline, filtered replay (issue 15)', () => {
  let t: TestHub
  const get = async (path: string, headers: Record<string, string> = VIEW) => {
    const res = await fetch(t.url + path, { headers })
    return { status: res.status, body: (await res.json()) as Json }
  }
  const search = async (q: string) => {
    const r = await get(`/admin/dossiers/search?${q}`)
    expect(r.status, q).toBe(200)
    return r.body as { items: Item[]; next?: string }
  }
  const codes = async (q: string) => (await search(q)).items.map((x) => x.dossierCode)
  const expected = (f: (p: (typeof PLAN)[number]) => boolean) => sorted(PLAN.filter(f).map(codeOf))
  const underA = (p: { agency: string }) => p.agency === A || p.agency === A_UNIT

  beforeAll(async () => {
    t = await startTestHub()
    for (const p of PLAN) {
      if (p.rejected)
        await fetch(`${t.sandbox.url}/dvcqg/_sandbox/rejections/${codeOf(p)}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: REJECTION }),
        })
      const res = await fetch(`${t.url}/v1/dossiers`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
        body: JSON.stringify(dossierBody(p.i, `search-${p.i}`, { agencyCode: p.agency, dossierCode: codeOf(p) })),
      })
      expect(res.status, codeOf(p)).toBe(202)
    }
    // A second event on dossier 1: its timeline has two events.
    const ev = await fetch(`${t.url}/v1/dossiers/${codeOf(PLAN[0]!)}/events`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: 'search-1-step', occurredAt: '2026-11-21T09:15:00+07:00', status: 'DANG_XU_LY' }),
    })
    expect(ev.status).toBe(202)
    await waitFor(async () => {
      const { rows } = await t.hub.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM dossiers WHERE code = ANY($1::text[]) AND (state = 'parked' OR delivered_seq = last_seq)`,
        [PLAN.map(codeOf)],
      )
      return Number(rows[0]?.n) === PLAN.length
    }, 30_000)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('filters by sync state and by agency with its units', async () => {
    expect(await codes('state=parked')).toEqual(expected((p) => p.rejected))
    expect(await codes('state=delivered')).toEqual(expected((p) => !p.rejected))
    expect(await codes(`state=parked&agency=${A}`)).toEqual(expected((p) => p.rejected && underA(p)))
    expect(await codes(`agency=${A_UNIT}`)).toEqual(expected((p) => p.agency === A_UNIT))
    expect(await codes(`agency=${B}&state=delivered`)).toEqual(expected((p) => p.agency === B && !p.rejected))
    expect(await codes(`agency=000.00.00.H56`)).toEqual(expected(() => true))
    expect(await codes('state=pending')).toEqual([])
    const parked = (await search(`state=parked&agency=${B}`)).items
    expect(parked).toHaveLength(1)
    expect(parked[0]).toMatchObject({ agencyCode: B, state: 'parked', pendingEvents: 1, parkedReason: expect.stringContaining('không tồn tại') })
  })

  it('searches by code prefix (a range, not a pattern) and procedure', async () => {
    expect(await codes(`code=${encodeURIComponent('000.00.07')}`)).toEqual(expected((p) => p.agency === B))
    const one = codeOf(PLAN[4]!)
    expect(await codes(`code=${encodeURIComponent(one)}`)).toEqual([one])
    expect(await codes('code=000.00.99')).toEqual([])
    expect(await codes('procedure=1.001234')).toEqual(expected(() => true))
    expect(await codes('procedure=1.009999')).toEqual([])
  })

  it('pages with a cursor: every dossier once, in code order', async () => {
    const seen: string[] = []
    let after: string | undefined
    let pages = 0
    do {
      const page = await search(`limit=2${after ? `&after=${after}` : ''}`)
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((x) => x.dossierCode))
      after = page.next
      pages++
    } while (after && pages < 20)
    expect(seen).toEqual(expected(() => true))
    expect(pages).toBe(Math.ceil(PLAN.length / 2))
  })

  it('refuses bad input with a problem naming the field', async () => {
    const bad: [string, string][] = [
      ['state=bogus', '/querystring/state'],
      ['limit=0', '/querystring/limit'],
      ['limit=201', '/querystring/limit'],
      ['limit=1e999', '/querystring/limit'],
      ['agency=06.H56', '/querystring/agency'],
      ['code=%25', '/querystring/code'],
      [`code=${'1'.repeat(41)}`, '/querystring/code'],
      ['procedure=x', '/querystring/procedure'],
      ['after=!!', '/querystring/after'],
      [`after=${Buffer.from('a%b').toString('base64url')}`, '/querystring/after'],
      ['other=1', '/querystring'],
    ]
    for (const [q, field] of bad) {
      const r = await get(`/admin/dossiers/search?${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body['code'], q).toBe('HUB_ERR_VALIDATION')
      expect(JSON.stringify(r.body['errors']), q).toContain(field)
    }
  })

  it("the timeline holds every event, oldest first, each with its attempts and the portal's answer", async () => {
    const rejected = codeOf(PLAN[2]!)
    const tl = await get(`/admin/dossiers/${rejected}/timeline`)
    expect(tl.status).toBe(200)
    const events = tl.body['events'] as { eventId: string; state: string; attempts: Json[] }[]
    expect(tl.body['dossier']).toMatchObject({ dossierCode: rejected, state: 'parked', agencyCode: A })
    expect(events.map((e) => [e.eventId, e.state])).toEqual([['search-3', 'parked']])
    // Every attempt stored for the dossier is on the timeline (computed from the table, not the code under test).
    const { rows } = await t.hub.db.query<{ outcome: string; upstream_status: number | null }>(
      'SELECT outcome, upstream_status FROM delivery_attempts WHERE dossier_code = $1 ORDER BY id',
      [rejected],
    )
    expect(rows.length).toBeGreaterThan(0)
    expect(events[0]!.attempts.map((a) => a['outcome'])).toEqual(rows.map((r) => r.outcome))
    expect(events[0]!.attempts.at(-1)).toMatchObject({ outcome: 'parked', portalMessage: expect.stringContaining('không tồn tại trong CSDL TTHC') })
    expect(typeof events[0]!.attempts.at(-1)!['durationMs']).toBe('number')

    const delivered = codeOf(PLAN[0]!)
    const tl2 = await get(`/admin/dossiers/${delivered}/timeline`)
    const ev2 = tl2.body['events'] as { eventId: string; kind: string; status?: string; state: string; deliveredAt?: string; attempts: Json[] }[]
    expect(ev2.map((e) => [e.eventId, e.kind, e.state])).toEqual([
      ['search-1', 'upsert', 'delivered'],
      ['search-1-step', 'event', 'delivered'],
    ])
    expect(ev2[1]!.status).toBe('DANG_XU_LY')
    for (const e of ev2) {
      expect(e.deliveredAt).toBeDefined()
      expect(e.attempts.some((a) => a['outcome'] === 'delivered' && a['httpStatus'] === 200)).toBe(true)
    }
    expect((await get(`/admin/dossiers/${dossierCode(99, B)}/timeline`)).status).toBe(404)
  })

  it("bulk replay by agency: dryRun counts and changes nothing; then exactly that agency's parked dossiers are replayed", async () => {
    const post = async (body: unknown, headers: Record<string, string> = OP) => {
      const res = await fetch(`${t.url}/admin/dossiers/replay`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as Json }
    }
    const parkedNow = async () =>
      (await t.hub.db.query<{ code: string }>(`SELECT code FROM dossiers WHERE state = 'parked' ORDER BY code COLLATE "C"`)).rows.map((r) => r.code)
    const before = await parkedNow()
    expect(before).toEqual(expected((p) => p.rejected))

    const dry = await post({ agency: A, dryRun: true })
    expect(dry.status).toBe(200)
    expect(dry.body).toEqual({ count: 3, sample: expected((p) => p.rejected && underA(p)) })
    expect(await parkedNow()).toEqual(before)

    expect((await post({ agency: 'nope' })).status).toBe(400)
    expect((await post({ agency: A, extra: true })).status).toBe(400)
    expect(await parkedNow()).toEqual(before)

    // The portal now takes them: the replayed ones are delivered, B's stays parked.
    for (const p of PLAN.filter((x) => x.rejected && underA(x))) await fetch(`${t.sandbox.url}/dvcqg/_sandbox/rejections/${codeOf(p)}`, { method: 'DELETE' })
    const done = await post({ agency: A })
    expect(done.status).toBe(200)
    expect(sorted(done.body['replayed'] as string[])).toEqual(expected((p) => p.rejected && underA(p)))
    expect(await parkedNow()).toEqual(expected((p) => p.rejected && p.agency === B))
    await waitFor(async () => (await codes(`agency=${A}&state=delivered`)).length === PLAN.filter(underA).length)
    expect(await parkedNow()).toEqual(expected((p) => p.rejected && p.agency === B))
  })
})
