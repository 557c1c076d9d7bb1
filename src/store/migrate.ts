import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Db } from './db.js'

/** Default folder of plain SQL migrations, `NNNN_name.sql`, applied in name order. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))

/** Any stable 64-bit number: the advisory lock every migrating process queues on. */
const LOCK_KEY = 7_261_202_611

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = readFileSync(dir + name, 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory
 * lock, so several processes starting together apply each migration exactly once
 * (the others wait, then find nothing to do). An applied migration whose file has
 * changed is an error: migrations are append-only.
 */
export async function migrate(db: Db, migrations = readMigrations()): Promise<string[]> {
  return db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
    await q.exec(`CREATE TABLE IF NOT EXISTS hub_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await q.query<{ name: string; checksum: string }>('SELECT name, checksum FROM hub_migrations')
    const applied = new Map(rows.map((r) => [r.name, r.checksum]))
    const done: string[] = []
    for (const m of migrations) {
      const known = applied.get(m.name)
      if (known !== undefined) {
        if (known !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`)
        continue
      }
      await q.exec(m.sql)
      await q.query('INSERT INTO hub_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum])
      done.push(m.name)
    }
    return done
  })
}
