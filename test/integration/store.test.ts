import { afterAll, describe, expect, it } from 'vitest'
import { createPgliteDb } from '../../src/store/pglite.js'
import { createPgDb } from '../../src/store/pg.js'
import { migrate, readMigrations } from '../../src/store/migrate.js'
import { createTestDatabase, storageEngines } from '../helpers/pg.js'
import { spawnHub } from '../helpers/proc.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { engines, cleanups, closeEngines } = storageEngines()
afterAll(closeEngines)

describe.each(engines)('storage on %s', (_name, open) => {
  it('applies every migration once; a second run applies nothing', async () => {
    const db = await open()
    const all = readMigrations().map((m) => m.name)
    expect(await migrate(db)).toEqual(all)
    expect(await migrate(db)).toEqual([])
    const { rows } = await db.query<{ n: number }>('SELECT count(*) AS n FROM hub_migrations')
    expect(rows[0]!.n).toBe(all.length)
  })

  it('returns int8 and numeric as numbers, jsonb parsed, timestamptz as Date', async () => {
    const db = await open()
    const { rows } = await db.query<{ a: number; b: number; j: { x: number[] }; t: Date }>(
      `SELECT 9007199254740::int8 AS a, 12.5::numeric AS b, '{"x":[1,2]}'::jsonb AS j, now() AS t`,
    )
    expect(rows[0]).toEqual({ a: 9007199254740, b: 12.5, j: { x: [1, 2] }, t: expect.any(Date) })
  })

  it('rolls a transaction back when its body throws', async () => {
    const db = await open()
    await db.exec('CREATE TABLE IF NOT EXISTS t_tx (v int)')
    await expect(
      db.tx(async (q) => {
        await q.query('INSERT INTO t_tx (v) VALUES ($1)', [1])
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const { rows } = await db.query('SELECT * FROM t_tx')
    expect(rows).toHaveLength(0)
  })

  it('refuses a migration whose file changed after it was applied', async () => {
    const db = await open()
    const ms = readMigrations()
    await migrate(db, ms)
    const changed = ms.map((m, i) => (i === 0 ? { ...m, checksum: 'different' } : m))
    await expect(migrate(db, changed)).rejects.toThrow(/was changed after it was applied/)
  })
})

describe('migrations from several processes at once', () => {
  it('two `lgsp-hub migrate` processes started together leave one correct schema (PostgreSQL)', async () => {
    const t = await createTestDatabase()
    cleanups.push(t.drop)
    const env = { DATABASE_URL: t.url, LOG_LEVEL: 'info' }
    const procs = [spawnHub('migrate', env), spawnHub('migrate', env), spawnHub('migrate', env)]
    const codes = await Promise.all(procs.map((p) => p.exited))
    expect(codes.map((c) => c.code)).toEqual([0, 0, 0])
    const db = createPgDb({ url: t.url })
    try {
      const { rows } = await db.query<{ name: string }>('SELECT name FROM hub_migrations ORDER BY name')
      expect(rows.map((r) => r.name)).toEqual(readMigrations().map((m) => m.name))
      const tables = await db.query<{ n: number }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'dossier_events'`)
      expect(tables.rows[0]!.n).toBe(1)
      // Exactly one process applied the migrations; the others found nothing to do.
      const applied = procs.filter((p) => p.output().includes('migrations applied')).length
      expect(applied).toBe(1)
    } finally {
      await db.close()
    }
  }, 120_000)

  it('a second process cannot open the same embedded (PGlite) database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-lock-'))
    const first = await createPgliteDb(join(dir, 'pglite'))
    cleanups.push(() => first.close())
    await expect(createPgliteDb(join(dir, 'pglite'))).rejects.toThrow()
    const second = spawnHub('migrate', { DATA_DIR: dir, LOG_LEVEL: 'info' })
    const r = await second.exited
    expect(r.code).not.toBe(0)
    expect(second.output()).toMatch(/in use by process \d+.*DATABASE_URL/)
  }, 120_000)
})
