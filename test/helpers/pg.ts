import pg from 'pg'
import { createPgliteDb } from '../../src/store/pglite.js'
import { createPgDb } from '../../src/store/pg.js'
import type { Db } from '../../src/store/db.js'
import { PG_ADMIN_URL, uniqueId } from './config.js'

/** A fresh PostgreSQL database on the local server; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `lgsp_test_${uniqueId()}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

/**
 * Both storage engines, for `describe.each`: embedded PGlite and a private PostgreSQL
 * database. Each opened database (and anything else pushed on `cleanups`) is closed by
 * `closeEngines()` in afterAll.
 */
export function storageEngines(): { engines: [string, () => Promise<Db>][]; cleanups: (() => Promise<void>)[]; closeEngines: () => Promise<void> } {
  const cleanups: (() => Promise<void>)[] = []
  const engines: [string, () => Promise<Db>][] = [
    ['pglite', () => createPgliteDb()],
    [
      'postgres',
      async () => {
        const t = await createTestDatabase()
        const db = createPgDb({ url: t.url })
        cleanups.push(async () => {
          await db.close()
          await t.drop()
        })
        return db
      },
    ],
  ]
  return {
    engines,
    cleanups,
    async closeEngines() {
      for (const c of cleanups.reverse()) await c()
    },
  }
}
