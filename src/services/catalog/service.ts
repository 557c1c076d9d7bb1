import { createHash, randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { readFileSync } from 'node:fs'
import { Counter, type Registry } from 'prom-client'
import type { Job, Queue } from 'bullmq'
import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { HubError, fieldError } from '../../errors.js'
import { UpstreamError, isRetryable } from '../../http/errors.js'
import { canonicalHash, mapDanhMucCoQuan, mapDanhMucLinhVuc, mapDanhSachTTHC, mapThuTuc } from '../../mappings/catalog/from-lay-thu-tuc.js'
import type { Procedure } from '../../mappings/catalog/types.js'
import { QUEUES } from '../../queue/names.js'
import type { Queryable } from '../../store/index.js'
import type { HubService, ServiceContext } from '../index.js'
import { diffProcedures, type FieldChange } from './diff.js'
import { foldVietnamese, searchPattern, searchTokens } from './search-text.js'

/** Job data of the run coordinator (`catalog-sync` queue): references only. */
export interface CatalogRunJob {
  trigger: string
  /** Set once the coordinator has created or attached to a run. */
  runId?: number
}

/** Job data of one procedure fetch (`catalog-fetch` queue). */
export interface CatalogFetchJob {
  runId: number
  code: string
}

/** listed, fetched, failed, added, changed, unchanged, removed, upstreamCalls, agencies, fields. */
export type RunCounts = Record<string, number>

export interface RunProgress {
  phase?: 'list' | 'fetch' | 'finish' | 'done'
  total?: number
  done?: number
  failed?: number
}

export interface CatalogRun {
  id: number
  trigger: string
  state: string
  startedAt: string
  finishedAt?: string
  counts: RunCounts
  progress: RunProgress
  error?: string
}

export interface ProcedureQuery {
  agency?: string
  field?: string
  level?: string
  q?: string
  includeWithdrawn?: boolean
  limit: number
  offset: number
}

export interface ProcedureListItem {
  code: string
  name: string
  publishingAgencyCode: string
  levels: string[]
  fieldCodes: string[]
  status: string
  version: number
  withdrawn: boolean
  updatedAt: string
}

export interface CatalogChange {
  cursor: string
  runId: number
  procedureCode: string
  kind: 'added' | 'changed' | 'removed'
  version?: number
  changes: FieldChange[]
  at: string
}

const ACTIVE = `state IN ('pending', 'running')`
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined)
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
/** A text[] parameter both engines accept: a JSON array unpacked in SQL. */
const textArray = (n: number) => `ARRAY(SELECT jsonb_array_elements_text($${n}::jsonb))`
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505'

function metrics(registry: Registry) {
  return {
    fetches: new Counter({
      name: 'lgsp_hub_catalog_fetch_total',
      help: 'Catalog sync: LayThuTuc fetches by outcome (added, changed, unchanged, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    runs: new Counter({
      name: 'lgsp_hub_catalog_runs_total',
      help: 'Catalog sync runs finished, by final state',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
  }
}

/**
 * National catalog sync (issue 5) and the catalog it keeps.
 *
 * Shape of a run: one coordinator job (`catalog-sync`) lists the procedures
 * (`LayDanhSachTTHC`) into `catalog_run_items`, then enqueues one fetch job per
 * procedure on `catalog-fetch` and watches the items until none is pending, then
 * records withdrawals and closes the run. Why child jobs rather than batches inside
 * the run job: the per-upstream rate limit is BullMQ's worker `limiter`, kept in Redis
 * and so shared by every worker process; per-procedure retries are BullMQ attempts
 * with backoff (the only retry layer on this path: the fetch asks the transport for
 * no read retries); fetches spread over all workers; and after a crash the waiting
 * jobs are still in Redis while the in-flight ones come back as stalled. The items
 * table is the truth: a fetch job whose item is no longer pending does nothing, so a
 * resumed run fetches no procedure twice needlessly and skips none.
 *
 * One run at a time: a partial unique index admits one pending/running run, and the
 * coordinator holds a lease on it (renewed at each checkpoint); a coordinator that
 * finds the lease live steps aside, one that finds it expired takes the run over.
 */
export class CatalogSyncService implements HubService {
  private readonly runQueue: Queue
  private readonly fetchQueue: Queue
  private readonly codeMap: Record<string, string>
  private readonly m: ReturnType<typeof metrics>
  private probeTimer?: NodeJS.Timeout

  constructor(private readonly ctx: ServiceContext) {
    this.runQueue = ctx.queues.queue(QUEUES.catalogSync)
    this.fetchQueue = ctx.queues.queue(QUEUES.catalogFetch)
    this.codeMap = ctx.config.PROCEDURE_CODE_MAP_FILE ? (JSON.parse(readFileSync(ctx.config.PROCEDURE_CODE_MAP_FILE, 'utf8')) as Record<string, string>) : {}
    this.m = metrics(ctx.metrics.registry)
    // Every in-flight fetch listens on the shutdown signal (axios aborts on it).
    setMaxListeners(Math.max(64, ctx.config.CATALOG_CONCURRENCY * 4), ctx.shutdownSignal)
  }

  private get dvcqg(): DvcqgApi {
    const c = this.ctx.connectors.get('dvcqg') as DvcqgApi | undefined
    if (!c) throw new Error('the dvcqg connector is not enabled (CONNECTORS_ENABLED)')
    return c
  }

  private get jobOptions() {
    const cfg = this.ctx.config
    return {
      attempts: cfg.CATALOG_FETCH_ATTEMPTS,
      backoff: { type: 'exponential', delay: cfg.CATALOG_RETRY_BASE_MS, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: { age: 86_400 },
    }
  }

  // ---------------------------------------------------------------- triggering

  private async activeRunId(q: Queryable = this.ctx.db): Promise<number | undefined> {
    const { rows } = await q.query<{ id: number }>(`SELECT id FROM catalog_runs WHERE ${ACTIVE}`)
    return rows[0]?.id
  }

  /** The active run, or a new pending one; `created` tells which. */
  private async createRun(trigger: string): Promise<{ runId: number; created: boolean }> {
    for (let i = 0; i < 3; i++) {
      const active = await this.activeRunId()
      if (active !== undefined) return { runId: active, created: false }
      try {
        const { rows } = await this.ctx.db.query<{ id: number }>(`INSERT INTO catalog_runs (trigger, state) VALUES ($1, 'pending') RETURNING id`, [trigger])
        return { runId: rows[0]!.id, created: true }
      } catch (e) {
        if (!isUniqueViolation(e)) throw e // another process created one just now: attach to it
      }
    }
    throw new HubError('HUB_ERR_CONFLICT', 'could not create or find the active catalog run')
  }

  /** `POST /admin/catalog/sync`: start a run now, or report the one already under way. */
  async requestSync(trigger = 'manual'): Promise<{ runId: number; alreadyRunning: boolean }> {
    const { runId, created } = await this.createRun(trigger)
    if (created) await this.runQueue.add('run', { trigger, runId } satisfies CatalogRunJob, { jobId: `run-${runId}`, ...this.jobOptions, removeOnComplete: { age: 3600 } })
    return { runId, alreadyRunning: !created }
  }

  // ---------------------------------------------------------------- coordinator

  /** The `catalog-sync` processor: creates or resumes the run and drives it to its end. */
  async coordinate(job: Job<CatalogRunJob>): Promise<string> {
    const db = this.ctx.db
    const cfg = this.ctx.config
    let runId = job.data.runId
    if (runId === undefined) {
      runId = (await this.createRun(job.data.trigger)).runId
      await job.updateData({ ...job.data, runId })
    }
    const owner = randomBytes(8).toString('hex')
    const lease = await db.query<{ progress: RunProgress }>(
      `UPDATE catalog_runs SET state = 'running', lease_owner = $2, lease_until = now() + make_interval(secs => $3::float8 / 1000)
       WHERE id = $1 AND ${ACTIVE} AND (lease_until IS NULL OR lease_until < now())
       RETURNING progress`,
      [runId, owner, cfg.CATALOG_LOCK_MS],
    )
    if (!lease.rows[0]) return 'not-active-or-locked'
    const log = this.ctx.logger.child({ catalogRun: runId })
    try {
      let progress = lease.rows[0].progress
      if (progress.phase !== 'fetch') {
        await job.updateProgress({ phase: 'list' })
        progress = await this.listPhase(runId)
        log.info({ total: progress.total }, 'catalog run listed procedures')
      }
      await this.enqueueFetches(runId)
      for (;;) {
        if (this.ctx.shutdownSignal.aborted) {
          await db.query(`UPDATE catalog_runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [runId, owner])
          return 'interrupted'
        }
        const p = await this.checkpoint(runId, owner)
        if (!p) return 'lost-lease'
        await job.updateProgress({ ...p })
        if (p.done! + p.failed! >= p.total!) break
        await sleep(cfg.CATALOG_POLL_MS, this.ctx.shutdownSignal)
      }
      const run = await this.finish(runId, owner)
      log.info({ counts: run?.counts }, 'catalog run completed')
      await job.updateProgress({ phase: 'done', ...run?.progress })
      return 'completed'
    } catch (e) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      if (isRetryable(e) && !last) {
        await db.query(`UPDATE catalog_runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [runId, owner])
        throw e
      }
      await db.query(
        `UPDATE catalog_runs SET state = 'failed', finished_at = now(), error = $3, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`,
        [runId, owner, (e as Error).message.slice(0, 1000)],
      )
      this.m.runs.labels('failed').inc()
      log.warn({ err: { message: (e as Error).message } }, 'catalog run failed')
      return 'failed'
    }
  }

  /** Agencies, fields, then the procedure list written into the run's items. */
  private async listPhase(runId: number): Promise<RunProgress> {
    const signal = this.ctx.shutdownSignal
    const agencies = mapDanhMucCoQuan((await this.dvcqg.share('LayDanhMucCoQuan', {}, signal)).result)
    const fields = mapDanhMucLinhVuc((await this.dvcqg.share('LayDanhMucLinhVuc', {}, signal)).result)
    const list = mapDanhSachTTHC((await this.dvcqg.share('LayDanhSachTTHC', {}, signal)).result)
    return this.ctx.db.tx(async (q) => {
      await this.storeCodeList(q, 'catalog_agencies', runId, agencies.map((a) => ({ code: a.code, name: a.name, extra: a.level })), 'level')
      await this.storeCodeList(q, 'catalog_fields', runId, fields.map((f) => ({ code: f.code, name: f.name, extra: f.sectorCode })), 'sector_code')
      await q.query(
        `INSERT INTO catalog_run_items (run_id, procedure_code) SELECT $1, c FROM jsonb_array_elements_text($2::jsonb) AS c ON CONFLICT DO NOTHING`,
        [runId, JSON.stringify(list.map((p) => p.code))],
      )
      const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM catalog_run_items WHERE run_id = $1`, [runId])
      const progress: RunProgress = { phase: 'fetch', total: rows[0]!.n, done: 0, failed: 0 }
      await q.query(`UPDATE catalog_runs SET progress = $2, counts = counts || $3 WHERE id = $1`, [runId, JSON.stringify(progress), JSON.stringify({ listed: list.length, agencies: agencies.length, fields: fields.length })])
      return progress
    })
  }

  /** Agencies or fields: rows whose content changed are rewritten; absent ones are marked withdrawn. */
  private async storeCodeList(q: Queryable, table: 'catalog_agencies' | 'catalog_fields', runId: number, rows: { code: string; name: string; extra: string }[], extraColumn: 'level' | 'sector_code') {
    if (rows.length === 0) return // an empty list is an upstream glitch, not a mass withdrawal
    const data = rows.map((r) => ({ ...r, folded: foldVietnamese(r.name), hash: createHash('sha256').update(JSON.stringify([r.name, r.extra])).digest('hex') }))
    await q.query(
      `INSERT INTO ${table} (code, name, name_folded, ${extraColumn}, hash, last_seen_run)
       SELECT r.code, r.name, r.folded, r.extra, r.hash, $2 FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, folded text, extra text, hash text)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_folded = EXCLUDED.name_folded, ${extraColumn} = EXCLUDED.${extraColumn},
         hash = EXCLUDED.hash, last_seen_run = EXCLUDED.last_seen_run, withdrawn_at = NULL, updated_at = now()
       WHERE ${table}.hash IS DISTINCT FROM EXCLUDED.hash OR ${table}.withdrawn_at IS NOT NULL`,
      [JSON.stringify(data), runId],
    )
    await q.query(`UPDATE ${table} SET withdrawn_at = now(), updated_at = now() WHERE withdrawn_at IS NULL AND NOT (code = ANY(${textArray(1)}))`, [JSON.stringify(rows.map((r) => r.code))])
  }

  /** One fetch job per pending item; job ids dedupe against jobs still in Redis. */
  private async enqueueFetches(runId: number): Promise<void> {
    const { rows } = await this.ctx.db.query<{ procedure_code: string }>(`SELECT procedure_code FROM catalog_run_items WHERE run_id = $1 AND state = 'pending' ORDER BY procedure_code`, [runId])
    const opts = this.jobOptions
    for (let i = 0; i < rows.length; i += 500) {
      await this.fetchQueue.addBulk(
        rows.slice(i, i + 500).map((r) => ({ name: 'fetch', data: { runId, code: r.procedure_code } satisfies CatalogFetchJob, opts: { ...opts, jobId: `fetch-${runId}-${r.procedure_code}` } })),
      )
    }
  }

  /** Progress from the items, saved on the run together with a renewed lease; undefined if the lease was lost. */
  private async checkpoint(runId: number, owner: string): Promise<RunProgress | undefined> {
    const { rows } = await this.ctx.db.query<{ state: string; n: number }>(`SELECT state, count(*)::int8 AS n FROM catalog_run_items WHERE run_id = $1 GROUP BY state`, [runId])
    const by = Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number>
    const progress: RunProgress = { phase: 'fetch', total: (by['pending'] ?? 0) + (by['fetched'] ?? 0) + (by['failed'] ?? 0), done: by['fetched'] ?? 0, failed: by['failed'] ?? 0 }
    const upd = await this.ctx.db.query(
      `UPDATE catalog_runs SET progress = $3, lease_until = now() + make_interval(secs => $4::float8 / 1000) WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
      [runId, owner, JSON.stringify(progress), this.ctx.config.CATALOG_LOCK_MS],
    )
    return upd.rowCount === 1 ? progress : undefined
  }

  /** Withdrawals (listed before, absent now), counts, and the run closed, in one transaction. */
  private async finish(runId: number, owner: string): Promise<CatalogRun | undefined> {
    const run = await this.ctx.db.tx(async (q) => {
      const { rows } = await q.query<{ state: string; outcome: string | null; n: number; calls: number }>(
        `SELECT state, outcome, count(*)::int8 AS n, sum(attempts)::int8 AS calls FROM catalog_run_items WHERE run_id = $1 GROUP BY state, outcome`,
        [runId],
      )
      const counts: Record<string, number> & { fetched: number; failed: number } = { fetched: 0, failed: 0, added: 0, changed: 0, unchanged: 0, removed: 0, upstreamCalls: 3 }
      let listed = 0
      for (const r of rows) {
        listed += r.n
        if (r.state === 'fetched' || r.state === 'failed') counts[r.state] += r.n
        if (r.outcome) counts[r.outcome] = (counts[r.outcome] ?? 0) + r.n
        counts['upstreamCalls']! += r.calls ?? 0
      }
      if (listed > 0) {
        const removed = await q.query<{ procedure_code: string }>(
          `INSERT INTO catalog_changes (run_id, procedure_code, kind, version)
           SELECT $1, p.code, 'removed', p.version FROM catalog_procedures p
           WHERE p.withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM catalog_run_items i WHERE i.run_id = $1 AND i.procedure_code = p.code)
           ON CONFLICT DO NOTHING RETURNING procedure_code`,
          [runId],
        )
        counts['removed'] = removed.rowCount
        if (removed.rowCount > 0) {
          await q.query(`UPDATE catalog_procedures SET withdrawn_at = now(), last_changed_run = $1, updated_at = now() WHERE code = ANY(${textArray(2)})`, [
            runId,
            JSON.stringify(removed.rows.map((r) => r.procedure_code)),
          ])
        }
      }
      const progress: RunProgress = { phase: 'done', total: listed, done: counts['fetched'], failed: counts['failed'] }
      const error = counts['failed']! > 0 ? `${counts['failed']} procedure(s) could not be fetched; see catalog_run_items` : null
      const upd = await q.query<RunRow>(
        `UPDATE catalog_runs SET state = 'completed', finished_at = now(), counts = counts || $3, progress = $4, error = $5, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING *`,
        [runId, owner, JSON.stringify(counts), JSON.stringify(progress), error],
      )
      return upd.rows[0] ? toRun(upd.rows[0]) : undefined
    })
    if (run) this.m.runs.labels('completed').inc()
    return run
  }

  // ---------------------------------------------------------------- one procedure

  /** The `catalog-fetch` processor: fetch one procedure and store what changed. */
  async fetchOne(job: Job<CatalogFetchJob>): Promise<string> {
    const { runId, code } = job.data
    const db = this.ctx.db
    // Already fetched (a redelivered job) or its run has ended (failed): no upstream call.
    const item = await db.query<{ state: string }>(
      `SELECT i.state FROM catalog_run_items i JOIN catalog_runs r ON r.id = i.run_id AND r.state = 'running' WHERE i.run_id = $1 AND i.procedure_code = $2`,
      [runId, code],
    )
    if (item.rows[0]?.state !== 'pending') return 'skipped'
    try {
      // No transport read retry here: BullMQ attempts are this path's one retry layer.
      const reply = await this.dvcqg.call('LayThuTuc', { maTTHC: code }, { path: 'share', idempotent: false, signal: this.ctx.shutdownSignal })
      if (reply.result.length === 0) throw new UpstreamError('dvcqg', 'rejected', `LayThuTuc ${code}: no record`)
      const procedure = mapThuTuc(reply.result[0])
      const outcome = await this.apply(runId, code, procedure)
      this.m.fetches.labels(outcome).inc()
      return outcome
    } catch (e) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      const retry = isRetryable(e) && !last
      await db.query(
        `UPDATE catalog_run_items SET attempts = attempts + 1, last_error = $3, state = CASE WHEN $4::boolean THEN state ELSE 'failed' END, updated_at = now()
         WHERE run_id = $1 AND procedure_code = $2 AND state = 'pending'`,
        [runId, code, (e as Error).message.slice(0, 500), retry],
      )
      this.m.fetches.labels(retry ? 'retry' : 'failed').inc()
      if (retry) throw e
      return 'failed'
    }
  }

  /**
   * Stores one fetched procedure: same canonical hash → nothing written; otherwise a new
   * version and a change row with the field-level diff. The item is locked and marked in
   * the same transaction, so a duplicate delivery of the job applies nothing twice.
   */
  private async apply(runId: number, code: string, p: Procedure): Promise<'added' | 'changed' | 'unchanged' | 'skipped'> {
    const hash = canonicalHash(p)
    return this.ctx.db.tx(async (q) => {
      const item = await q.query<{ state: string }>(`SELECT state FROM catalog_run_items WHERE run_id = $1 AND procedure_code = $2 FOR UPDATE`, [runId, code])
      if (item.rows[0]?.state !== 'pending') return 'skipped'
      const cur = await q.query<{ hash: string; version: number; data: Procedure; withdrawn_at: Date | null }>(
        `SELECT hash, version, data, withdrawn_at FROM catalog_procedures WHERE code = $1 FOR UPDATE`,
        [code],
      )
      const before = cur.rows[0]
      let outcome: 'added' | 'changed' | 'unchanged'
      if (before && before.hash === hash && !before.withdrawn_at) {
        outcome = 'unchanged'
      } else {
        const version = before ? before.version + 1 : 1
        // A procedure coming back after a withdrawal is reported as added again.
        outcome = before && !before.withdrawn_at ? 'changed' : 'added'
        const changes = outcome === 'changed' ? diffProcedures(before!.data, p) : []
        const agencyCodes = [...new Set([p.publishingAgencyCode, ...[p.agencies.implementing, p.agencies.competent, p.agencies.authorized, p.agencies.coordinating].flatMap((l) => l.map((a) => a.code))].filter(Boolean))]
        const cols = [
          code,
          hash,
          version,
          JSON.stringify(p),
          p.name,
          foldVietnamese(p.name),
          JSON.stringify(searchTokens(`${p.name} ${p.keywords ?? ''}`)),
          p.publishingAgencyCode || null,
          JSON.stringify(agencyCodes),
          JSON.stringify(p.fields.map((f) => f.code)),
          JSON.stringify(p.level.map((l) => l.code)),
          p.status,
          runId,
        ]
        await q.query(
          `INSERT INTO catalog_procedures (code, hash, version, data, name, name_folded, search_tokens, agency_code, agency_codes, field_codes, levels, status,
             first_seen_run, last_changed_run, last_seen_run)
           VALUES ($1, $2, $3, $4, $5, $6, ${textArray(7)}, $8, ${textArray(9)}, ${textArray(10)}, ${textArray(11)}, $12, $13, $13, $13)
           ON CONFLICT (code) DO UPDATE SET hash = EXCLUDED.hash, version = EXCLUDED.version, data = EXCLUDED.data, name = EXCLUDED.name,
             name_folded = EXCLUDED.name_folded, search_tokens = EXCLUDED.search_tokens, agency_code = EXCLUDED.agency_code,
             agency_codes = EXCLUDED.agency_codes, field_codes = EXCLUDED.field_codes, levels = EXCLUDED.levels, status = EXCLUDED.status,
             last_changed_run = EXCLUDED.last_changed_run, last_seen_run = EXCLUDED.last_seen_run, withdrawn_at = NULL, updated_at = now()`,
          cols,
        )
        await q.query(`INSERT INTO catalog_procedure_versions (procedure_code, version, hash, data, run_id) VALUES ($1, $2, $3, $4, $5)`, [code, version, hash, JSON.stringify(p), runId])
        await q.query(`INSERT INTO catalog_changes (run_id, procedure_code, kind, version, changes) VALUES ($1, $2, $3, $4, $5)`, [runId, code, outcome, version, JSON.stringify(changes)])
      }
      await q.query(`UPDATE catalog_run_items SET state = 'fetched', outcome = $3, attempts = attempts + 1, last_error = NULL, updated_at = now() WHERE run_id = $1 AND procedure_code = $2`, [
        runId,
        code,
        outcome,
      ])
      return outcome
    })
  }

  // ---------------------------------------------------------------- workers

  async startWorkers(): Promise<void> {
    const cfg = this.ctx.config
    // Short locks let another worker take over a crashed one's jobs quickly.
    const lock = { lockDuration: cfg.CATALOG_LOCK_MS, stalledInterval: cfg.CATALOG_LOCK_MS, maxStalledCount: 20 }
    // Two slots: while one coordinator drives a run, a second trigger (schedule, resume)
    // is taken at once and steps aside on the live lease instead of queueing a rerun.
    this.ctx.queues.startWorker({ name: QUEUES.catalogSync, processor: (job) => this.coordinate(job as Job<CatalogRunJob>), options: lock }, 2)
    this.ctx.queues.startWorker(
      {
        name: QUEUES.catalogFetch,
        processor: (job) => this.fetchOne(job as Job<CatalogFetchJob>),
        // The per-upstream rate limit lives in Redis: it holds across every worker process.
        options: { ...lock, limiter: { max: cfg.CATALOG_RATE_PER_SEC, duration: 1000 } },
      },
      cfg.CATALOG_CONCURRENCY,
    )
    if (cfg.CATALOG_SYNC_CRON.trim()) {
      await this.runQueue.upsertJobScheduler('catalog-scheduled', { pattern: cfg.CATALOG_SYNC_CRON }, { name: 'run', data: { trigger: 'schedule' } satisfies CatalogRunJob, opts: { ...this.jobOptions, removeOnComplete: { age: 3600 } } })
    } else {
      await this.runQueue.removeJobScheduler('catalog-scheduled')
    }
    const probe = async () => {
      try {
        await this.resumeOrphans()
      } catch (e) {
        this.ctx.logger.warn({ err: { message: (e as Error).message } }, 'catalog run probe failed')
      }
    }
    await probe()
    this.probeTimer = setInterval(() => void probe(), cfg.CATALOG_LOCK_MS)
    this.probeTimer.unref()
  }

  /** A run nobody coordinates (its process died, or Redis lost the job) gets a coordinator again. */
  async resumeOrphans(): Promise<number | undefined> {
    const { rows } = await this.ctx.db.query<{ id: number }>(
      `SELECT id FROM catalog_runs WHERE (state = 'running' AND (lease_until IS NULL OR lease_until < now()))
          OR (state = 'pending' AND started_at < now() - make_interval(secs => $1::float8 / 1000))`,
      [this.ctx.config.CATALOG_LOCK_MS],
    )
    const id = rows[0]?.id
    if (id === undefined) return undefined
    const window = Math.floor(Date.now() / this.ctx.config.CATALOG_LOCK_MS)
    await this.runQueue.add('run', { trigger: 'resume', runId: id } satisfies CatalogRunJob, { jobId: `resume-${id}-${window}`, ...this.jobOptions, removeOnComplete: { age: 3600 } })
    this.ctx.logger.info({ catalogRun: id }, 'catalog run without a live coordinator: resuming it')
    return id
  }

  async stop(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer)
  }

  // ---------------------------------------------------------------- reads

  /** National code of a national or local (mapped) procedure code. */
  nationalCode(code: string): string {
    return Object.hasOwn(this.codeMap, code) ? (this.codeMap[code] ?? code) : code
  }

  async listProcedures(f: ProcedureQuery): Promise<{ items: ProcedureListItem[]; total: number; limit: number; offset: number }> {
    const where: string[] = []
    const params: unknown[] = []
    const add = (sql: (n: string) => string, v: unknown) => {
      params.push(v)
      where.push(sql(`$${params.length}`))
    }
    if (!f.includeWithdrawn) where.push('withdrawn_at IS NULL')
    if (f.agency) add((n) => `${n} = ANY(agency_codes)`, f.agency)
    if (f.field) add((n) => `${n} = ANY(field_codes)`, f.field)
    if (f.level) add((n) => `${n} = ANY(levels)`, f.level)
    if (f.q && searchTokens(f.q).length) {
      params.push(searchPattern(f.q))
      const n = `$${params.length}`
      params.push(this.nationalCode(f.q.trim()))
      where.push(`(name_folded LIKE ${n} ESCAPE '\\' OR code = $${params.length})`)
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
    const total = await this.ctx.db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM catalog_procedures ${w}`, params)
    const { rows } = await this.ctx.db.query<{
      code: string
      name: string
      agency_code: string | null
      levels: string[]
      field_codes: string[]
      status: string | null
      version: number
      withdrawn_at: Date | null
      updated_at: Date
    }>(
      `SELECT code, name, agency_code, levels, field_codes, status, version, withdrawn_at, updated_at FROM catalog_procedures ${w}
       ORDER BY code LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    )
    return {
      total: total.rows[0]!.n,
      limit: f.limit,
      offset: f.offset,
      items: rows.map((r) => ({
        code: r.code,
        name: r.name,
        publishingAgencyCode: r.agency_code ?? '',
        levels: r.levels,
        fieldCodes: r.field_codes,
        status: r.status ?? '',
        version: r.version,
        withdrawn: r.withdrawn_at !== null,
        updatedAt: iso(r.updated_at)!,
      })),
    }
  }

  /** One procedure by national or local code (404 when neither is known). */
  async getProcedure(code: string): Promise<{ code: string; requestedCode: string; version: number; withdrawnAt?: string; updatedAt: string; procedure: Procedure }> {
    const national = this.nationalCode(code)
    const { rows } = await this.ctx.db.query<{ code: string; version: number; data: Procedure; withdrawn_at: Date | null; updated_at: Date }>(
      `SELECT code, version, data, withdrawn_at, updated_at FROM catalog_procedures WHERE code = $1`,
      [national],
    )
    const r = rows[0]
    if (!r) throw new HubError('HUB_ERR_NOT_FOUND', `procedure ${code} is not in the catalog${national !== code ? ` (mapped to ${national})` : ''}`)
    return { code: r.code, requestedCode: code, version: r.version, ...(r.withdrawn_at ? { withdrawnAt: iso(r.withdrawn_at) } : {}), updatedAt: iso(r.updated_at)!, procedure: r.data }
  }

  async listAgencies(q?: string): Promise<{ code: string; name: string; level: string; withdrawn: boolean }[]> {
    const { rows } = await this.ctx.db.query<{ code: string; name: string; level: string | null; withdrawn_at: Date | null }>(
      `SELECT code, name, level, withdrawn_at FROM catalog_agencies WHERE ($1::text IS NULL OR name_folded LIKE $1 ESCAPE '\\' OR code = $2) ORDER BY code`,
      [q ? searchPattern(q) : null, q ?? null],
    )
    return rows.map((r) => ({ code: r.code, name: r.name, level: r.level ?? '', withdrawn: r.withdrawn_at !== null }))
  }

  async listFields(): Promise<{ code: string; name: string; sectorCode: string; withdrawn: boolean }[]> {
    const { rows } = await this.ctx.db.query<{ code: string; name: string; sector_code: string | null; withdrawn_at: Date | null }>(
      `SELECT code, name, sector_code, withdrawn_at FROM catalog_fields ORDER BY code`,
    )
    return rows.map((r) => ({ code: r.code, name: r.name, sectorCode: r.sector_code ?? '', withdrawn: r.withdrawn_at !== null }))
  }

  /** The change feed after `since` (an opaque cursor: the last change id seen). */
  async changes(since: string | undefined, limit: number): Promise<{ items: CatalogChange[]; nextCursor: string }> {
    const after = since && /^\d{1,18}$/.test(since) ? since : since ? undefined : '0'
    if (after === undefined) throw fieldError('/querystring/since', 'since must be a cursor returned by this feed', 'HUB_CATALOG_CURSOR')
    const { rows } = await this.ctx.db.query<{ id: number; run_id: number; procedure_code: string; kind: CatalogChange['kind']; version: number | null; changes: FieldChange[]; created_at: Date }>(
      `SELECT id, run_id, procedure_code, kind, version, changes, created_at FROM catalog_changes WHERE id > $1::int8 ORDER BY id LIMIT $2`,
      [after, limit],
    )
    return {
      items: rows.map((r) => ({
        cursor: String(r.id),
        runId: r.run_id,
        procedureCode: r.procedure_code,
        kind: r.kind,
        ...(r.version !== null ? { version: r.version } : {}),
        changes: r.changes,
        at: iso(r.created_at)!,
      })),
      nextCursor: rows.length ? String(rows[rows.length - 1]!.id) : after,
    }
  }

  async runs(limit: number): Promise<CatalogRun[]> {
    const { rows } = await this.ctx.db.query<RunRow>(`SELECT * FROM catalog_runs ORDER BY id DESC LIMIT $1`, [limit])
    return rows.map(toRun)
  }

  // ---------------------------------------------------------------- dossier intake

  /**
   * Dossier intake check (`POST /v1/dossiers`): once a catalog has been synced, the
   * procedure code (national, or local through the code map) must be an active
   * procedure, and each `documents[i].componentCode` one of its document codes
   * (`MAGIAYTO`). Skipped entirely while no run has completed.
   */
  async checkDossierCodes(procedureCode: string, componentCodes: (string | undefined)[]): Promise<void> {
    const { rows } = await this.ctx.db.query<{ synced: boolean; data: Procedure | null }>(
      `SELECT EXISTS (SELECT 1 FROM catalog_runs WHERE state = 'completed') AS synced,
              (SELECT data FROM catalog_procedures WHERE code = $1 AND withdrawn_at IS NULL) AS data`,
      [this.nationalCode(procedureCode)],
    )
    const r = rows[0]
    if (!r?.synced) return
    if (!r.data) throw fieldError('/body/procedureCode', `procedure code ${procedureCode} is not in the national catalog`, 'HUB_CATALOG_UNKNOWN_PROCEDURE', 'HUB_ERR_UNKNOWN_CODE')
    const known = new Set(r.data.components.flatMap((c) => c.documents.map((d) => d.code)).filter(Boolean))
    if (known.size === 0) return
    const errors = componentCodes.flatMap((c, i) =>
      c !== undefined && !known.has(c) ? [{ field: `/body/documents/${i}/componentCode`, message: `document code ${c} is not a component of procedure ${r.data!.code}`, rule: 'HUB_CATALOG_UNKNOWN_COMPONENT' }] : [],
    )
    if (errors.length) throw new HubError('HUB_ERR_UNKNOWN_CODE', errors[0]!.message, { errors })
  }
}

interface RunRow {
  id: number
  trigger: string
  state: string
  started_at: Date
  finished_at: Date | null
  counts: RunCounts
  progress: RunProgress
  error: string | null
}

function toRun(r: RunRow): CatalogRun {
  return {
    id: r.id,
    trigger: r.trigger,
    state: r.state,
    startedAt: iso(r.started_at)!,
    ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
    counts: r.counts,
    progress: r.progress,
    ...(r.error ? { error: r.error } : {}),
  }
}
