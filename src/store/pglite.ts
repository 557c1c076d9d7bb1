import { mkdirSync } from 'node:fs'
import { PGlite, types as pgliteTypes, type Transaction } from '@electric-sql/pglite'
import { OID, toNumber, type Db, type Queryable, type QueryResult } from './db.js'
import { acquireDirLock } from './dir-lock.js'

const parsers = { [pgliteTypes.INT8]: toNumber, [OID.NUMERIC]: toNumber }

function wrap(db: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await db.query<T>(sql, params, { parsers })
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length }
    },
    async exec(sql: string) {
      await db.exec(sql)
    },
  }
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly). `dataDir` undefined = in memory.
 * A PGlite folder serves one process: a lock file stops a second one from opening it.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  let release = () => undefined as void
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true })
    release = acquireDirLock(dataDir)
  }
  let db: PGlite
  try {
    db = await PGlite.create(dataDir ? { dataDir } : {})
  } catch (e) {
    release()
    throw e
  }
  const q = wrap(db)
  return {
    engine: 'pglite',
    query: q.query,
    exec: q.exec,
    tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      return db.transaction((t) => fn(wrap(t)))
    },
    async ping() {
      await db.query('SELECT 1')
    },
    async close() {
      await db.close()
      release()
    },
  }
}
