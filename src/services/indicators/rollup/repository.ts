import { createHash } from 'node:crypto'
import type { Db } from '../../../store/index.js'
import { DEFS, type Counts, type Scope } from '../repository.js'
import { RATIO_CODES } from '../types.js'

/**
 * The monthly rollup of the received and finished populations (migration 1600,
 * docs/indicators.md "Rollup"). Its counts are derived from the same {@link DEFS} conditions as
 * the facts scan: per population, each distinct condition (a code's denominator beyond the
 * population, and denominator AND numerator) is one bit of a facts row's rolled bits and one
 * position of the rollup's count array (indicator_rolled keeps each row's bits as last folded). The fingerprint of that list ({@link ROLLUP_DEFS}) is
 * stored with the rollup; a changed definition rebuilds it (the fold), and until then the
 * summaries scan the facts.
 *
 * Summary parameters: `$1`/`$2` from, to (timestamptz, whole Vietnam months), `$3`/`$4` the agency
 * path range, `$5` the procedure, `$6`/`$7` the first days of the from and to months.
 */

type Pop = 'received' | 'finished'
const and = (...xs: string[]) => xs.filter((x) => x !== 'true').join(' AND ') || 'true'

function conditions(pop: Pop) {
  const list: string[] = []
  const at = (c: string) => {
    if (c === 'true') return -1
    if (!list.includes(c)) list.push(c)
    return list.indexOf(c)
  }
  const refs = RATIO_CODES.filter((c) => DEFS[c].population === pop).map((code) => ({
    code,
    d: at(DEFS[code].denominator),
    n: at(and(DEFS[code].denominator, DEFS[code].numerator)),
  }))
  if (list.length > 30) throw new Error(`too many ${pop} conditions for the rollup bits`)
  return { list, refs }
}
const C: Record<Pop, ReturnType<typeof conditions>> = { received: conditions('received'), finished: conditions('finished') }

/** Fingerprint of the rollup's layout: the conditions in their positions, and the month rule. */
export const ROLLUP_DEFS = createHash('sha256')
  .update(JSON.stringify({ v: 1, received: C.received.list, finished: C.finished.list }))
  .digest('hex')
  .slice(0, 16)

/** The month (first day, Asia/Ho_Chi_Minh, UTC+07:00 without daylight saving) of an instant. */
const month = (col: string) => `date_trunc('month', ${col} AT TIME ZONE INTERVAL '+07:00')::date`
/** The bits of the current row's conditions. */
const bits = (pop: Pop) => C[pop].list.map((c, i) => `CASE WHEN ${c} THEN ${1 << i} ELSE 0 END`).join(' + ') || '0'
const arr = (xs: string[]) => (xs.length ? `ARRAY[${xs.join(', ')}]::bigint[]` : `'{}'::bigint[]`)
const each = (pop: Pop, f: (i: number) => string) => C[pop].list.map((_, i) => f(i))

const FOLD = `
  WITH q AS (SELECT code FROM indicator_dirty ORDER BY code LIMIT $1 FOR UPDATE SKIP LOCKED),
  f AS (
    SELECT code AS r_code, ${month('received_at')} AS r_rmonth, ${month('finished_at')} AS r_fmonth, agency_path AS r_path,
      procedure_code AS r_procedure, ${bits('received')} AS r_rbits, CASE WHEN finished_at IS NULL THEN NULL ELSE ${bits('finished')} END AS r_fbits,
      EXTRACT(EPOCH FROM finished_at - received_at) AS r_seconds
    FROM dossier_facts WHERE code = ANY (ARRAY(SELECT code FROM q)) FOR UPDATE),
  -- Only once every facts row is locked (the scalar subquery reads all of f first): an intake
  -- holding a facts row may be about to queue it, and waits on a queue row being deleted.
  gone AS (DELETE FROM indicator_dirty WHERE code = ANY (ARRAY(SELECT code FROM q WHERE (SELECT count(*) FROM f) >= 0))),
  o AS (SELECT * FROM indicator_rolled WHERE code = ANY (ARRAY(SELECT r_code FROM f))),
  up AS (
    INSERT INTO indicator_rolled (code, r_rmonth, r_fmonth, r_path, r_procedure, r_rbits, r_fbits, r_seconds) SELECT * FROM f
    ON CONFLICT (code) DO UPDATE SET r_rmonth = EXCLUDED.r_rmonth, r_fmonth = EXCLUDED.r_fmonth, r_path = EXCLUDED.r_path,
      r_procedure = EXCLUDED.r_procedure, r_rbits = EXCLUDED.r_rbits, r_fbits = EXCLUDED.r_fbits, r_seconds = EXCLUDED.r_seconds),
  v AS (
    SELECT x.* FROM f, LATERAL (VALUES
      (r_rmonth, r_path, r_procedure, 1, r_rbits, NULL::integer, NULL::numeric),
      (r_fmonth, r_path, r_procedure, 1, NULL, r_fbits, r_seconds)) x(month, path, procedure, sign, rbits, fbits, seconds)
    UNION ALL
    SELECT x.* FROM o, LATERAL (VALUES
      (r_rmonth, r_path, r_procedure, -1, r_rbits, NULL::integer, NULL::numeric),
      (r_fmonth, r_path, r_procedure, -1, NULL, r_fbits, -r_seconds)) x(month, path, procedure, sign, rbits, fbits, seconds)),
  g AS (
    SELECT month, path, procedure,
      COALESCE(sum(sign) FILTER (WHERE rbits IS NOT NULL), 0) AS received,
      ${arr(each('received', (i) => `COALESCE(sum(sign) FILTER (WHERE rbits & ${1 << i} <> 0), 0)`))} AS received_counts,
      COALESCE(sum(sign) FILTER (WHERE fbits IS NOT NULL), 0) AS finished,
      ${arr(each('finished', (i) => `COALESCE(sum(sign) FILTER (WHERE fbits & ${1 << i} <> 0), 0)`))} AS finished_counts,
      COALESCE(sum(seconds), 0) AS finished_seconds
    FROM v WHERE month IS NOT NULL GROUP BY 1, 2, 3),
  ins AS (
    INSERT INTO indicator_rollup AS t (month, agency_path, procedure_code, received, received_counts, finished, finished_counts, finished_seconds)
    SELECT * FROM g ORDER BY 1, 2, 3
    ON CONFLICT (month, agency_path, procedure_code) DO UPDATE SET received = t.received + EXCLUDED.received,
      received_counts = ${arr(each('received', (i) => `t.received_counts[${i + 1}] + EXCLUDED.received_counts[${i + 1}]`))},
      finished = t.finished + EXCLUDED.finished,
      finished_counts = ${arr(each('finished', (i) => `t.finished_counts[${i + 1}] + EXCLUDED.finished_counts[${i + 1}]`))},
      finished_seconds = t.finished_seconds + EXCLUDED.finished_seconds
    RETURNING 1)
  SELECT (SELECT count(*) FROM q)::int AS rows, (SELECT count(*) FROM ins)::int AS keys`

const scopeOf = (path: string, procedure: string) => `($3::text IS NULL OR (${path} >= $3 AND ${path} < $4)) AND ($5::text IS NULL OR ${procedure} = $5)`
const CUR = scopeOf('agency_path', 'procedure_code')
const OLD = scopeOf('r_path', 'r_procedure')
const CR = `received_at >= $1 AND received_at < $2 AND ${CUR}`
const OR = `r_rmonth >= $6 AND r_rmonth < $7 AND ${OLD}`
const CF = `finished_at >= $1 AND finished_at < $2 AND ${CUR}`
const OF = `r_fmonth >= $6 AND r_fmonth < $7 AND ${OLD}`
const delta = (cur: string, old: string) => `count(*) FILTER (WHERE ${cur}) - count(*) FILTER (WHERE ${old})`

/** The rollup rows of the months, plus the dirty rows' correction (their current contribution minus the rolled one). */
const SUMMARY = `
  WITH t AS (
    SELECT COALESCE(sum(received), 0) AS received,
      ${arr(each('received', (i) => `COALESCE(sum(received_counts[${i + 1}]), 0)`))} AS rc,
      COALESCE(sum(finished), 0) AS finished,
      ${arr(each('finished', (i) => `COALESCE(sum(finished_counts[${i + 1}]), 0)`))} AS fc,
      COALESCE(sum(finished_seconds), 0) AS seconds
    FROM indicator_rollup WHERE month >= $6 AND month < $7 AND ${scopeOf('agency_path', 'procedure_code')}),
  c AS (
    SELECT ${delta(CR, OR)} AS received,
      ${arr(C.received.list.map((cond, i) => delta(`${CR} AND ${cond}`, `${OR} AND r_rbits & ${1 << i} <> 0`)))} AS rc,
      ${delta(CF, OF)} AS finished,
      ${arr(C.finished.list.map((cond, i) => delta(`${CF} AND ${cond}`, `${OF} AND r_fbits & ${1 << i} <> 0`)))} AS fc,
      COALESCE(sum(EXTRACT(EPOCH FROM finished_at - received_at)) FILTER (WHERE ${CF}), 0) - COALESCE(sum(r_seconds) FILTER (WHERE ${OF}), 0) AS seconds
    -- By key from the queue (its statistics lag behind: a join could scan the whole table).
    FROM dossier_facts f LEFT JOIN indicator_rolled r ON r.code = f.code WHERE f.code = ANY (ARRAY(SELECT code FROM indicator_dirty)))
  SELECT t.received + c.received AS received, ${arr(each('received', (i) => `t.rc[${i + 1}] + c.rc[${i + 1}]`))} AS rc,
    t.finished + c.finished AS finished, ${arr(each('finished', (i) => `t.fc[${i + 1}] + c.fc[${i + 1}]`))} AS fc,
    (t.seconds + c.seconds)::float8 / 86400 AS days
  FROM t, c`

/** Any stable 64-bit number: one fold batch (or rebuild) at a time across the hub's processes. */
const FOLD_LOCK = 1_400_160_014

export interface RollupState {
  defs: string
  ready: boolean
}

export class RollupRepository {
  constructor(private readonly db: Db) {}

  async state(): Promise<RollupState> {
    const { rows } = await this.db.query<RollupState>('SELECT defs, ready FROM indicator_rollup_state')
    return rows[0] ?? { defs: '', ready: false }
  }

  /**
   * The rollup was folded under other definitions (or never): empty it, forget what was rolled and
   * queue every facts row, under the current fingerprint. False when another process holds the lock.
   */
  async rebuild(): Promise<boolean> {
    return this.db.tx(async (q) => {
      if (!(await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [FOLD_LOCK])).rows[0]!.ok) return false
      // Another process may have rebuilt it since this one looked.
      if ((await q.query<RollupState>('SELECT defs FROM indicator_rollup_state')).rows[0]?.defs === ROLLUP_DEFS) return true
      await q.query('DELETE FROM indicator_rollup')
      await q.query('DELETE FROM indicator_rolled')
      await q.query('INSERT INTO indicator_dirty (code) SELECT code FROM dossier_facts ON CONFLICT (code) DO NOTHING')
      await q.query('UPDATE indicator_rollup_state SET defs = $1, ready = false', [ROLLUP_DEFS])
      return true
    })
  }

  /**
   * Folds at most `limit` dirty rows into the rollup and clears them, in one transaction. Null
   * when another process is folding (the advisory lock) or the rollup is not under the current
   * definitions. A batch smaller than the limit drained the dirty rows: the rollup is ready.
   */
  async foldBatch(limit: number): Promise<{ rows: number; keys: number } | null> {
    return this.db.tx(async (q) => {
      if (!(await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [FOLD_LOCK])).rows[0]!.ok) return null
      const state = (await q.query<RollupState>('SELECT defs, ready FROM indicator_rollup_state')).rows[0]
      if (state?.defs !== ROLLUP_DEFS) return null
      await q.query('SET LOCAL jit = off')
      const r = (await q.query<{ rows: number; keys: number }>(FOLD, [limit])).rows[0]!
      if (r.rows < limit && !state.ready) await q.query('UPDATE indicator_rollup_state SET ready = true')
      return r
    })
  }

  /** Rows waiting for a fold. */
  async dirtyRows(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT count(*) AS n FROM indicator_dirty')).rows[0]!.n)
  }

  /** The received and finished codes' counts of a scope of whole months (open codes absent), from the rollup and the dirty rows. */
  async counts(s: Scope, months: { from: string; to: string }): Promise<Counts> {
    const { rows } = await this.db.tx(async (q) => {
      await q.query('SET LOCAL jit = off')
      await q.query('SET LOCAL plan_cache_mode = force_custom_plan')
      return q.query<{ received: string; rc: string[]; finished: string; fc: string[]; days: number }>(SUMMARY, [
        s.from,
        s.to,
        s.range?.lower ?? null,
        s.range?.upper ?? null,
        s.procedure ?? null,
        months.from,
        months.to,
      ])
    })
    const r = rows[0]!
    const out: Counts = { key: null, d: {}, n: {}, finished: Number(r.finished), days: Number(r.days) }
    const fill = (pop: Pop, total: string, counts: string[]) => {
      const at = (i: number) => Number(i < 0 ? total : counts[i])
      for (const x of C[pop].refs) {
        out.d[x.code] = at(x.d)
        out.n[x.code] = at(x.n)
      }
    }
    fill('received', r.received, r.rc)
    fill('finished', r.finished, r.fc)
    return out
  }
}
