import { join } from 'node:path'
import { DiskBlobStore, type BlobStore } from '../../../documents/blob-store/index.js'
import { HubError } from '../../../errors.js'
import { ConfigError } from '../../../config/load.js'
import type { HubService, ServiceContext } from '../../context.js'
import type { IndicatorReader } from '../types.js'
import { parsePeriod, type Period } from './period.js'
import { renderCsv, renderXlsx, type ReportContent } from './render.js'
import { ReportRepository, type NewReport, type ReportRow } from './repository.js'
import { ReportWorker } from './worker.js'

/** A report as the API lists it: what was stored, with its id and time. */
export type ReportItem = NewReport & { id: string; generatedAt: string }

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const

const toItem = (r: ReportRow): ReportItem => ({
  id: r.id,
  period: r.period,
  from: r.period_from,
  to: r.period_to,
  agency: r.agency_code || null,
  format: r.format,
  sha256: r.blob_sha256,
  size: Number(r.size),
  trigger: r.trigger,
  generatedAt: r.generated_at.toISOString(),
})

/**
 * Monthly and quarterly indicator reports (issue 14): CSV and XLSX files per agency and for the
 * province, built from the indicator service's numbers (an {@link IndicatorReader}), stored as
 * content-addressed blobs (REPORTS_BLOB_DIR) and recorded in `indicator_reports`. Generated on a
 * schedule by the worker role (worker.ts) or on an operator's request.
 */
export class ReportService implements HubService {
  private readonly repo: ReportRepository
  readonly blobs: BlobStore
  readonly worker: ReportWorker

  constructor(
    private readonly ctx: ServiceContext,
    private readonly reader: IndicatorReader,
  ) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: ctx.config.REPORTS_TZ })
    } catch {
      throw new ConfigError('REPORTS_TZ', `config error: REPORTS_TZ "${ctx.config.REPORTS_TZ}" is not a time zone (an IANA name such as Asia/Ho_Chi_Minh)`)
    }
    this.repo = new ReportRepository(ctx.db)
    this.blobs = new DiskBlobStore(ctx.config.REPORTS_BLOB_DIR || join(ctx.config.DATA_DIR, 'report-blobs'))
    this.worker = new ReportWorker(ctx, (period, agency, trigger) => this.generate(period, agency, trigger))
  }

  /**
   * Builds both files of one report from one reading of the indicators, stores them and records
   * them. Idempotent: a second generation of the same period and agency replaces the rows.
   */
  async generate(period: Period, agency: string | null, trigger: string): Promise<ReportItem[]> {
    const q = { from: period.from, to: period.to, ...(agency ? { agency } : {}) }
    const [summary, children] = await Promise.all([this.reader.summary(q), this.reader.breakdown(q, 'agency')])
    const content: ReportContent = { period, agency, summary, children, generatedAt: new Date() }
    const files = { csv: renderCsv(content), xlsx: await renderXlsx(content) }
    const out: ReportItem[] = []
    for (const format of ['xlsx', 'csv'] as const) {
      const put = await this.blobs.put(files[format])
      const row = await this.repo.save({ period: period.id, from: period.from, to: period.to, agency, format, sha256: put.sha256, size: put.size, trigger })
      out.push(toItem(row))
    }
    return out
  }

  async list(f: { period?: string; agency?: string; limit?: number }): Promise<{ items: ReportItem[] }> {
    const rows = await this.repo.list({ ...f, limit: f.limit ?? 100 })
    return { items: rows.map(toItem) }
  }

  /** A report's file, ready for `sendFile`. */
  async file(id: string) {
    const row = await this.repo.get(id)
    if (!row) throw new HubError('HUB_ERR_NOT_FOUND', `report ${id} is unknown`)
    const stat = await this.blobs.stat(row.blob_sha256)
    // The row outlived its file (REPORTS_BLOB_DIR not shared with the worker that wrote it, or lost).
    if (!stat) throw new HubError('HUB_ERR_CONFLICT', `the file of report ${id} is not in this hub's report store; generate the period again`)
    const name = `bao-cao-chi-so-${row.period}-${row.agency_code || 'toan-tinh'}.${row.format}`
    return { contentType: CONTENT_TYPES[row.format], fileName: name, size: stat.size, sha256: row.blob_sha256, stream: this.blobs.get(row.blob_sha256) }
  }

  /** An operator's "generate now": queued for a worker (202). */
  async request(periodId: string, agency?: string): Promise<{ jobId: string; period: string; agency: string | null }> {
    const period = parsePeriod(periodId)
    if (!period)
      throw new HubError('HUB_ERR_VALIDATION', `unknown period ${periodId}`, { errors: [{ field: '/body/period', message: 'expected YYYY-MM or YYYY-Qn' }] })
    return { jobId: await this.worker.request(period, agency), period: period.id, agency: agency ?? null }
  }

  async startWorkers(): Promise<void> {
    await this.worker.start()
  }
}
