import type { Db, Queryable } from './db.js'
import { isDatabaseUnavailable } from './errors.js'
import { createPgDb } from './pg.js'

export interface ReadDbOptions {
  /** DATABASE_READ_URL. */
  url: string
  poolSize: number
  applicationName: string
  /** Told once per outage when the replica cannot be reached and reads fall back to the primary. */
  onFallback?: (err: Error) => void
}

/**
 * The handle of read endpoints on a read-only replica. Its sessions are read-only
 * (`default_transaction_read_only`), so a write sent through it fails rather than
 * landing on the wrong server. A replica that cannot be reached (down, restarting,
 * out of connections) is not an outage of the hub: the read runs on the primary.
 * Replication lag is the price: a caller that must see its own write reads `db`.
 */
export function createReadDb(primary: Db, opts: ReadDbOptions): Db {
  const replica = createPgDb({ url: opts.url, poolSize: opts.poolSize, applicationName: opts.applicationName, readOnly: true })
  let falling = false
  const onReplica = async <T>(run: (q: Db) => Promise<T>): Promise<T> => {
    try {
      const out = await run(replica)
      falling = false
      return out
    } catch (e) {
      // A write sent here (read-only session: 25006) is a bug to surface, never to retry on the primary.
      if (!isDatabaseUnavailable(e) || (e as { code?: unknown }).code === '25006') throw e
      if (!falling) opts.onFallback?.(e as Error)
      falling = true
      return run(primary)
    }
  }
  return {
    engine: 'postgres',
    query: (sql, params) => onReplica((q) => q.query(sql, params)),
    exec: (sql) => onReplica((q) => q.exec(sql)),
    tx: <T>(fn: (q: Queryable) => Promise<T>) => onReplica((q) => q.tx(fn)),
    ping: () => replica.ping(),
    close: () => replica.close(),
  }
}
