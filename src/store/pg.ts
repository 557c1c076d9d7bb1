import { createHash } from 'node:crypto'
import pg from 'pg'
import { OID, toNumber, type Db, type Queryable, type QueryResult } from './db.js'

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.INT8 || oid === OID.NUMERIC) return toNumber
    return pg.types.getTypeParser(oid, format)
  },
}

/**
 * Parameterised statements run as named prepared statements: each connection parses
 * and plans a statement once, then only binds and executes it.
 */
const names = new Map<string, string>()
function statementName(sql: string): string {
  let n = names.get(sql)
  if (!n) {
    n = `hub_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`
    if (names.size < 5000) names.set(sql, n)
  }
  return n
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = params?.length ? await client.query({ name: statementName(sql), text: sql, values: params as unknown[] }) : await client.query(sql)
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 }
    },
    async exec(sql: string) {
      await client.query(sql)
    },
  }
}

export interface PgOptions {
  url: string
  poolSize?: number
  applicationName?: string
  /** Every session read-only (a replica's pool): a write through it fails instead of landing on the wrong server. */
  readOnly?: boolean
}

/** PostgreSQL through a `pg` pool. */
export function createPgDb(opts: PgOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    application_name: opts.applicationName ?? 'lgsp-hub',
    ...(opts.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    types,
  })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  const q = wrap(pool)
  return {
    engine: 'postgres',
    query: q.query,
    exec: q.exec,
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect()
      // pg-pool listens for errors of idle clients only: a checked-out client whose connection dies (the
      // database stopped mid-transaction) would emit an unhandled 'error' and end the process. The
      // pending query rejects anyway; a client that cannot even roll back is dropped, not reused.
      const onError = () => undefined
      client.on('error', onError)
      let broken: Error | undefined
      try {
        await client.query('BEGIN')
        const out = await fn(wrap(client))
        await client.query('COMMIT')
        return out
      } catch (e) {
        await client.query('ROLLBACK').catch((r: Error) => (broken = r))
        throw e
      } finally {
        // A broken client keeps the listener: the end of its connection may still be reported after this.
        if (!broken) client.removeListener('error', onError)
        client.release(broken)
      }
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    async close() {
      await pool.end()
    },
  }
}
