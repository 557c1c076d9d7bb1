import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Job, JobsOptions, Queue } from 'bullmq'
import type { DossierAccepted, DossierEvent, DossierSync, DossierUpsert } from '../../../schemas/v1/dossier.js'
import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { ClientRegistry, type Client } from '../../auth/clients.js'
import { HubError, fieldError } from '../../errors.js'
import { UpstreamError, isRetryable, toUpstreamError } from '../../http/errors.js'
import { isMappingError } from '../../mappings/errors.js'
import { parseStatusMap, toNationalStatus, type StatusMap } from '../../mappings/dvcqg/status-map.js'
import { chunkSteps, toDongBoHoSoMC, toHoSo, toTienDo } from '../../mappings/dvcqg/to-dvcqg.js'
import type { TienDoStep } from '../../mappings/dvcqg/types.js'
import { QUEUES } from '../../queue/names.js'
import type { Queryable } from '../../store/index.js'
import { bodyHash } from '../idempotency.js'
import type { HubService, ServiceContext } from '../index.js'
import { retryDelayMs } from './backoff.js'
import { dossierMetrics, type DossierMetrics } from './metrics.js'

/** What an event row holds: the dossier as of this event (if it changes it) and/or a step. */
interface EventPayload {
  dossier?: Omit<DossierUpsert, 'eventId'>
  step?: DossierEvent['step']
  status?: string
  occurredAt?: string
}

interface EventRow {
  seq: number
  kind: 'upsert' | 'event'
  payload: EventPayload
  parts_done: number
  accepted_at: Date
}

/** Job data holds a reference only: never citizen data in Redis. */
export interface DrainJob {
  dossierCode: string
}

export interface DossierListItem {
  dossierCode: string
  state: 'active' | 'parked'
  pendingEvents: number
  attempts: number
  lastError?: string
  parkedReason?: string
  parkedAt?: string
  nextAttemptAt?: string
}

/** What one intake statement returns. */
interface StoredRow {
  /** The eventId was unknown when the statement started. */
  fresh: boolean
  /** null when the dossier does not exist (events) or the eventId was known. */
  seq: number | null
  leased: boolean
  inserted: number
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined)
const jobId = (code: string, suffix: string) => `drain-${code}-${suffix}`

/**
 * Drain jobs: one attempt (a failed delivery schedules its own delayed retry, so BullMQ
 * is the only retry layer), completed ones removed so their ids can be reused.
 */
const DRAIN_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: { age: 86_400 }, attempts: 1 } as const

/**
 * Dossier status sync. Intake stores each event with a per-dossier sequence number in
 * one transaction before answering 202; delivery drains each dossier's events in
 * sequence to DVCQG, one dossier per worker at a time (a lease in the database),
 * stopping at the first failure; retries back off per dossier; a permanent rejection
 * parks the dossier; a reconciler re-enqueues dossiers whose trigger was lost.
 */
export class DossierService implements HubService {
  readonly statusMap: StatusMap
  private readonly procedureCodeMap: Record<string, string>
  private readonly queue: Queue
  readonly metrics: DossierMetrics
  private reconcileTimer?: NodeJS.Timeout
  /** Catalog check of procedure and component codes (set by the catalog service; skipped while unset). */
  private codeCheck?: (procedureCode: string, componentCodes: (string | undefined)[]) => Promise<void>

  constructor(private readonly ctx: ServiceContext) {
    this.statusMap = parseStatusMap(JSON.parse(readFileSync(ctx.config.STATUS_MAP_FILE, 'utf8')))
    this.procedureCodeMap = ctx.config.PROCEDURE_CODE_MAP_FILE ? (JSON.parse(readFileSync(ctx.config.PROCEDURE_CODE_MAP_FILE, 'utf8')) as Record<string, string>) : {}
    this.queue = ctx.queues.queue(QUEUES.dossierSync)
    this.metrics = dossierMetrics(ctx.metrics, ctx.db, this.queue)
  }

  setCodeCheck(check: (procedureCode: string, componentCodes: (string | undefined)[]) => Promise<void>): void {
    this.codeCheck = check
  }

  private get dvcqg(): DvcqgApi {
    const c = this.ctx.connectors.get('dvcqg') as DvcqgApi | undefined
    if (!c) throw new Error('the dvcqg connector is not enabled (CONNECTORS_ENABLED)')
    return c
  }

  // ---------------------------------------------------------------- intake

  /** Checks what JSON Schema cannot: the status is mapped and the dossier translates. */
  private checkTranslatable(dossier: Omit<DossierUpsert, 'eventId'>, currentStatus?: string) {
    if (toNationalStatus(this.statusMap, dossier.status) === undefined) {
      throw fieldError('/body/status', `status "${dossier.status}" has no DVCQG mapping in the status map`, 'HUB_STATUS_UNMAPPED', 'HUB_ERR_UNKNOWN_CODE')
    }
    try {
      toHoSo(dossier as DossierUpsert, { statusMap: this.statusMap, currentStatus, procedureCodeMap: this.procedureCodeMap })
    } catch (e) {
      if (isMappingError(e)) throw fieldError(`/body/${e.field}`, e.message, e.code, 'HUB_ERR_MAPPING')
      throw e
    }
  }

  /**
   * `POST /v1/dossiers`: create or update a dossier. The client must serve the body's
   * agency (403 naming the field) and, for an existing dossier, its stored agency: a
   * dossier of another agency answers 404, as if it did not exist, and is not touched.
   */
  async upsert(body: DossierUpsert, client: Client): Promise<DossierAccepted & { replayed: boolean }> {
    if (!ClientRegistry.servesAgency(client, body.agencyCode)) {
      throw fieldError('/body/agencyCode', `this client does not serve agency ${body.agencyCode}`, 'HUB_AGENCY_NOT_SERVED', 'HUB_ERR_FORBIDDEN')
    }
    const { eventId, ...dossier } = body
    this.checkTranslatable(dossier)
    await this.codeCheck?.(body.procedureCode, (body.documents ?? []).map((d) => d.componentCode))
    const hash = bodyHash({ kind: 'upsert', body })
    return this.store(eventId, body.dossierCode, 'upsert', client.id, hash, `dossier ${body.dossierCode} is unknown`, (q) =>
      q.query<StoredRow>(
        `WITH guard AS (SELECT NOT EXISTS (SELECT 1 FROM dossier_events WHERE client_id = $7 AND event_id = $6) AS fresh),
         d AS (
           INSERT INTO dossiers (code, procedure_code, agency_code, snapshot, current_status, last_seq)
           SELECT $1, $2, $3, $4, $5, 1 FROM guard WHERE fresh
           ON CONFLICT (code) DO UPDATE SET last_seq = dossiers.last_seq + 1, snapshot = EXCLUDED.snapshot,
             current_status = EXCLUDED.current_status, procedure_code = EXCLUDED.procedure_code,
             agency_code = EXCLUDED.agency_code, touched_at = now()
           WHERE '*' = ANY($8::text[]) OR dossiers.agency_code = ANY($8::text[])
           RETURNING last_seq, lease_until),
         e AS (
           INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload, body_sha256)
           SELECT $1, d.last_seq, $6, $7, 'upsert', jsonb_build_object('dossier', $4::jsonb), $9 FROM d
           RETURNING seq)
         SELECT (SELECT fresh FROM guard) AS fresh, d.last_seq AS seq, COALESCE(d.lease_until > now(), false) AS leased,
                (SELECT count(*) FROM e) AS inserted
         FROM (SELECT 1) one LEFT JOIN d ON true`,
        [body.dossierCode, body.procedureCode, body.agencyCode, JSON.stringify(dossier), dossier.status, eventId, client.id, ClientRegistry.agencyList(client), hash],
      ),
    )
  }

  /** `POST /v1/dossiers/{code}/events`: a status change and/or a processing step (404 for another agency's dossier). */
  async addEvent(dossierCode: string, body: DossierEvent, client: Client): Promise<DossierAccepted & { replayed: boolean }> {
    if (body.status !== undefined && toNationalStatus(this.statusMap, body.status) === undefined) {
      throw fieldError('/body/status', `status "${body.status}" has no DVCQG mapping in the status map`, 'HUB_STATUS_UNMAPPED', 'HUB_ERR_UNKNOWN_CODE')
    }
    if (body.step) {
      try {
        toTienDo(dossierCode, body, { statusMap: this.statusMap, currentStatus: body.status ?? 'DA_TIEP_NHAN' })
      } catch (e) {
        if (isMappingError(e)) throw fieldError(`/body/${e.field}`, e.message, e.code, 'HUB_ERR_MAPPING')
        throw e
      }
    }
    const hash = bodyHash({ kind: 'event', dossierCode, body })
    return this.store(body.eventId, dossierCode, 'event', client.id, hash, `dossier ${dossierCode} is unknown: create it with POST /v1/dossiers first`, (q) =>
      q.query<StoredRow>(
        `WITH guard AS (SELECT NOT EXISTS (SELECT 1 FROM dossier_events WHERE client_id = $4 AND event_id = $3) AS fresh),
         d AS (
           UPDATE dossiers SET last_seq = last_seq + 1,
             snapshot = CASE WHEN $2::text IS NULL THEN snapshot ELSE jsonb_set(snapshot, '{status}', to_jsonb($2::text)) END,
             current_status = COALESCE($2::text, current_status), touched_at = now()
           WHERE code = $1 AND (SELECT fresh FROM guard) AND ('*' = ANY($7::text[]) OR agency_code = ANY($7::text[]))
           RETURNING last_seq, snapshot, current_status, lease_until),
         e AS (
           INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload, body_sha256)
           SELECT $1, d.last_seq, $3, $4, 'event',
             jsonb_build_object('occurredAt', $5::text, 'status', d.current_status)
             || CASE WHEN $2::text IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('dossier', d.snapshot) END
             || CASE WHEN $6::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('step', $6::jsonb) END,
             $8
           FROM d
           RETURNING seq)
         SELECT (SELECT fresh FROM guard) AS fresh, d.last_seq AS seq, COALESCE(d.lease_until > now(), false) AS leased,
                (SELECT count(*) FROM e) AS inserted
         FROM (SELECT 1) one LEFT JOIN d ON true`,
        [dossierCode, body.status ?? null, body.eventId, client.id, body.occurredAt, body.step ? JSON.stringify(body.step) : null, ClientRegistry.agencyList(client), hash],
      ),
    )
  }

  /**
   * Stores one event idempotently. The key is (client, eventId): two clients never share
   * keys. The same key with the same body (its canonical SHA-256) returns the first
   * answer; with another body it is a 409 HUB_ERR_IDEMPOTENCY_CONFLICT and nothing changes.
   * A dossier the client may not touch behaves like a missing one (`notFound`).
   */
  private async store(
    eventId: string,
    dossierCode: string,
    kind: 'upsert' | 'event',
    clientId: string,
    hash: string,
    notFound: string,
    write: (q: Queryable) => Promise<{ rows: StoredRow[] }>,
  ): Promise<DossierAccepted & { replayed: boolean }> {
    const replay = async () => {
      const { rows } = await this.ctx.db.query<{ dossier_code: string; seq: number; body_sha256: string | null }>(
        'SELECT dossier_code, seq, body_sha256 FROM dossier_events WHERE client_id = $1 AND event_id = $2',
        [clientId, eventId],
      )
      const r = rows[0]
      if (!r) return undefined
      // Rows stored before hashes existed (body_sha256 NULL) match any body of the same dossier.
      if (r.body_sha256 !== null && r.body_sha256 !== hash) {
        throw fieldError('/body/eventId', 'eventId was already used with a different body', 'HUB_EVENT_ID_BODY_DIFFERS', 'HUB_ERR_IDEMPOTENCY_CONFLICT')
      }
      if (r.dossier_code !== dossierCode) {
        throw fieldError('/body/eventId', `eventId was already used for another dossier`, 'HUB_EVENT_ID_REUSED', 'HUB_ERR_CONFLICT')
      }
      this.metrics.replayed.inc()
      return { dossierCode, eventId, seq: r.seq, replayed: true }
    }
    // One statement, one round trip: bump the dossier and insert the event, unless the key
    // is known. Two concurrent requests with one key serialise on the dossier row; the
    // loser's insert then violates the (client, eventId) index, which aborts its whole
    // statement (nothing bumped or changed), and it answers from the winner's row.
    let stored: StoredRow
    try {
      stored = (await write(this.ctx.db)).rows[0]!
    } catch (e) {
      if ((e as { code?: unknown }).code !== '23505') throw e
      const winner = await replay()
      if (winner) return winner
      throw new HubError('HUB_ERR_CONFLICT', `event ${eventId} could not be stored; send it again`)
    }
    if (!stored.fresh || Number(stored.inserted) === 0) {
      if (stored.fresh && stored.seq === null) throw new HubError('HUB_ERR_NOT_FOUND', notFound)
      const winner = await replay()
      if (winner) return winner
      throw new HubError('HUB_ERR_CONFLICT', `event ${eventId} could not be stored; send it again`)
    }
    this.metrics.accepted.labels(kind).inc()
    // A worker draining this dossier right now picks the event up when it releases the
    // lease (the release waits for this commit), so no job is needed.
    if (!stored.leased) await this.triggerIntake(dossierCode)
    return { dossierCode, eventId, seq: stored.seq!, replayed: false }
  }

  /**
   * The intake's trigger: one deduplicated drain job per dossier. While it waits (the
   * batching delay), more events of the dossier add nothing; while it runs, BullMQ keeps
   * one follow-up job (`keepLastIfActive`), so an event committed during a drain is never
   * left without a job. Failure is not fatal: the reconciler enqueues what was missed.
   */
  private triggerIntake(dossierCode: string): Promise<void> {
    return this.enqueue(dossierCode, { delay: this.ctx.config.DOSSIER_BATCH_MS, deduplication: { id: `drain-${dossierCode}`, keepLastIfActive: true } })
  }

  /** Enqueues a drain of the dossier under its own id (retries, continuations, replays). */
  private trigger(dossierCode: string, suffix: string, delayMs = 0): Promise<void> {
    return this.enqueue(dossierCode, { jobId: jobId(dossierCode, suffix), delay: delayMs })
  }

  private async enqueue(dossierCode: string, opts: JobsOptions): Promise<void> {
    try {
      await this.queue.add('drain', { dossierCode } satisfies DrainJob, { ...opts, ...DRAIN_JOB_OPTIONS })
    } catch (e) {
      this.ctx.logger.warn({ dossierCode, err: { message: (e as Error).message } }, 'could not enqueue dossier drain; the reconciler will retry')
    }
  }

  // ---------------------------------------------------------------- delivery

  /** The BullMQ processor: drains one dossier. */
  async drain(job: Job<DrainJob>): Promise<string> {
    const code = job.data.dossierCode
    const db = this.ctx.db
    const cfg = this.ctx.config
    const token = randomBytes(8).toString('hex')
    // Take the lease and read the first events in one round trip. (The events come from the
    // statement's snapshot; gaps are only ever judged by the consistent read further down.)
    const { rows: first } = await db.query<EventRow & { portal_known: boolean; delivered_seq: number }>(
      `WITH l AS (
         UPDATE dossiers SET lease_token = $2, lease_until = now() + make_interval(secs => $3::float8 / 1000)
         WHERE code = $1 AND state = 'active' AND delivered_seq < last_seq
           AND (lease_until IS NULL OR lease_until < now())
           AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         RETURNING code, portal_known, delivered_seq)
       SELECT l.portal_known, l.delivered_seq, e.seq, e.kind, e.payload, e.parts_done, e.accepted_at
       FROM l LEFT JOIN LATERAL (
         SELECT seq, kind, payload, parts_done, accepted_at FROM dossier_events
         WHERE dossier_code = l.code AND seq > l.delivered_seq ORDER BY seq LIMIT 20) e ON true`,
      [code, token, cfg.DOSSIER_LEASE_MS],
    )
    const lease = first[0]
    if (!lease) return 'skipped'
    let portalKnown = lease.portal_known
    let delivered = lease.delivered_seq
    let buffer: EventRow[] = first.filter((r) => r.seq !== null)
    let outcome = 'drained'
    let released: { pending: boolean; last_seq: number } | undefined
    try {
      for (;;) {
        if (this.ctx.shutdownSignal.aborted) {
          outcome = 'interrupted'
          break
        }
        if (buffer.length === 0) {
          // Done unless something is pending: release in the same statement that checks.
          // An intake in flight holds the row, so this waits for it and then sees its event.
          const done = await db.query<{ last_seq: number }>(
            `UPDATE dossiers SET lease_token = NULL, lease_until = NULL
             WHERE code = $1 AND lease_token = $2 AND delivered_seq >= last_seq RETURNING last_seq`,
            [code, token],
          )
          if (done.rowCount) {
            released = { pending: false, last_seq: done.rows[0]!.last_seq }
            break
          }
          // The dossier's last_seq and its next events in one snapshot.
          const { rows: read } = await db.query<EventRow & { last_seq: number }>(
            `SELECT d.last_seq, e.seq, e.kind, e.payload, e.parts_done, e.accepted_at
             FROM dossiers d LEFT JOIN LATERAL (
               SELECT seq, kind, payload, parts_done, accepted_at FROM dossier_events
               WHERE dossier_code = d.code AND seq > $2 ORDER BY seq LIMIT 20) e ON true
             WHERE d.code = $1`,
            [code, delivered],
          )
          buffer = read.filter((r) => r.seq !== null)
          if (buffer.length === 0) {
            const lastSeq = read[0]?.last_seq ?? delivered
            if (lastSeq > delivered) {
              // Sequence numbers without an event (a concurrent duplicate's bump): close the
              // gap only if no event arrived since the read (last_seq unchanged).
              const closed = await db.query(`UPDATE dossiers SET delivered_seq = $3 WHERE code = $1 AND lease_token = $2 AND last_seq = $3`, [code, token, lastSeq])
              if (closed.rowCount === 0) {
                const still = await db.query(`SELECT 1 FROM dossiers WHERE code = $1 AND lease_token = $2`, [code, token])
                if (still.rowCount === 0) {
                  outcome = 'lost_lease'
                  break
                }
                continue // an event arrived meanwhile: read again
              }
              delivered = lastSeq
              continue
            }
            outcome = 'lost_lease' // delivered_seq >= last_seq yet the release failed: not ours any more
            break
          }
        }
        // Consecutive step-only events travel together (≤ 10 steps a call, order kept).
        const group = [buffer[0]!]
        if (!group[0]!.payload.dossier) {
          for (const r of buffer.slice(1)) {
            if (r.payload.dossier || group.length >= 10) break
            group.push(r)
          }
        }
        const result = await this.deliverGroup(code, group, portalKnown, token)
        if (result === 'lost_lease') {
          outcome = 'lost_lease'
          break
        }
        if (result !== 'delivered') {
          outcome = result
          break
        }
        portalKnown = portalKnown || group.some((g) => g.payload.dossier)
        delivered = group[group.length - 1]!.seq
        buffer = buffer.slice(group.length)
      }
    } finally {
      if (!released) {
        // The release waits for any intake holding the row, so it sees every event committed meanwhile.
        const { rows } = await db.query<{ pending: boolean; last_seq: number }>(
          `UPDATE dossiers SET lease_token = NULL, lease_until = NULL WHERE code = $1 AND lease_token = $2
           RETURNING (state = 'active' AND delivered_seq < last_seq) AS pending, last_seq`,
          [code, token],
        )
        released = rows[0]
      }
    }
    if ((outcome === 'drained' || outcome === 'interrupted') && released?.pending) {
      // Events committed while we held the lease were not enqueued: pick them up.
      await this.trigger(code, `c${released.last_seq}-${token}`)
    }
    return outcome
  }

  private async deliverGroup(code: string, group: EventRow[], portalKnown: boolean, token: string): Promise<'delivered' | 'retry' | 'parked' | 'lost_lease'> {
    const db = this.ctx.db
    const first = group[0]!
    const last = group[group.length - 1]!
    const started = performance.now()
    let operation = first.payload.dossier ? 'DongBoHoSoMC' : 'CapNhatTienDoHoSoMC'
    try {
      const signal = this.ctx.shutdownSignal
      if (first.payload.dossier) {
        if (first.parts_done < 1) {
          const hoso = toHoSo(first.payload.dossier as DossierUpsert, { statusMap: this.statusMap, procedureCodeMap: this.procedureCodeMap })
          await this.dvcqg.syncDossier(toDongBoHoSoMC(hoso, portalKnown), signal)
          if (first.payload.step) {
            // Remember the half already delivered, so a failed step does not resend the dossier.
            await db.query(
              `WITH e AS (UPDATE dossier_events SET parts_done = 1 WHERE dossier_code = $1 AND seq = $2)
               UPDATE dossiers SET portal_known = true WHERE code = $1 AND lease_token = $3`,
              [code, first.seq, token],
            )
            first.parts_done = 1
          }
        }
        if (first.payload.step) {
          operation = 'CapNhatTienDoHoSoMC'
          const step = toTienDo(code, first.payload as DossierEvent, { statusMap: this.statusMap, currentStatus: first.payload.status })
          await this.dvcqg.updateProgress({ data: [step] }, signal)
        }
      } else {
        const steps: TienDoStep[] = group.map((g) => toTienDo(code, g.payload as DossierEvent, { statusMap: this.statusMap, currentStatus: g.payload.status }))
        for (const chunk of chunkSteps(steps)) await this.dvcqg.updateProgress(chunk, signal)
      }
    } catch (e) {
      return this.onFailure(code, group, operation, e, Math.round(performance.now() - started), token)
    }
    const latency = Math.round(performance.now() - started)
    const seqs = group.map((g) => g.seq)
    const { rows: done } = await db.query<{ n: number }>(
      `WITH d AS (
         UPDATE dossiers SET delivered_seq = $2, portal_known = portal_known OR $3, attempts = 0, next_attempt_at = NULL, last_error = NULL,
           lease_until = now() + make_interval(secs => $5::float8 / 1000), touched_at = now()
         WHERE code = $1 AND lease_token = $4 RETURNING code),
       e AS (
         UPDATE dossier_events SET state = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL
         WHERE dossier_code IN (SELECT code FROM d) AND seq = ANY($6::int[])),
       a AS (
         INSERT INTO delivery_attempts (dossier_code, first_seq, last_seq, operation, outcome, upstream_status, latency_ms)
         SELECT code, $7, $2, $8, 'delivered', 200, $9 FROM d)
       SELECT count(*) AS n FROM d`,
      [code, last.seq, Boolean(first.payload.dossier), token, this.ctx.config.DOSSIER_LEASE_MS, seqs, first.seq, operation, latency],
    )
    const ok = Number(done[0]?.n ?? 0) > 0
    if (!ok) return 'lost_lease'
    this.metrics.delivered.inc(group.length)
    const now = Date.now()
    for (const g of group) this.metrics.latency.observe((now - new Date(g.accepted_at).getTime()) / 1000)
    return 'delivered'
  }

  /** Transient → back off and retry through the queue; permanent → park the dossier. */
  private async onFailure(code: string, group: EventRow[], operation: string, e: unknown, latency: number, token: string): Promise<'retry' | 'parked'> {
    const cfg = this.ctx.config
    const err = isMappingError(e) ? e : e instanceof UpstreamError ? e : toUpstreamError('dvcqg', e)
    const retryable = !isMappingError(err) && isRetryable(err)
    const kind = isMappingError(err) ? 'mapping' : err.kind
    const status = err instanceof UpstreamError ? err.status : undefined
    const label = kind === 'http' ? `http_${status}` : kind
    this.metrics.failed.labels(label).inc()
    const first = group[0]!
    const last = group[group.length - 1]!
    const message = err.message.slice(0, 1000)
    if (retryable) {
      const { rows } = await this.ctx.db.query<{ attempts: number }>(`SELECT attempts FROM dossiers WHERE code = $1`, [code])
      const attempts = (rows[0]?.attempts ?? 0) + 1
      const delay = retryDelayMs(attempts, cfg.RETRY_BASE_MS, cfg.RETRY_MAX_MS, err instanceof UpstreamError ? err.retryAfterMs : undefined)
      await this.ctx.db.tx(async (q) => {
        await q.query(
          `UPDATE dossiers SET attempts = $2, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000), last_error = $4, touched_at = now() WHERE code = $1 AND lease_token = $5`,
          [code, attempts, delay, message, token],
        )
        await q.query(`UPDATE dossier_events SET state = 'failed', attempts = attempts + 1, last_error = $3 WHERE dossier_code = $1 AND seq = ANY($2::int[])`, [code, group.map((g) => g.seq), message])
        await q.query(
          `INSERT INTO delivery_attempts (dossier_code, first_seq, last_seq, operation, outcome, upstream_status, error_kind, message, latency_ms) VALUES ($1, $2, $3, $4, 'retry', $5, $6, $7, $8)`,
          [code, first.seq, last.seq, operation, status ?? null, kind, message, latency],
        )
      })
      await this.trigger(code, `retry${attempts}-${first.seq}`, delay)
      return 'retry'
    }
    await this.ctx.db.tx(async (q) => {
      await q.query(`UPDATE dossiers SET state = 'parked', parked_reason = $2, parked_at = now(), last_error = $2, touched_at = now() WHERE code = $1`, [code, message])
      await q.query(`UPDATE dossier_events SET state = 'parked', attempts = attempts + 1, last_error = $3 WHERE dossier_code = $1 AND seq = ANY($2::int[])`, [code, group.map((g) => g.seq), message])
      await q.query(
        `INSERT INTO delivery_attempts (dossier_code, first_seq, last_seq, operation, outcome, upstream_status, error_kind, message, latency_ms) VALUES ($1, $2, $3, $4, 'parked', $5, $6, $7, $8)`,
        [code, first.seq, last.seq, operation, status ?? null, kind, message, latency],
      )
    })
    this.metrics.parked.inc()
    this.ctx.logger.warn({ dossierCode: code, seq: first.seq, reason: message }, 'dossier parked after a permanent rejection')
    return 'parked'
  }

  // ---------------------------------------------------------------- reconciler

  /** Re-enqueues dossiers with undelivered events whose trigger was lost (crash, flushed Redis). */
  async reconcile(): Promise<number> {
    const { rows } = await this.ctx.db.query<{ code: string; last_seq: number }>(
      `SELECT code, last_seq FROM dossiers
       WHERE delivered_seq < last_seq AND state = 'active'
         AND (lease_until IS NULL OR lease_until < now())
         AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         AND touched_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY touched_at LIMIT 2000`,
      [this.ctx.config.RECONCILE_GRACE_MS],
    )
    if (rows.length === 0) return 0
    await this.queue.addBulk(
      rows.map((r) => ({
        name: 'drain',
        data: { dossierCode: r.code } satisfies DrainJob,
        opts: { jobId: jobId(r.code, `r${r.last_seq}`), ...DRAIN_JOB_OPTIONS },
      })),
    )
    return rows.length
  }

  async startWorkers(): Promise<void> {
    this.ctx.queues.startWorker({ name: QUEUES.dossierSync, processor: (job) => this.drain(job as Job<DrainJob>) }, this.ctx.config.WORKER_CONCURRENCY)
    const tick = async () => {
      try {
        const n = await this.reconcile()
        if (n) this.ctx.logger.info({ dossiers: n }, 'reconciler re-enqueued dossiers with undelivered events')
      } catch (e) {
        this.ctx.logger.warn({ err: { message: (e as Error).message } }, 'reconciler pass failed')
      }
    }
    this.reconcileTimer = setInterval(() => void tick(), this.ctx.config.RECONCILE_INTERVAL_MS)
    this.reconcileTimer.unref()
  }

  async stop(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer)
  }

  // ---------------------------------------------------------------- queries and operators

  /** Delivery state of a dossier's events; another agency's dossier is unknown to the client. */
  async syncState(dossierCode: string, client: Client): Promise<DossierSync> {
    const { rows } = await this.ctx.db.query<{ seq: number; event_id: string; kind: 'upsert' | 'event'; state: DossierSync['events'][number]['state']; attempts: number; last_error: string | null; accepted_at: Date; delivered_at: Date | null }>(
      `SELECT e.seq, e.event_id, e.kind, e.state, e.attempts, e.last_error, e.accepted_at, e.delivered_at
       FROM dossier_events e JOIN dossiers d ON d.code = e.dossier_code
       WHERE e.dossier_code = $1 AND ('*' = ANY($2::text[]) OR d.agency_code = ANY($2::text[])) ORDER BY e.seq`,
      [dossierCode, ClientRegistry.agencyList(client)],
    )
    if (rows.length === 0) throw new HubError('HUB_ERR_NOT_FOUND', `dossier ${dossierCode} is unknown`)
    return {
      dossierCode,
      events: rows.map((r) => ({
        seq: r.seq,
        eventId: r.event_id,
        kind: r.kind,
        state: r.state,
        attempts: r.attempts,
        ...(r.last_error ? { lastError: r.last_error } : {}),
        acceptedAt: iso(r.accepted_at)!,
        ...(r.delivered_at ? { deliveredAt: iso(r.delivered_at) } : {}),
      })),
    }
  }

  async list(state: 'parked' | 'failed' | 'pending', limit: number, offset: number): Promise<DossierListItem[]> {
    const where =
      state === 'parked' ? `state = 'parked'` : state === 'failed' ? `state = 'active' AND attempts > 0 AND delivered_seq < last_seq` : `state = 'active' AND delivered_seq < last_seq`
    const { rows } = await this.ctx.db.query<{ code: string; state: 'active' | 'parked'; pending: number; attempts: number; last_error: string | null; parked_reason: string | null; parked_at: Date | null; next_attempt_at: Date | null }>(
      `SELECT code, state, last_seq - delivered_seq AS pending, attempts, last_error, parked_reason, parked_at, next_attempt_at
       FROM dossiers WHERE ${where} ORDER BY touched_at LIMIT $1 OFFSET $2`,
      [limit, offset],
    )
    return rows.map((r) => ({
      dossierCode: r.code,
      state: r.state,
      pendingEvents: r.pending,
      attempts: r.attempts,
      ...(r.last_error ? { lastError: r.last_error } : {}),
      ...(r.parked_reason ? { parkedReason: r.parked_reason } : {}),
      ...(r.parked_at ? { parkedAt: iso(r.parked_at) } : {}),
      ...(r.next_attempt_at ? { nextAttemptAt: iso(r.next_attempt_at) } : {}),
    }))
  }

  /** Puts a parked dossier (or all) back in line; returns the dossiers replayed. */
  async replay(dossierCode?: string): Promise<string[]> {
    const { rows } = await this.ctx.db.tx(async (q) => {
      const r = await q.query<{ code: string; last_seq: number }>(
        `UPDATE dossiers SET state = 'active', attempts = 0, next_attempt_at = NULL, parked_reason = NULL, parked_at = NULL, touched_at = now()
         WHERE state = 'parked' AND ($1::text IS NULL OR code = $1) RETURNING code, last_seq`,
        [dossierCode ?? null],
      )
      if (r.rows.length) await q.query(`UPDATE dossier_events SET state = 'pending' WHERE state = 'parked' AND dossier_code = ANY($1::text[])`, [r.rows.map((x) => x.code)])
      return r
    })
    if (dossierCode && rows.length === 0) {
      const exists = await this.ctx.db.query('SELECT 1 FROM dossiers WHERE code = $1', [dossierCode])
      throw exists.rowCount ? new HubError('HUB_ERR_CONFLICT', `dossier ${dossierCode} is not parked`) : new HubError('HUB_ERR_NOT_FOUND', `dossier ${dossierCode} is unknown`)
    }
    for (const r of rows) await this.trigger(r.code, `replay${r.last_seq}-${Date.now()}`)
    return rows.map((r) => r.code)
  }

  async attempts(dossierCode: string, limit = 200) {
    const { rows } = await this.ctx.db.query<{ at: Date; first_seq: number; last_seq: number; operation: string; outcome: string; upstream_status: number | null; error_kind: string | null; message: string | null; latency_ms: number }>(
      `SELECT at, first_seq, last_seq, operation, outcome, upstream_status, error_kind, message, latency_ms FROM delivery_attempts WHERE dossier_code = $1 ORDER BY id DESC LIMIT $2`,
      [dossierCode, limit],
    )
    return rows.map((r) => ({
      at: iso(r.at)!,
      firstSeq: r.first_seq,
      lastSeq: r.last_seq,
      operation: r.operation,
      outcome: r.outcome,
      ...(r.upstream_status !== null ? { upstreamStatus: r.upstream_status } : {}),
      ...(r.error_kind ? { errorKind: r.error_kind } : {}),
      ...(r.message ? { message: r.message } : {}),
      latencyMs: r.latency_ms,
    }))
  }
}
