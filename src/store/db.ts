/** A row as returned by the database. */
export type Row = Record<string, unknown>

export interface QueryResult<T> {
  rows: T[]
  rowCount: number
}

/** What a transaction body or a repository needs: parameterised queries and scripts. */
export interface Queryable {
  /** One statement with `$1…` parameters. */
  query<T = Row>(sql: string, params?: unknown[]): Promise<QueryResult<T>>
  /** A script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>
}

/**
 * The one query interface over both engines: PostgreSQL (`pg` pool) in production,
 * embedded PGlite by default. Same SQL, same migrations; int8 and numeric come back
 * as JS numbers on both, timestamptz as Date, json/jsonb parsed.
 */
export interface Db extends Queryable {
  readonly engine: 'postgres' | 'pglite'
  /** Runs `fn` in one transaction; rolls back if it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>
  /** Cheap liveness probe used by /health/ready. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** PostgreSQL type OIDs we normalise the same way on both engines. */
export const OID = { INT8: 20, NUMERIC: 1700 } as const

export const toNumber = (v: string): number => Number(v)
