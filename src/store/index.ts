import { join } from 'node:path'
import type { HubConfig } from '../config/schema.js'
import type { Db } from './db.js'
import { createPgDb } from './pg.js'
import { createPgliteDb } from './pglite.js'

export type { Db, Queryable, Row } from './db.js'
export { migrate } from './migrate.js'

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite under DATA_DIR. */
export async function openDb(cfg: Pick<HubConfig, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_SIZE'>, role = 'hub'): Promise<Db> {
  if (cfg.DATABASE_URL) return createPgDb({ url: cfg.DATABASE_URL, poolSize: cfg.DATABASE_POOL_SIZE, applicationName: `lgsp-hub-${role}` })
  return createPgliteDb(join(cfg.DATA_DIR, 'pglite'))
}
