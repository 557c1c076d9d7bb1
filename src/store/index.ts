import { join } from 'node:path'
import type { HubConfig } from '../config/schema.js'
import type { Db } from './db.js'
import { createPgDb } from './pg.js'
import { createPgliteDb } from './pglite.js'
import { createReadDb } from './read.js'

export type { Db, Queryable, Row } from './db.js'
export { migrate } from './migrate.js'
export { isDatabaseUnavailable } from './errors.js'

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite under DATA_DIR. */
export async function openDb(cfg: Pick<HubConfig, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_SIZE'>, role = 'hub'): Promise<Db> {
  if (cfg.DATABASE_URL) return createPgDb({ url: cfg.DATABASE_URL, poolSize: cfg.DATABASE_POOL_SIZE, applicationName: `lgsp-hub-${role}` })
  return createPgliteDb(join(cfg.DATA_DIR, 'pglite'))
}

/**
 * The handle of read endpoints (catalog, warehouse reuse, indicators): the replica of
 * DATABASE_READ_URL (read-only sessions, falling back to the primary when it cannot be
 * reached), or the primary itself when unset. Writes always use `db`.
 */
export function openReadDb(
  cfg: Pick<HubConfig, 'DATABASE_URL' | 'DATABASE_READ_URL' | 'DATABASE_POOL_SIZE'>,
  db: Db,
  role = 'hub',
  onFallback?: (err: Error) => void,
): Db {
  if (!cfg.DATABASE_READ_URL) return db
  return createReadDb(db, { url: cfg.DATABASE_READ_URL, poolSize: cfg.DATABASE_POOL_SIZE, applicationName: `lgsp-hub-${role}-read`, onFallback })
}
