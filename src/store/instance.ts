import type { Queryable } from './db.js'

/**
 * A short identity of this database (migration 0900_instance.sql: a random uuid made
 * once). Queue job ids built from serial numbers carry it, so a wiped or restored
 * database never meets a job an earlier one left in Redis under the same id.
 */
export async function databaseInstanceTag(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ instance_id: string }>('SELECT instance_id::text AS instance_id FROM hub_instance')
  const id = rows[0]?.instance_id
  if (!id) throw new Error('hub_instance has no row: migrations 0900 not applied')
  return id.replace(/-/g, '').slice(0, 12)
}
