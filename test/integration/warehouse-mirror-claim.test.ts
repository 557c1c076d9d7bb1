import { afterAll, describe, expect, it } from 'vitest'
import { migrate } from '../../src/store/migrate.js'
import { MirrorRepository } from '../../src/services/warehouse/mirror/repository.js'
import { storageEngines } from '../helpers/pg.js'

const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

const OWNERS = Array.from({ length: 20 }, (_, i) => `05608500${String(i).padStart(4, '0')}`)
const STALE_MS = 60_000

/**
 * Every worker process runs the mirror reconciler. Two passes at the same moment must not
 * both claim a stalled owner: each claimed owner becomes a mirror job, and two jobs of one
 * owner list it and download its missing files twice (issue 13: work runs once across workers).
 */
describe.each(engines)('mirror reconciler claims a stalled owner once across workers (%s)', (_name, open) => {
  it('a pass running while another holds its claim uncommitted claims none of the same owners', async () => {
    const db = await open()
    await migrate(db)
    const repo = new MirrorRepository(db)
    const refs = await repo.enqueueOwners(
      OWNERS,
      OWNERS.map(() => 'cccd'),
      'bfclaim',
    )
    expect(refs).toHaveLength(OWNERS.length)
    // Left pending an hour ago: their jobs were lost.
    await db.query(`UPDATE warehouse_mirror_owners SET updated_at = now() - interval '1 hour' WHERE owner_id = ANY($1::text[])`, [OWNERS])

    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let claimed!: (n: number) => void
    const firstClaimed = new Promise<number>((r) => (claimed = r))
    // Worker A's pass: claims, and has not committed yet when worker B's pass runs.
    const a = db.tx(async (q) => {
      const rows = await new MirrorRepository(q).claimStalledOwners(STALE_MS)
      claimed(rows.length)
      await held
      return rows
    })
    expect(await firstClaimed).toBe(OWNERS.length)
    const b = repo.claimStalledOwners(STALE_MS)
    // B either returns at once (skipping A's rows) or waits for A's commit; either way it sees A's claim.
    await Promise.race([b, new Promise((r) => setTimeout(r, 300))])
    release()
    const [first, second] = await Promise.all([a, b])
    expect(first.map((r) => r.ref).sort()).toEqual([...refs].sort())
    expect(second).toEqual([])
    // Once the claim is committed, a later pass leaves the owners alone until they are stale again.
    expect(await repo.claimStalledOwners(STALE_MS)).toEqual([])
  })
})
