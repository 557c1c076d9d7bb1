import { Counter, Gauge } from 'prom-client'
import type { ServiceContext } from '../../context.js'
import { vnDay } from '../period.js'
import type { Counts, Scope } from '../repository.js'
import { ROLLUP_DEFS, RollupRepository } from './repository.js'

/** Queued (changed) facts rows folded per transaction. */
export const FOLD_BATCH = 10_000

/**
 * Fewer months scan the facts: one month's index range is already cheap (bench:indicators,
 * agency-month), while the rollup path also reads every queued row (its correction).
 */
export const ROLLUP_MIN_MONTHS = 2
const monthsBetween = (m: { from: string; to: string }) => {
  const n = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7))
  return n(m.to) - n(m.from)
}

/** `[from, to)` as whole Vietnam months (`YYYY-MM-01` each), or undefined when the period is not. */
export function wholeMonths(s: Scope): { from: string; to: string } | undefined {
  const [f, t] = [vnDay(s.from), vnDay(s.to)]
  const midnight = (d: Date, day: string) => d.getTime() === Date.parse(`${day}T00:00:00+07:00`)
  return f.endsWith('-01') && t.endsWith('-01') && midnight(s.from, f) && midnight(s.to, t) ? { from: f, to: t } : undefined
}

/**
 * The monthly indicator rollup (migration 1600, docs/indicators.md "Rollup"): answers the
 * received and finished codes of a summary over whole months from the rollup plus the dirty
 * facts rows, and folds the dirty rows into it every INDICATOR_ROLLUP_FOLD_MS on worker processes
 * (one batch at a time across processes, an advisory lock). INDICATOR_ROLLUP_FOLD_MS=0: no fold
 * and no rollup reads (every summary scans the facts).
 */
export class IndicatorRollup {
  readonly repo: RollupRepository
  private readonly folded: Counter
  private readonly lastFold: Gauge
  private timer?: NodeJS.Timeout
  private running?: Promise<unknown>

  constructor(private readonly ctx: ServiceContext) {
    this.repo = new RollupRepository(ctx.db)
    this.folded = new Counter({
      name: 'lgsp_hub_indicator_rollup_folded_total',
      help: 'Dossier facts rows folded into the monthly indicator rollup (each changed row once per fold)',
      registers: [ctx.metrics.registry],
    })
    this.lastFold = new Gauge({
      name: 'lgsp_hub_indicator_rollup_last_fold_seconds',
      help: 'Unix time of the last completed indicator rollup fold of this process',
      registers: [ctx.metrics.registry],
    })
  }

  private get enabled(): boolean {
    return (this.ctx.config.INDICATOR_ROLLUP_FOLD_MS ?? 15_000) > 0
  }

  /**
   * The received and finished codes of a scope of at least {@link ROLLUP_MIN_MONTHS} whole months, or
   * undefined: another period, rollup off, not (yet) built.
   */
  async counts(s: Scope): Promise<Counts | undefined> {
    const months = wholeMonths(s)
    if (!months || !this.enabled || monthsBetween(months) < ROLLUP_MIN_MONTHS) return undefined
    const state = await this.repo.state()
    if (state.defs !== ROLLUP_DEFS || !state.ready) return undefined
    return this.repo.counts(s, months)
  }

  /**
   * Folds dirty rows in batches until none is left (or `maxBatches`, or another process holds the
   * lock); rebuilds first when the rollup was made under other definitions.
   */
  async fold(opts: { batch?: number; maxBatches?: number } = {}): Promise<{ rows: number; batches: number }> {
    const batch = opts.batch ?? FOLD_BATCH
    const t0 = Date.now()
    if ((await this.repo.state()).defs !== ROLLUP_DEFS) {
      if (!(await this.repo.rebuild())) return { rows: 0, batches: 0 }
      this.ctx.logger.info({ defs: ROLLUP_DEFS }, 'indicator rollup reset for changed definitions; every facts row is folded again')
    }
    let rows = 0
    let batches = 0
    while (batches < (opts.maxBatches ?? Infinity) && !this.ctx.shutdownSignal?.aborted) {
      const r = await this.repo.foldBatch(batch)
      if (!r) break
      rows += r.rows
      batches++
      this.folded.inc(r.rows)
      if (r.rows < batch) break
    }
    this.lastFold.set(Date.now() / 1000)
    if (rows > 0) this.ctx.logger.info({ rows, batches, ms: Date.now() - t0 }, 'indicator rollup folded')
    return { rows, batches }
  }

  /** Worker processes: fold every INDICATOR_ROLLUP_FOLD_MS (single flight in this process). */
  start(): void {
    const every = this.ctx.config.INDICATOR_ROLLUP_FOLD_MS ?? 15_000
    if (every <= 0 || this.timer) return
    const tick = () => {
      this.running ??= this.fold()
        .catch((e: Error) =>
          this.ctx.logger.warn({ err: { type: e.name, message: String(e.message).slice(0, 200) } }, 'indicator rollup fold failed; retried next interval'),
        )
        .finally(() => (this.running = undefined))
    }
    this.timer = setInterval(tick, every)
    this.timer.unref()
    tick()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }
}
