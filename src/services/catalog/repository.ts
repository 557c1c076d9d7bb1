import { createHash } from 'node:crypto'
import { HubError } from '../../errors.js'
import { iso } from '../../lib/time.js'
import { canonicalHash } from '../../mappings/dvcqg/catalog/canonical-hash.js'
import type { CatalogAgency, CatalogField, Procedure } from '../../mappings/dvcqg/catalog/types.js'
import type { Db, Queryable } from '../../store/index.js'
import { diffProcedures } from './diff.js'
import { CatalogReadRepository } from './reads/repository.js'
import type { CatalogRun, RunCounts, RunProgress } from './types.js'
import { foldVietnamese, searchTokens } from './search-text.js'

/** What applying one fetched procedure did ('skipped': its item was no longer pending). */
export type ApplyOutcome = 'added' | 'changed' | 'unchanged' | 'skipped'

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
  const { id, trigger, state, counts, progress } = r
  return {
    id,
    trigger,
    state,
    startedAt: iso(r.started_at)!,
    ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
    counts,
    progress,
    ...(r.error ? { error: r.error } : {}),
  }
}

const ACTIVE = `state IN ('pending', 'running')`
/** A text[] parameter both engines accept: a JSON array unpacked in SQL. */
const textArray = (n: number) => `ARRAY(SELECT jsonb_array_elements_text($${n}::jsonb))`
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505'
const lease = (n: number) => `now() + make_interval(secs => $${n}::float8 / 1000)`

/**
 * All SQL of the catalog capability (migration 0300_catalog.sql): runs and their lease,
 * the run's work list, versioned procedures with the change feed, agencies and fields,
 * and the reads behind the API and CatalogReader. Runs on both engines.
 */
export class CatalogRepository extends CatalogReadRepository {
  constructor(db: Db) {
    super(db)
  }

  // ---------------------------------------------------------------- runs

  async activeRunId(q: Queryable = this.db): Promise<number | undefined> {
    const { rows } = await q.query<{ id: number }>(`SELECT id FROM catalog_runs WHERE ${ACTIVE}`)
    return rows[0]?.id
  }

  /** The active run, or a new pending one (`created`): a partial unique index admits one active run. */
  async createOrAttachRun(trigger: string): Promise<{ runId: number; created: boolean }> {
    for (let i = 0; i < 3; i++) {
      const active = await this.activeRunId()
      if (active !== undefined) return { runId: active, created: false }
      try {
        const { rows } = await this.db.query<{ id: number }>(`INSERT INTO catalog_runs (trigger, state) VALUES ($1, 'pending') RETURNING id`, [trigger])
        return { runId: rows[0]!.id, created: true }
      } catch (e) {
        if (!isUniqueViolation(e)) throw e // another process created one just now: attach to it
      }
    }
    throw new HubError('HUB_ERR_CONFLICT', 'could not create or find the active catalog run')
  }

  /** Takes the run's lease when it is active and nobody holds a live one; its saved progress, else undefined. */
  async takeLease(runId: number, owner: string, lockMs: number): Promise<RunProgress | undefined> {
    const { rows } = await this.db.query<{ progress: RunProgress }>(
      `UPDATE catalog_runs SET state = 'running', lease_owner = $2, lease_until = ${lease(3)}
       WHERE id = $1 AND ${ACTIVE} AND (lease_until IS NULL OR lease_until < now())
       RETURNING progress`,
      [runId, owner, lockMs],
    )
    return rows[0]?.progress
  }

  async releaseLease(runId: number, owner: string): Promise<void> {
    await this.db.query(`UPDATE catalog_runs SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [runId, owner])
  }

  async failRun(runId: number, owner: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE catalog_runs SET state = 'failed', finished_at = now(), error = $3, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`,
      [runId, owner, error.slice(0, 1000)],
    )
  }

  /** A run nobody coordinates: running with an expired lease, or pending for longer than a lease. */
  async orphanRunId(lockMs: number): Promise<number | undefined> {
    const { rows } = await this.db.query<{ id: number }>(
      `SELECT id FROM catalog_runs WHERE (state = 'running' AND (lease_until IS NULL OR lease_until < now()))
          OR (state = 'pending' AND started_at < now() - make_interval(secs => $1::float8 / 1000))`,
      [lockMs],
    )
    return rows[0]?.id
  }

  async runs(limit: number): Promise<CatalogRun[]> {
    const { rows } = await this.db.query<RunRow>(`SELECT * FROM catalog_runs ORDER BY id DESC LIMIT $1`, [limit])
    return rows.map(toRun)
  }

  // ---------------------------------------------------------------- list phase

  /** Agencies, fields and the run's work list (one item per listed code), in one transaction. */
  async storeListing(runId: number, agencies: CatalogAgency[], fields: CatalogField[], codes: string[]): Promise<RunProgress> {
    return this.db.tx(async (q) => {
      await storeCodeList(
        q,
        'catalog_agencies',
        runId,
        agencies.map((a) => ({ code: a.code, name: a.name, extra: a.level })),
        'level',
      )
      await storeCodeList(
        q,
        'catalog_fields',
        runId,
        fields.map((f) => ({ code: f.code, name: f.name, extra: f.sectorCode })),
        'sector_code',
      )
      await q.query(
        `INSERT INTO catalog_run_items (run_id, procedure_code) SELECT $1, c FROM jsonb_array_elements_text($2::jsonb) AS c ON CONFLICT DO NOTHING`,
        [runId, JSON.stringify(codes)],
      )
      const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM catalog_run_items WHERE run_id = $1`, [runId])
      const progress: RunProgress = { phase: 'fetch', total: rows[0]!.n, done: 0, failed: 0 }
      const counts = { listed: codes.length, agencies: agencies.length, fields: fields.length }
      await q.query(`UPDATE catalog_runs SET progress = $2, counts = counts || $3 WHERE id = $1`, [runId, JSON.stringify(progress), JSON.stringify(counts)])
      return progress
    })
  }

  async pendingCodes(runId: number): Promise<string[]> {
    const { rows } = await this.db.query<{ procedure_code: string }>(
      `SELECT procedure_code FROM catalog_run_items WHERE run_id = $1 AND state = 'pending' ORDER BY procedure_code`,
      [runId],
    )
    return rows.map((r) => r.procedure_code)
  }

  /** Progress from the items, saved on the run together with a renewed lease; undefined if the lease was lost. */
  async checkpoint(runId: number, owner: string, lockMs: number): Promise<RunProgress | undefined> {
    const { rows } = await this.db.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int8 AS n FROM catalog_run_items WHERE run_id = $1 GROUP BY state`,
      [runId],
    )
    const by = Object.fromEntries(rows.map((r) => [r.state, r.n])) as Record<string, number>
    const progress: RunProgress = {
      phase: 'fetch',
      total: (by['pending'] ?? 0) + (by['fetched'] ?? 0) + (by['failed'] ?? 0),
      done: by['fetched'] ?? 0,
      failed: by['failed'] ?? 0,
    }
    const sql = `UPDATE catalog_runs SET progress = $3, lease_until = ${lease(4)} WHERE id = $1 AND lease_owner = $2 AND state = 'running'`
    const upd = await this.db.query(sql, [runId, owner, JSON.stringify(progress), lockMs])
    return upd.rowCount === 1 ? progress : undefined
  }

  /** Withdrawals (listed before, absent now), counts, and the run closed, in one transaction. */
  async finishRun(runId: number, owner: string): Promise<CatalogRun | undefined> {
    return this.db.tx(async (q) => {
      const { rows } = await q.query<{ state: string; outcome: string | null; n: number; calls: number }>(
        `SELECT state, outcome, count(*)::int8 AS n, sum(attempts)::int8 AS calls FROM catalog_run_items WHERE run_id = $1 GROUP BY state, outcome`,
        [runId],
      )
      const counts: Record<string, number> & { fetched: number; failed: number } = {
        fetched: 0,
        failed: 0,
        added: 0,
        changed: 0,
        unchanged: 0,
        removed: 0,
        upstreamCalls: 3,
      }
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
          const codes = JSON.stringify(removed.rows.map((r) => r.procedure_code))
          await q.query(`UPDATE catalog_procedures SET withdrawn_at = now(), last_changed_run = $1, updated_at = now() WHERE code = ANY(${textArray(2)})`, [
            runId,
            codes,
          ])
        }
      }
      const progress: RunProgress = { phase: 'done', total: listed, done: counts['fetched'], failed: counts['failed'] }
      const error = counts['failed'] > 0 ? `${counts['failed']} procedure(s) could not be fetched; see catalog_run_items` : null
      const upd = await q.query<RunRow>(
        `UPDATE catalog_runs SET state = 'completed', finished_at = now(), counts = counts || $3, progress = $4, error = $5, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING *`,
        [runId, owner, JSON.stringify(counts), JSON.stringify(progress), error],
      )
      return upd.rows[0] ? toRun(upd.rows[0]) : undefined
    })
  }

  // ---------------------------------------------------------------- one procedure

  /** Is this item still to fetch (pending, and its run running)? A redelivered or orphaned job is not. */
  async isFetchable(runId: number, code: string): Promise<boolean> {
    const { rows } = await this.db.query<{ state: string }>(
      `SELECT i.state FROM catalog_run_items i JOIN catalog_runs r ON r.id = i.run_id AND r.state = 'running' WHERE i.run_id = $1 AND i.procedure_code = $2`,
      [runId, code],
    )
    return rows[0]?.state === 'pending'
  }

  /**
   * One failed fetch attempt counted; a pending item stays pending (another attempt follows) or becomes
   * failed. `attempts` counts upstream calls, so a call made by a redelivered job after another delivery
   * finished the item is counted too, without touching the item's state or error.
   */
  async recordFetchFailure(runId: number, code: string, error: string, final: boolean): Promise<void> {
    await this.db.query(
      `UPDATE catalog_run_items SET attempts = attempts + 1,
         last_error = CASE WHEN state = 'pending' THEN $3 ELSE last_error END,
         state = CASE WHEN state = 'pending' AND $4::boolean THEN 'failed' ELSE state END, updated_at = now()
       WHERE run_id = $1 AND procedure_code = $2`,
      [runId, code, error.slice(0, 500), final],
    )
  }

  /**
   * Stores one fetched procedure: same canonical hash → nothing written; otherwise a new
   * version and a change row with the field-level diff. The item is locked and marked in
   * the same transaction, so a duplicate delivery of the job applies nothing twice.
   */
  async applyProcedure(runId: number, code: string, p: Procedure): Promise<ApplyOutcome> {
    const hash = canonicalHash(p)
    return this.db.tx(async (q) => {
      const item = await q.query<{ state: string }>(`SELECT state FROM catalog_run_items WHERE run_id = $1 AND procedure_code = $2 FOR UPDATE`, [runId, code])
      if (item.rows[0]?.state !== 'pending') {
        // A second delivery of the job (a stalled lock) called upstream too: counted, nothing applied.
        await q.query(`UPDATE catalog_run_items SET attempts = attempts + 1, updated_at = now() WHERE run_id = $1 AND procedure_code = $2`, [runId, code])
        return 'skipped'
      }
      const cur = `SELECT hash, version, data, withdrawn_at FROM catalog_procedures WHERE code = $1 FOR UPDATE`
      const before = (await q.query<{ hash: string; version: number; data: Procedure; withdrawn_at: Date | null }>(cur, [code])).rows[0]
      let outcome: 'added' | 'changed' | 'unchanged'
      if (before && before.hash === hash && !before.withdrawn_at) {
        outcome = 'unchanged'
      } else {
        const version = before ? before.version + 1 : 1
        // A procedure coming back after a withdrawal is reported as added again.
        outcome = before && !before.withdrawn_at ? 'changed' : 'added'
        const changes = before && outcome === 'changed' ? diffProcedures(before.data, p) : []
        await upsertProcedure(q, runId, code, hash, version, p)
        await q.query(`INSERT INTO catalog_procedure_versions (procedure_code, version, hash, data, run_id) VALUES ($1, $2, $3, $4, $5)`, [
          code,
          version,
          hash,
          JSON.stringify(p),
          runId,
        ])
        await q.query(`INSERT INTO catalog_changes (run_id, procedure_code, kind, version, changes) VALUES ($1, $2, $3, $4, $5)`, [
          runId,
          code,
          outcome,
          version,
          JSON.stringify(changes),
        ])
      }
      const done = `UPDATE catalog_run_items SET state = 'fetched', outcome = $3, attempts = attempts + 1, last_error = NULL, updated_at = now() WHERE run_id = $1 AND procedure_code = $2`
      await q.query(done, [runId, code, outcome])
      return outcome
    })
  }
}

/** The current version row of a procedure, with its search and filter columns. */
async function upsertProcedure(q: Queryable, runId: number, code: string, hash: string, version: number, p: Procedure): Promise<void> {
  const named = [p.agencies.implementing, p.agencies.competent, p.agencies.authorized, p.agencies.coordinating].flatMap((l) => l.map((a) => a.code))
  const agencyCodes = [...new Set([p.publishingAgencyCode, ...named].filter(Boolean))]
  await q.query(
    `INSERT INTO catalog_procedures (code, hash, version, data, name, name_folded, search_tokens, agency_code, agency_codes, field_codes, levels, status,
       first_seen_run, last_changed_run, last_seen_run)
     VALUES ($1, $2, $3, $4, $5, $6, ${textArray(7)}, $8, ${textArray(9)}, ${textArray(10)}, ${textArray(11)}, $12, $13, $13, $13)
     ON CONFLICT (code) DO UPDATE SET hash = EXCLUDED.hash, version = EXCLUDED.version, data = EXCLUDED.data, name = EXCLUDED.name,
       name_folded = EXCLUDED.name_folded, search_tokens = EXCLUDED.search_tokens, agency_code = EXCLUDED.agency_code,
       agency_codes = EXCLUDED.agency_codes, field_codes = EXCLUDED.field_codes, levels = EXCLUDED.levels, status = EXCLUDED.status,
       last_changed_run = EXCLUDED.last_changed_run, last_seen_run = EXCLUDED.last_seen_run, withdrawn_at = NULL, updated_at = now()`,
    [
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
    ],
  )
}

/** Agencies or fields: rows whose content changed are rewritten; absent ones are marked withdrawn. */
async function storeCodeList(
  q: Queryable,
  table: 'catalog_agencies' | 'catalog_fields',
  runId: number,
  rows: { code: string; name: string; extra: string }[],
  extraColumn: 'level' | 'sector_code',
): Promise<void> {
  if (rows.length === 0) return // an empty list is an upstream glitch, not a mass withdrawal
  const data = rows.map((r) => ({
    ...r,
    folded: foldVietnamese(r.name),
    hash: createHash('sha256')
      .update(JSON.stringify([r.name, r.extra]))
      .digest('hex'),
  }))
  await q.query(
    `INSERT INTO ${table} (code, name, name_folded, ${extraColumn}, hash, last_seen_run)
     SELECT r.code, r.name, r.folded, r.extra, r.hash, $2 FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, folded text, extra text, hash text)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_folded = EXCLUDED.name_folded, ${extraColumn} = EXCLUDED.${extraColumn},
       hash = EXCLUDED.hash, last_seen_run = EXCLUDED.last_seen_run, withdrawn_at = NULL, updated_at = now()
     WHERE ${table}.hash IS DISTINCT FROM EXCLUDED.hash OR ${table}.withdrawn_at IS NOT NULL`,
    [JSON.stringify(data), runId],
  )
  await q.query(`UPDATE ${table} SET withdrawn_at = now(), updated_at = now() WHERE withdrawn_at IS NULL AND NOT (code = ANY(${textArray(1)}))`, [
    JSON.stringify(rows.map((r) => r.code)),
  ])
}
