import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { dossierBody } from '../helpers/dossiers.js'

const H = { 'x-api-key': KEYS.province, 'x-purpose': 'TTHC' }
const DEADLINE_MS = 1500
const MAX_AGE_MS = 3_600_000

interface Reply {
  documents: { id: string; documentCode?: string; resultCode?: string; number?: string; source?: string }[]
  freshness: { complete: boolean; fetched: boolean; mirroredAt?: string; reason?: string }
}

const lists = (t: TestHub) => t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'GetKetQuaGiayTo', limit: 1_000_000 }).length

async function query(t: TestHub, ownerId: string): Promise<{ status: number; body: Reply; ms: number }> {
  const started = performance.now()
  const res = await fetch(`${t.url}/v1/warehouse/owners/${ownerId}/documents?limit=500`, { headers: H })
  return { status: res.status, body: (await res.json()) as Reply, ms: performance.now() - started }
}

/** An owner's documents as the sandbox itself lists them (its own seed), as result code + number pairs. */
const seeded = (t: TestHub, ownerId: string) =>
  t.sandbox.sims.warehouse
    .documentsOf(ownerId)
    .map((d) => `${d.resultCode}|${d.number}`)
    .sort()
const answered = (r: Reply) => r.documents.map((d) => `${d.resultCode}|${d.number}`).sort()

describe('reuse query fetches an owner on demand (sandbox over HTTP, PGlite, Redis)', () => {
  let t: TestHub
  beforeAll(async () => {
    const sandbox = await startSandbox(23)
    t = await startTestHub({
      sandbox,
      env: {
        WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox),
        WAREHOUSE_RATE_PER_SEC: 0,
        WAREHOUSE_REUSE_MAX_AGE_MS: MAX_AGE_MS,
        WAREHOUSE_REUSE_DEADLINE_MS: DEADLINE_MS,
        UPSTREAM_TIMEOUT_MS: 5000,
      },
    })
  })
  afterAll(async () => {
    t?.sandbox.kit.faults.clear()
    await t?.close()
    await t?.sandbox.close()
  })

  it("returns a never-mirrored owner's national documents within the deadline; a second query makes no upstream call", async () => {
    const owner = t.sandbox.sims.warehouse.owners().find((o) => t.sandbox.sims.warehouse.documentsOf(o).length >= 2)!
    const expected = seeded(t, owner)
    expect(expected.length).toBeGreaterThanOrEqual(2)
    const before = lists(t)
    const first = await query(t, owner)
    expect(first.status).toBe(200)
    expect(first.ms).toBeLessThan(DEADLINE_MS + 1000)
    expect(first.body.freshness).toMatchObject({ complete: true, fetched: true })
    expect(first.body.freshness.mirroredAt).toBeDefined()
    expect(answered(first.body)).toEqual(expected)
    expect(lists(t)).toBe(before + 1)

    const second = await query(t, owner)
    expect(second.body.freshness).toMatchObject({ complete: true, fetched: false })
    expect(answered(second.body)).toEqual(expected)
    expect(lists(t)).toBe(before + 1)
  })

  it('concurrent queries for the same owner share one fetch', async () => {
    const owner = t.sandbox.sims.warehouse.owners()[5]!
    const before = lists(t)
    const replies = await Promise.all([1, 2, 3, 4].map(() => query(t, owner)))
    for (const r of replies) expect(answered(r.body)).toEqual(seeded(t, owner))
    expect(lists(t)).toBe(before + 1)
  })

  it('answers within the deadline with what it holds, saying it is incomplete, when the national warehouse hangs', async () => {
    const owner = t.sandbox.sims.warehouse.owners()[7]!
    const expected = seeded(t, owner)
    // Mirrored once, then made older than the configured age: the hub holds its documents but must ask again.
    expect((await query(t, owner)).body.freshness.complete).toBe(true)
    await t.hub.db.query(`UPDATE warehouse_mirror_owners SET last_synced_at = now() - interval '2 hours' WHERE owner_id = $1`, [owner])
    t.sandbox.kit.faults.set('dvcqg', 'GetKetQuaGiayTo', { hangRate: 1 })
    try {
      const stale = await query(t, owner)
      expect(stale.status).toBe(200)
      expect(stale.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50)
      expect(stale.ms).toBeLessThan(DEADLINE_MS + 1000)
      expect(stale.body.freshness).toMatchObject({ complete: false, fetched: true, reason: 'deadline' })
      expect(answered(stale.body)).toEqual(expected)

      // A never-mirrored owner while the warehouse hangs: nothing held, said so, within the deadline.
      const fresh = t.sandbox.sims.warehouse.owners()[9]!
      const none = await query(t, fresh)
      expect(none.ms).toBeLessThan(DEADLINE_MS + 1000)
      expect(none.body.freshness).toMatchObject({ complete: false, reason: 'deadline' })
      expect(none.body.documents).toEqual([])
    } finally {
      t.sandbox.kit.faults.clear()
    }
  })

  it('a usage links the fetched document to the dossier component it replaced', async () => {
    const owner = t.sandbox.sims.warehouse.owners()[11]!
    const doc = (await query(t, owner)).body.documents.find((d) => d.documentCode)!
    const d = { ...dossierBody(2311, 'reuse-2311-0'), documents: [{ id: 'tp-1', name: 'Bản sao.pdf', componentCode: doc.documentCode! }] }
    const posted = await fetch(`${t.url}/v1/dossiers`, { method: 'POST', headers: { ...H, 'content-type': 'application/json' }, body: JSON.stringify(d) })
    expect(posted.status).toBe(202)
    const usage = await fetch(`${t.url}/v1/warehouse/documents/${doc.id}/usages`, {
      method: 'POST',
      headers: { ...H, 'content-type': 'application/json' },
      body: JSON.stringify({ dossierCode: d.dossierCode, componentCode: doc.documentCode }),
    })
    expect(usage.status).toBe(200)
    const links = await waitFor(
      async () => {
        const { rows } = await t.hub.db.query<{ item_id: string; matched_by: string }>(
          `SELECT item_id, matched_by FROM dossier_document_links WHERE dossier_code = $1 AND item_kind = 'component' AND document_id = $2`,
          [d.dossierCode, doc.id],
        )
        return rows.length ? rows : undefined
      },
      10_000,
      100,
    )
    expect(links).toEqual([{ item_id: 'tp-1', matched_by: 'usage' }])
  })
})
