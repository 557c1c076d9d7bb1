import type { Db } from '../../store/index.js'
import type { RatioCode } from './types.js'
import { dirtyCte } from './facts/repository.js'

/**
 * Every SQL statement of the indicator service: aggregates and drill-down over
 * `dossier_facts` (migration 0950; maintained by the dossier intake/delivery statements
 * through facts/repository.ts), the due list, and the lookup mark. The definitions of
 * issue 14 live here once, as SQL conditions per code ({@link DEFS}); the aggregate,
 * the drill-down and the breakdowns all use them, so they cannot disagree.
 *
 * Parameters common to every statement: `$1` from, `$2` to (timestamptz), `$3`/`$4` the
 * agency path range, `$5` the procedure.
 */

export type Population = 'received' | 'finished' | 'open'

/**
 * The facts rows of a population at [$1, $2). `open`: received before $2 and not finished at
 * $2: unfinished ones (partial index by agency and receipt) or finished at or after $2 (the
 * GiST index of the interval (received_at, finished_at]).
 */
const OPEN_PARTS = [
  'finished_at IS NULL AND received_at < $2',
  `finished_at IS NOT NULL AND tstzrange(received_at, CASE WHEN finished_at < received_at THEN received_at ELSE finished_at END, '(]') @> $2::timestamptz`,
] as const
const POPULATION: Record<Population, string> = {
  received: 'received_at >= $1 AND received_at < $2',
  finished: 'finished_at >= $1 AND finished_at < $2',
  open: `((${OPEN_PARTS[0]}) OR (${OPEN_PARTS[1]}))`,
}

/** Due time stretched by the closed pauses and, for a pause open at $2, its length so far. */
const EFFECTIVE_DUE_AT_TO = `due_at + make_interval(secs => pause_seconds + CASE WHEN pause_open_at < $2 THEN EXTRACT(EPOCH FROM $2::timestamptz - pause_open_at)::float8 ELSE 0 END)`

interface Def {
  population: Population
  /** Further condition of the denominator (beyond the population). */
  denominator: string
  numerator: string
  /** Why a denominator dossier is not in the numerator. */
  reason: string
}

/** Issue 14's table, one entry per ratio code. */
export const DEFS: Record<RatioCode, Def> = {
  DOSSIER_SYNC: { population: 'received', denominator: 'true', numerator: 'synced', reason: `'create not (yet) accepted by DVCQG'` },
  ON_TIME: {
    population: 'finished',
    denominator: 'true',
    numerator: 'finished_at <= due_at + make_interval(secs => pause_seconds) AND pause_count <= 1',
    reason: `CASE WHEN pause_count > 1 THEN 'more than one supplement pause' ELSE 'finished after its due time (plus pauses)' END`,
  },
  ONLINE_INTAKE: { population: 'received', denominator: 'true', numerator: 'online', reason: `'not received online'` },
  ONLINE_PAYMENT: { population: 'received', denominator: 'fee', numerator: 'paid_online', reason: `'fee not paid online'` },
  DIGITISED_COMPONENTS: { population: 'received', denominator: 'component', numerator: 'digitised', reason: `'no digitised component'` },
  RESULT_DIGITISED: { population: 'finished', denominator: 'true', numerator: 'result_digitised', reason: `'no result with a file or a result code'` },
  REUSED_DATA: { population: 'received', denominator: 'component', numerator: 'reused', reason: `'no reused or national-warehouse component'` },
  CITIZEN_DATA_CONNECTED: {
    population: 'received',
    denominator: 'true',
    numerator: '(vneid OR national_wh OR lookup)',
    reason: `'no VNeID verification, national-warehouse component or national-database lookup'`,
  },
  OVERDUE_OPEN: {
    population: 'open',
    denominator: 'true',
    numerator: `${EFFECTIVE_DUE_AT_TO} < $2`,
    reason: `'not past its due time (plus pauses) at the period end'`,
  },
}

export interface Scope {
  from: Date
  to: Date
  range?: { lower: string; upper: string }
  procedure?: string
}

/** Per group key: counts per code (`d` denominator, `n` numerator), and processing days of finished dossiers. */
export interface Counts {
  key: string | null
  d: Partial<Record<RatioCode, number>>
  n: Partial<Record<RatioCode, number>>
  finished?: number
  days?: number
}

export interface DrillRow {
  code: string
  agency_code: string
  procedure_code: string
  received_at: Date
  due_at: Date
  finished_at: Date | null
  in_numerator: boolean
  reason: string | null
  days: number | null
}

export interface DueRow {
  code: string
  agency_code: string
  procedure_code: string
  due_at: Date
  effective_due_at: Date
  paused: boolean
}

const params = (s: Scope) => [s.from, s.to, s.range?.lower ?? null, s.range?.upper ?? null, s.procedure ?? null]

/** The scope's rows of one population, or of the union of several. */
function where(s: Scope, populations: Population[], rows?: string): string {
  const w = [rows ?? (populations.length === 1 ? POPULATION[populations[0]!] : `(${populations.map((p) => `(${POPULATION[p]})`).join(' OR ')})`)]
  // Every parameter is referenced (PostgreSQL must know its type); a constant condition costs nothing.
  if (populations.length === 1 && populations[0] === 'open') w.push('$1::timestamptz IS NOT NULL')
  if (s.range) w.push('agency_path >= $3 AND agency_path < $4')
  else w.push('$3::text IS NULL AND $4::text IS NULL')
  w.push(s.procedure ? 'procedure_code = $5' : '$5::text IS NULL')
  return w.join(' AND ')
}

const CODES = Object.keys(DEFS) as RatioCode[]

export class IndicatorRepository {
  constructor(private readonly db: Db) {}

  /**
   * Numerators and denominators of every code, grouped by `by` (one group, key null, when absent).
   * `only`: the codes of the open population alone, or of the received and finished ones alone (the rollup splits them).
   */
  async counts(s: Scope, by?: 'agency_code' | 'procedure_code', only?: 'open' | 'received-finished'): Promise<Counts[]> {
    const key = by ?? 'NULL::text'
    const groups = new Map<string | null, Counts>()
    const group = (k: string | null) => {
      let g = groups.get(k)
      if (!g) groups.set(k, (g = { key: k, d: {}, n: {} }))
      return g
    }
    // The dossiers received or finished in the period (one pass over their union; each count
    // filtered by its own population), and those open at the period's end in two disjoint parts
    // whose counts add up: the unfinished ones (an index-only scan of a covering partial index,
    // migration 1600) and the finished ones open at the end (GiST); one OR of both scans the heap.
    const scans: { pops: Population[]; where: string }[] = [
      { pops: ['received', 'finished'] as Population[], where: where(s, ['received', 'finished']) },
      ...OPEN_PARTS.map((part) => ({ pops: ['open'] as Population[], where: where(s, ['open'], part) })),
    ].filter((x) => !only || (only === 'open') === (x.pops[0] === 'open'))
    await Promise.all(
      scans.map(async (scan) => {
        const codes = CODES.filter((c) => scan.pops.includes(DEFS[c].population))
        const popOf = (c: RatioCode) => (scan.pops.length > 1 ? `(${POPULATION[DEFS[c].population]})` : 'true')
        const and = (...xs: string[]) => xs.filter((x) => x !== 'true').join(' AND ') || 'true'
        // Each distinct count once (several codes share a denominator): fewer aggregates per row.
        const aliases = new Map<string, string>()
        const alias = (filter: string) => {
          if (!aliases.has(filter)) aliases.set(filter, `c${aliases.size}`)
          return aliases.get(filter)!
        }
        const refs = codes.map((c) => ({ d: alias(and(popOf(c), DEFS[c].denominator)), n: alias(and(popOf(c), DEFS[c].denominator, DEFS[c].numerator)) }))
        const finished = scan.pops.includes('finished')
        const fin = finished ? alias(`(${POPULATION.finished})`) : undefined
        const cols = [...aliases].map(([filter, a]) => `count(*) FILTER (WHERE ${filter}) AS ${a}`)
        if (finished) cols.push(`sum(EXTRACT(EPOCH FROM finished_at - received_at)) FILTER (WHERE ${POPULATION.finished})::float8 / 86400 AS days`)
        // JIT compiling these short aggregates costs more than it saves (a large scope crosses jit_above_cost).
        const { rows } = await this.db.tx(async (q) => {
          await q.query('SET LOCAL jit = off')
          // A plan for these parameters (the agency range decides between an index and a scan), never the generic one.
          await q.query('SET LOCAL plan_cache_mode = force_custom_plan')
          return q.query<Record<string, unknown>>(`SELECT ${key} AS k, ${cols.join(', ')} FROM dossier_facts WHERE ${scan.where} GROUP BY 1`, params(s))
        })
        for (const r of rows) {
          const g = group((r['k'] as string | null) ?? null)
          codes.forEach((c, i) => {
            g.d[c] = (g.d[c] ?? 0) + Number(r[refs[i]!.d])
            g.n[c] = (g.n[c] ?? 0) + Number(r[refs[i]!.n])
          })
          if (fin) {
            g.finished = Number(r[fin])
            g.days = Number(r['days'] ?? 0)
          }
        }
      }),
    )
    return [...groups.values()]
  }

  /** The denominator's dossiers of `code`, by dossier code, with whether each is in the numerator and why not. */
  async drill(s: Scope, code: RatioCode | 'AVG_PROCESSING_DAYS', limit: number, offset: number): Promise<DrillRow[]> {
    const def: Def = code === 'AVG_PROCESSING_DAYS' ? { population: 'finished', denominator: 'true', numerator: 'true', reason: 'NULL' } : DEFS[code]
    const { rows } = await this.db.query<DrillRow>(
      `SELECT code, agency_code, procedure_code, received_at, due_at, finished_at, (${def.numerator}) AS in_numerator,
         CASE WHEN ${def.numerator} THEN NULL ELSE ${def.reason} END AS reason,
         EXTRACT(EPOCH FROM finished_at - received_at)::float8 / 86400 AS days
       FROM dossier_facts WHERE ${where(s, [def.population])} AND ${def.denominator}
       ORDER BY code LIMIT $6 OFFSET $7`,
      [...params(s), limit, offset],
    )
    return rows
  }

  /** Unfinished dossiers whose due time (plus pauses, an open one counted to now) is before `horizon`, earliest first. */
  async due(horizon: Date, range: { lower: string; upper: string } | undefined, limit: number): Promise<DueRow[]> {
    const { rows } = await this.db.query<DueRow>(
      `SELECT code, agency_code, procedure_code, due_at, effective_due_at, pause_open_at IS NOT NULL AS paused FROM (
         SELECT *, due_at + make_interval(secs => pause_seconds + CASE WHEN pause_open_at IS NOT NULL
           THEN GREATEST(0, EXTRACT(EPOCH FROM now() - pause_open_at))::float8 ELSE 0 END) AS effective_due_at
         FROM dossier_facts
         WHERE finished_at IS NULL AND due_at < $1 AND ($2::text IS NULL OR (agency_path >= $2 AND agency_path < $3))) x
       WHERE effective_due_at < $1 ORDER BY effective_due_at, code LIMIT $4`,
      [horizon, range?.lower ?? null, range?.upper ?? null, limit],
    )
    return rows
  }

  /** A national-database lookup was made for this dossier (its facts row, once it exists). */
  async markLookup(dossierCode: string): Promise<void> {
    await this.db.query(`WITH f AS (UPDATE dossier_facts SET lookup = true WHERE code = $1 AND NOT lookup RETURNING code)${dirtyCte()} SELECT 1`, [dossierCode])
  }
}
