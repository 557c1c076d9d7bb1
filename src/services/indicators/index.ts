import type { ServiceContext } from '../context.js'
import { fieldError } from '../../errors.js'
import { iso } from '../../lib/time.js'
import { agencyPath, childUnder, subtreeRange } from './agency.js'
import { indicatorGauges } from './gauges.js'
import { currentMonth, period, withinMs } from './period.js'
import { DEFS, IndicatorRepository, type Counts, type Scope } from './repository.js'
import { IndicatorRollup } from './rollup/index.js'
import { loadScores, scoreOf, type ScoreTable } from './scores.js'
import {
  RATIO_CODES,
  type IndicatorCode,
  type IndicatorQuery,
  type IndicatorReader,
  type IndicatorReport,
  type Metric,
  type PortalConfirmation,
} from './types.js'

export * from './types.js'

/** One dossier of a metric's denominator (drill-down). */
export interface DrillItem {
  dossierCode: string
  agency: string
  procedure: string
  receivedAt: string
  dueAt: string
  finishedAt?: string
  inNumerator: boolean
  /** Why the dossier is not in the numerator. */
  reason?: string
  /** AVG_PROCESSING_DAYS: its processing days (two decimals). */
  processingDays?: number
}

export interface DueItem {
  dossierCode: string
  procedure: string
  dueAt: string
  /** dueAt stretched by its supplement pauses (an open one counted to now). */
  effectiveDueAt: string
  overdue: boolean
  paused: boolean
}

export interface DueReport {
  asOf: string
  horizon: string
  agencies: { agency: string; overdue: number; dueSoon: number; dossiers: DueItem[] }[]
  /** More dossiers matched than the limit: the list is cut (earliest due first). */
  truncated: boolean
}

const round2 = (x: number) => Math.round(x * 100) / 100

/**
 * Service-quality indicators of Decision 766 (issue 14, docs/indicators.md), live from the
 * per-dossier facts the dossier intake keeps: summary, breakdowns, drill-down, due list and
 * gauges. Reports and the portal spot-check read it through {@link IndicatorReader}.
 */
export class IndicatorService implements IndicatorReader {
  private readonly repo: IndicatorRepository
  /** The monthly rollup: summaries over whole months, and its fold (worker processes). */
  readonly rollup: IndicatorRollup
  private readonly scores: ScoreTable
  private confirmation?: (agency?: string) => Promise<PortalConfirmation | null | undefined>

  constructor(private readonly ctx: ServiceContext) {
    this.repo = new IndicatorRepository(ctx.db)
    this.rollup = new IndicatorRollup(ctx)
    this.scores = loadScores(ctx.config.INDICATORS_CONFIG_FILE)
    indicatorGauges(ctx.metrics, () => this.topLevel(), ctx.config.INDICATOR_GAUGE_REFRESH_MS, ctx.logger)
  }

  /** The portal spot-check's latest answer, shown beside DOSSIER_SYNC (set by the spot-check). */
  setPortalConfirmation(source: (agency?: string) => Promise<PortalConfirmation | null | undefined>): void {
    this.confirmation = source
  }

  private scope(q: IndicatorQuery): Scope {
    const p = period(q.from, q.to)
    return { ...p, ...(q.agency ? { range: subtreeRange(q.agency) } : {}), ...(q.procedure ? { procedure: q.procedure } : {}) }
  }

  private report(q: IndicatorQuery, c: Counts | undefined, portal?: PortalConfirmation): IndicatorReport {
    const metrics: Metric[] = RATIO_CODES.map((code) => {
      const numerator = c?.n[code] ?? 0
      const denominator = c?.d[code] ?? 0
      const ratio = denominator === 0 ? null : numerator / denominator
      const rule = this.scores.get(code)
      return {
        code,
        numerator,
        denominator,
        ratio,
        score: scoreOf(rule, ratio),
        maxScore: rule?.maxScore ?? null,
        ...(code === 'DOSSIER_SYNC' && portal ? { portalConfirmed: portal } : {}),
      }
    })
    const fin = c?.finished ?? 0
    const rule = this.scores.get('AVG_PROCESSING_DAYS')
    const avg = fin === 0 ? null : round2((c?.days ?? 0) / fin)
    metrics.push({
      code: 'AVG_PROCESSING_DAYS',
      numerator: round2(c?.days ?? 0),
      denominator: fin,
      ratio: avg,
      score: scoreOf(rule, avg),
      maxScore: rule?.maxScore ?? null,
    })
    return { agency: q.agency ?? null, from: q.from, to: q.to, ...(q.procedure ? { procedure: q.procedure } : {}), metrics }
  }

  async summary(q: IndicatorQuery): Promise<IndicatorReport> {
    const s = this.scope(q)
    const [counts, portal] = await Promise.all([
      this.counts(s),
      this.confirmation?.(q.agency).then(
        (c) => c ?? undefined,
        () => undefined,
      ),
    ])
    return this.report(q, counts, portal)
  }

  /**
   * A summary's counts: over whole months the received and finished codes from the rollup (plus
   * the dirty rows) and the open ones live, in parallel; otherwise one facts scan of each.
   */
  private async counts(s: Scope): Promise<Counts | undefined> {
    const [rolled, open] = await Promise.all([
      this.rollup.counts(s).then(async (c) => c ?? (await this.repo.counts(s, undefined, 'received-finished'))[0]),
      this.repo.counts(s, undefined, 'open'),
    ])
    const o = open[0]
    if (!rolled) return o
    return { ...rolled, d: { ...rolled.d, ...o?.d }, n: { ...rolled.n, ...o?.n } }
  }

  async startWorkers(): Promise<void> {
    this.rollup.start()
  }

  async stop(): Promise<void> {
    await this.rollup.stop()
  }

  /**
   * One report per child agency of `q.agency` (per province without one; a dossier of the
   * agency itself is keyed by the agency) or per procedure. Every dossier of the scope is in
   * exactly one group, so the groups sum to the summary.
   */
  async breakdown(q: IndicatorQuery, by: 'agency' | 'procedure'): Promise<{ key: string; report: IndicatorReport }[]> {
    const s = this.scope(q)
    const rows = await this.repo.counts(s, by === 'agency' ? 'agency_code' : 'procedure_code')
    const groups = by === 'agency' ? fold(rows, (k) => childUnder(k, q.agency)) : new Map(rows.map((r) => [r.key!, r]))
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, c]) => ({ key, report: this.report(by === 'agency' ? { ...q, agency: key } : { ...q, procedure: key }, c) }))
  }

  /** The API's breakdown: the groups and the summary they sum to. */
  async breakdownWithTotal(
    q: IndicatorQuery,
    by: 'agency' | 'procedure',
  ): Promise<{ by: string; items: { key: string; report: IndicatorReport }[]; total: IndicatorReport }> {
    const [items, total] = await Promise.all([this.breakdown(q, by), this.summary(q)])
    return { by, items, total }
  }

  /** The dossiers of a metric's denominator, by dossier code, each with whether it is in the numerator and why not. */
  async dossiers(code: IndicatorCode, q: IndicatorQuery, limit: number, offset: number): Promise<{ items: DrillItem[]; nextOffset?: number }> {
    if (!(code in DEFS) && code !== 'AVG_PROCESSING_DAYS') throw fieldError('/params/code', `unknown indicator code ${code}`, undefined, 'HUB_ERR_NOT_FOUND')
    const rows = await this.repo.drill(this.scope(q), code, limit + 1, offset)
    const items = rows.slice(0, limit).map((r) => ({
      dossierCode: r.code,
      agency: r.agency_code,
      procedure: r.procedure_code,
      receivedAt: iso(r.received_at)!,
      dueAt: iso(r.due_at)!,
      ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
      inNumerator: r.in_numerator,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(code === 'AVG_PROCESSING_DAYS' && r.days !== null ? { processingDays: round2(r.days) } : {}),
    }))
    return { items, ...(rows.length > limit ? { nextOffset: offset + limit } : {}) }
  }

  /** Unfinished dossiers past or within `within` (`2d`, `12h`) of their due time, per agency. */
  async due(within: string, agency: string | undefined, limit: number): Promise<DueReport> {
    const now = new Date()
    const horizon = new Date(now.getTime() + withinMs(within))
    if (agency) agencyPath(agency)
    const rows = await this.repo.due(horizon, agency ? subtreeRange(agency) : undefined, limit + 1)
    const byAgency = new Map<string, DueReport['agencies'][number]>()
    for (const r of rows.slice(0, limit)) {
      let a = byAgency.get(r.agency_code)
      if (!a) byAgency.set(r.agency_code, (a = { agency: r.agency_code, overdue: 0, dueSoon: 0, dossiers: [] }))
      const overdue = r.effective_due_at < now
      if (overdue) a.overdue++
      else a.dueSoon++
      a.dossiers.push({
        dossierCode: r.code,
        procedure: r.procedure_code,
        dueAt: iso(r.due_at)!,
        effectiveDueAt: iso(r.effective_due_at)!,
        overdue,
        paused: r.paused,
      })
    }
    const agencies = [...byAgency.values()].sort((x, y) => y.overdue - x.overdue || (x.agency < y.agency ? -1 : 1))
    return { asOf: now.toISOString(), horizon: horizon.toISOString(), agencies, truncated: rows.length > limit }
  }

  /** A national-database lookup was answered for `dossierCode` (the lookup service's audit purpose). */
  async lookupMade(dossierCode: string): Promise<void> {
    await this.repo.markLookup(dossierCode)
  }

  /** The current month per top-level agency (the gauges). */
  private async topLevel(): Promise<{ agency: string; metrics: Metric[] }[]> {
    const month = currentMonth()
    const rows = await this.repo.counts(this.scope(month), 'agency_code')
    const groups = fold(rows, (k) => childUnder(k, childUnder(k, undefined)))
    return [...groups.entries()]
      .sort(([, a], [, b]) => (b.d.DOSSIER_SYNC ?? 0) - (a.d.DOSSIER_SYNC ?? 0))
      .slice(0, this.ctx.config.INDICATOR_GAUGE_MAX_AGENCIES)
      .map(([agency, c]) => ({ agency, metrics: this.report({ ...month, agency }, c).metrics }))
  }
}

/** Sums per-agency counts into groups keyed by `keyOf(agency code)`. */
function fold(rows: Counts[], keyOf: (agency: string) => string): Map<string, Counts> {
  const out = new Map<string, Counts>()
  for (const r of rows) {
    const k = keyOf(r.key!)
    let g = out.get(k)
    if (!g) out.set(k, (g = { key: k, d: {}, n: {}, finished: 0, days: 0 }))
    for (const c of RATIO_CODES) {
      if (r.d[c] !== undefined) g.d[c] = (g.d[c] ?? 0) + r.d[c]
      if (r.n[c] !== undefined) g.n[c] = (g.n[c] ?? 0) + r.n[c]
    }
    g.finished = (g.finished ?? 0) + (r.finished ?? 0)
    g.days = (g.days ?? 0) + (r.days ?? 0)
  }
  return out
}
