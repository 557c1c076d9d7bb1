import { isUnder } from '../agency.js'
import { Counter, Gauge } from 'prom-client'
import type { DvcqgApi } from '../../../connectors/dvcqg/index.js'
import { toNationalStatus } from '../../../mappings/dvcqg/status-map.js'
import { requireConnector, type HubService, type ServiceContext } from '../../context.js'
import type { PortalConfirmation } from '../types.js'
import { PortalCheckRepository, type CheckRecord, type CheckRow, type SampledDossier } from './repository.js'
import { PortalCheckWorker } from './worker.js'

/** A dossier the portal did not confirm, as the API lists it. */
export interface UnconfirmedDossier {
  dossierCode: string
  agencyCode: string
  /** DVCQG TrangThaiHoSo of the last status the hub delivered. */
  expectedStatus: number | null
  /** What TraCuuHoSo showed (null: nothing, or no readable status). */
  portalStatus: number | null
  outcome: 'missing' | 'status_differs' | 'error'
  reason: string
  checkedAt: string
}

export interface PortalCheckReport {
  runId: string | null
  confirmation: PortalConfirmation | null
  unconfirmed: UnconfirmedDossier[]
}

/** Is `code` the agency `agency` or below it (the indicators' hierarchy)? A code of another shape matches only itself. */
export function inAgencyScope(code: string, agency: string): boolean {
  try {
    return isUnder(code, agency)
  } catch {
    return code === agency
  }
}

const ANSWERED = (r: CheckRow) => r.outcome !== 'error'
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 300)

/**
 * The portal spot-check (issue 14): a scheduled run samples PORTAL_CHECK_SAMPLE dossiers the portal
 * accepted (received in the last PORTAL_CHECK_WINDOW_DAYS), asks DVCQG `TraCuuHoSo` about each
 * and compares the portal's TrangThaiHoSo with the last status the hub delivered (mapped by the
 * hub's status map). A dossier the portal does not hold, or holds with another status, is
 * unconfirmed, with the reason. A lookup that fails (timeout, 5xx) is recorded as `error` and
 * counts neither way: the share confirmed is over the dossiers the portal answered about.
 */
export class PortalCheckService implements HubService {
  private readonly repo: PortalCheckRepository
  readonly worker: PortalCheckWorker
  private readonly checked: Counter<'outcome'>
  private readonly ratio: Gauge

  constructor(private readonly ctx: ServiceContext) {
    this.repo = new PortalCheckRepository(ctx.db)
    const registers = [ctx.metrics.registry]
    this.checked = new Counter({
      name: 'lgsp_hub_portal_checks_total',
      help: 'Portal spot-check: dossiers checked against DVCQG TraCuuHoSo, by outcome (confirmed, missing, status_differs, error)',
      labelNames: ['outcome'] as const,
      registers,
    })
    this.ratio = new Gauge({
      name: 'lgsp_hub_portal_check_confirmed_ratio',
      help: 'Portal spot-check: share of the sampled dossiers the portal confirmed in the last run',
      registers,
    })
    this.worker = new PortalCheckWorker(ctx, (trigger) => this.run(trigger))
  }

  /** One spot-check run; returns its id and counts. */
  async run(trigger: string): Promise<{ runId: string; sampled: number; confirmed: number; errors: number }> {
    const cfg = this.ctx.config
    const dvcqg = requireConnector<DvcqgApi>(this.ctx.connectors, 'dvcqg')
    const since = new Date(Date.now() - cfg.PORTAL_CHECK_WINDOW_DAYS * 86_400_000)
    const sample = await this.repo.sample(since, cfg.PORTAL_CHECK_SAMPLE)
    const runId = await this.repo.startRun(trigger)
    const counts = { sampled: 0, confirmed: 0, errors: 0 }
    const unconfirmed: string[] = []
    for (const d of sample) {
      // An interrupted run stays unfinished: it never becomes the "latest" one.
      if (this.ctx.shutdownSignal.aborted) throw new Error('portal spot-check interrupted by shutdown')
      const c = await this.checkOne(dvcqg, d)
      await this.repo.record(runId, c)
      this.checked.labels(c.outcome).inc()
      if (c.outcome === 'error') counts.errors++
      else counts.sampled++
      if (c.outcome === 'confirmed') counts.confirmed++
      else unconfirmed.push(c.code) // dossier codes only: no personal data in logs
    }
    await this.repo.finishRun(runId)
    if (counts.sampled) this.ratio.set(counts.confirmed / counts.sampled)
    const log = unconfirmed.length ? this.ctx.logger.warn.bind(this.ctx.logger) : this.ctx.logger.info.bind(this.ctx.logger)
    log({ runId, ...counts, unconfirmed: unconfirmed.slice(0, 50) }, 'portal spot-check finished')
    return { runId, ...counts }
  }

  /** Asks the portal about one dossier; a mismatch is checked once more if a delivery moved the dossier meanwhile. */
  private async checkOne(dvcqg: DvcqgApi, d: SampledDossier, again = true): Promise<CheckRecord> {
    const expected = d.status === null ? null : (toNationalStatus(this.ctx.maps.status, d.status) ?? null)
    const base = { code: d.code, agency: d.agency_code, deliveredSeq: d.delivered_seq, expected }
    let held
    try {
      held = await dvcqg.findDossier(d.code, this.ctx.shutdownSignal)
    } catch (e) {
      return { ...base, portal: null, outcome: 'error', reason: `TraCuuHoSo failed: ${message(e)}` }
    }
    const portal = held?.status ?? null
    if (held && (expected === null || portal === expected)) return { ...base, portal, outcome: 'confirmed', reason: null }
    if (again) {
      const now = await this.repo.current(d.code)
      if (now && now.delivered_seq !== d.delivered_seq) return this.checkOne(dvcqg, now, false)
    }
    if (!held)
      return {
        ...base,
        portal: null,
        outcome: 'missing',
        reason: 'the portal does not hold this dossier (TraCuuHoSo found nothing), though it accepted its creation',
      }
    return {
      ...base,
      portal,
      outcome: 'status_differs',
      reason: `the portal shows TrangThaiHoSo ${portal ?? '(none)'}; the hub last delivered ${expected} (provincial ${d.status})`,
    }
  }

  /** The latest run's answer (for `agency` and below, or the province): shown beside DOSSIER_SYNC. */
  async latestConfirmation(agency?: string): Promise<PortalConfirmation | null> {
    return (await this.latest(agency)).confirmation
  }

  /** The latest run: its confirmation and the dossiers it could not confirm. */
  async latest(agency?: string): Promise<PortalCheckReport> {
    const run = await this.repo.latestRun()
    if (!run) return { runId: null, confirmation: null, unconfirmed: [] }
    const rows = (await this.repo.checks(run.id)).filter((r) => agency === undefined || inAgencyScope(r.agency_code, agency))
    const answered = rows.filter(ANSWERED)
    const confirmed = answered.filter((r) => r.confirmed).length
    return {
      runId: run.id,
      confirmation: {
        sampled: answered.length,
        confirmed,
        ratio: answered.length ? confirmed / answered.length : null,
        checkedAt: (run.finished_at ?? run.started_at).toISOString(),
      },
      unconfirmed: rows
        .filter((r) => !r.confirmed)
        .map((r) => ({
          dossierCode: r.dossier_code,
          agencyCode: r.agency_code,
          expectedStatus: r.expected_status,
          portalStatus: r.portal_status,
          outcome: r.outcome as UnconfirmedDossier['outcome'],
          reason: r.reason ?? '',
          checkedAt: r.checked_at.toISOString(),
        })),
    }
  }

  /** An operator's "check now" (202). */
  async request(): Promise<{ jobId: string }> {
    return { jobId: await this.worker.request() }
  }

  async startWorkers(): Promise<void> {
    await this.worker.start()
  }
}
