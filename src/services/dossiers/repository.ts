import type { DossierSync, DossierUpsert } from '../../../schemas/v1/dossier.js'
import type { Db, Queryable } from '../../store/index.js'
import { iso } from '../../lib/time.js'
import { syncedFactsCte, upsertFactsCte } from '../indicators/facts/repository.js'
import { upsertFacts } from '../indicators/facts/derive.js'

/**
 * Every SQL statement of dossier status sync: intake (one statement per event), the
 * drain's lease and delivery bookkeeping, failures and parking, the reconciler's pick,
 * and the operator/client queries with their row shaping. Transactions are the ones
 * the service always used; nothing here decides policy.
 */

import { storeEvent, type StoreEventArgs } from './events/repository.js'
import type { EventRow, StoredRow, KnownEvent, DossierListItem, DeliveryAttempt, FailedDelivery, DossierListState } from './types.js'
/** One delivered group, for {@link DossierRepository.markDelivered}. */
export interface DeliveredArgs {
  code: string
  token: string
  seqs: number[]
  portalKnown: boolean
  leaseMs: number
  operation: string
  latencyMs: number
}
export type { EventPayload, EventRow, StoredRow, KnownEvent, DossierListItem, DeliveryAttempt, FailedDelivery, DossierListState } from './types.js'

const EVENT_COLUMNS = 'seq, kind, payload, parts_done, accepted_at'
const notNull = <T extends { seq: number | null }>(rows: T[]) => rows.filter((r) => r.seq !== null) as (T & { seq: number })[]

/** A failed delivery of a group: its events' state and error, and one attempt row (retry or parked). */
async function recordFailure(q: Queryable, f: FailedDelivery, eventState: 'failed' | 'parked', outcome: 'retry' | 'parked'): Promise<void> {
  await q.query(`UPDATE dossier_events SET state = $4, attempts = attempts + 1, last_error = $3 WHERE dossier_code = $1 AND seq = ANY($2::int[])`, [
    f.code,
    f.seqs,
    f.message,
    eventState,
  ])
  await q.query(
    `INSERT INTO delivery_attempts (dossier_code, first_seq, last_seq, operation, outcome, upstream_status, error_kind, message, latency_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [f.code, f.seqs[0], f.seqs[f.seqs.length - 1], f.operation, outcome, f.status ?? null, f.kind, f.message, f.latencyMs],
  )
}

export class DossierRepository {
  /** `facts`: keep dossier_facts (indicators) current in the intake and delivery statements. */
  constructor(
    private readonly db: Db,
    private readonly facts = true,
  ) {}

  // ---------------------------------------------------------------- intake

  /**
   * Creates or updates a dossier and stores its upsert event, in one statement, unless
   * the (client, eventId) key is known; a dossier of an agency outside `agencies` is not
   * touched (seq null).
   */
  async storeUpsert(a: { dossier: Omit<DossierUpsert, 'eventId'>; eventId: string; clientId: string; agencies: string[]; hash: string }): Promise<StoredRow> {
    const { rows } = await this.db.query<StoredRow>(
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
         RETURNING seq)${this.facts ? upsertFactsCte(10) : ''}
       SELECT (SELECT fresh FROM guard) AS fresh, d.last_seq AS seq, COALESCE(d.lease_until > now(), false) AS leased,
              (SELECT count(*) FROM e) AS inserted
       FROM (SELECT 1) one LEFT JOIN d ON true`,
      [
        a.dossier.dossierCode,
        a.dossier.procedureCode,
        a.dossier.agencyCode,
        JSON.stringify(a.dossier),
        a.dossier.status,
        a.eventId,
        a.clientId,
        a.agencies,
        a.hash,
        ...(this.facts ? [JSON.stringify(upsertFacts(a.dossier))] : []),
      ],
    )
    return rows[0]!
  }

  /** Stores an event of an existing dossier in one statement (events/repository.ts). */
  storeEvent(a: StoreEventArgs): Promise<StoredRow> {
    return storeEvent(this.db, a, this.facts)
  }

  /** The event stored under a client's eventId, if any. */
  async findEvent(clientId: string, eventId: string): Promise<KnownEvent | undefined> {
    const { rows } = await this.db.query<KnownEvent>('SELECT dossier_code, seq, body_sha256 FROM dossier_events WHERE client_id = $1 AND event_id = $2', [
      clientId,
      eventId,
    ])
    return rows[0]
  }

  // ---------------------------------------------------------------- delivery

  /**
   * Takes the dossier's lease (free, active, something undelivered, and, unless
   * `ignoreBackoff`, not waiting for a retry) and reads its first events, one round trip.
   * The events come from the statement's snapshot; gaps are judged only by {@link readAfter}.
   */
  async lease(
    code: string,
    token: string,
    leaseMs: number,
    ignoreBackoff: boolean,
  ): Promise<{ portalKnown: boolean; deliveredSeq: number; events: EventRow[] } | undefined> {
    const { rows } = await this.db.query<{ portal_known: boolean; delivered_seq: number; seq: number | null } & Omit<EventRow, 'seq'>>(
      `WITH l AS (
         UPDATE dossiers SET lease_token = $2, lease_until = now() + make_interval(secs => $3::float8 / 1000)
         WHERE code = $1 AND state = 'active' AND delivered_seq < last_seq
           AND (lease_until IS NULL OR lease_until < now())
           AND ($4 OR next_attempt_at IS NULL OR next_attempt_at <= now())
         RETURNING code, portal_known, delivered_seq)
       SELECT l.portal_known, l.delivered_seq, e.seq, e.kind, e.payload, e.parts_done, e.accepted_at
       FROM l LEFT JOIN LATERAL (
         SELECT ${EVENT_COLUMNS} FROM dossier_events
         WHERE dossier_code = l.code AND seq > l.delivered_seq ORDER BY seq LIMIT 20) e ON true`,
      [code, token, leaseMs, ignoreBackoff],
    )
    const head = rows[0]
    if (!head) return undefined
    return { portalKnown: head.portal_known, deliveredSeq: head.delivered_seq, events: notNull(rows) }
  }

  /**
   * Releases the lease if everything is delivered; the dossier's last_seq when released.
   * An intake in flight holds the row, so this waits for it and then sees its event.
   */
  async releaseIfDrained(code: string, token: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ last_seq: number }>(
      `UPDATE dossiers SET lease_token = NULL, lease_until = NULL
       WHERE code = $1 AND lease_token = $2 AND delivered_seq >= last_seq RETURNING last_seq`,
      [code, token],
    )
    return rows[0]?.last_seq
  }

  /** The dossier's last_seq and its next events after `delivered`, in one snapshot. */
  async readAfter(code: string, delivered: number): Promise<{ lastSeq: number | undefined; events: EventRow[] }> {
    const { rows } = await this.db.query<{ last_seq: number; seq: number | null } & Omit<EventRow, 'seq'>>(
      `SELECT d.last_seq, e.seq, e.kind, e.payload, e.parts_done, e.accepted_at
       FROM dossiers d LEFT JOIN LATERAL (
         SELECT ${EVENT_COLUMNS} FROM dossier_events
         WHERE dossier_code = d.code AND seq > $2 ORDER BY seq LIMIT 20) e ON true
       WHERE d.code = $1`,
      [code, delivered],
    )
    return { lastSeq: rows[0]?.last_seq, events: notNull(rows) }
  }

  /** Closes a gap of sequence numbers without events, only if last_seq is still `lastSeq`. */
  async closeGap(code: string, token: string, lastSeq: number): Promise<boolean> {
    const r = await this.db.query(`UPDATE dossiers SET delivered_seq = $3 WHERE code = $1 AND lease_token = $2 AND last_seq = $3`, [code, token, lastSeq])
    return (r.rowCount ?? 0) > 0
  }

  async holdsLease(code: string, token: string): Promise<boolean> {
    const r = await this.db.query(`SELECT 1 FROM dossiers WHERE code = $1 AND lease_token = $2`, [code, token])
    return (r.rowCount ?? 0) > 0
  }

  /** Releases the lease; says whether events are still pending (committed meanwhile). Waits for any intake holding the row. */
  async release(code: string, token: string): Promise<{ pending: boolean; last_seq: number } | undefined> {
    const { rows } = await this.db.query<{ pending: boolean; last_seq: number }>(
      `UPDATE dossiers SET lease_token = NULL, lease_until = NULL WHERE code = $1 AND lease_token = $2
       RETURNING (state = 'active' AND delivered_seq < last_seq) AS pending, last_seq`,
      [code, token],
    )
    return rows[0]
  }

  /** Remembers that the dossier half of event `seq` reached the portal (its step has not). */
  async markDossierPartDone(code: string, seq: number, token: string): Promise<void> {
    await this.db.query(
      `WITH e AS (UPDATE dossier_events SET parts_done = 1 WHERE dossier_code = $1 AND seq = $2),
       d AS (UPDATE dossiers SET portal_known = true WHERE code = $1 AND lease_token = $3 RETURNING code)${this.facts ? syncedFactsCte('true') : ''}
       SELECT 1`,
      [code, seq, token],
    )
  }

  /** Marks events `seqs` delivered, renews the lease and logs the attempt; false when the lease was lost. */
  async markDelivered(a: DeliveredArgs): Promise<boolean> {
    return (await this.delivered(a, false)).ok
  }

  /**
   * {@link markDelivered}, and when the group was the dossier's last event (delivered_seq
   * reaches last_seq) also releases the lease in the same statement: the drain's final
   * releaseIfDrained without its round trip. An intake holding the row is waited for, as there.
   */
  deliveredOrReleased(a: DeliveredArgs): Promise<{ ok: boolean; releasedSeq?: number }> {
    return this.delivered(a, true)
  }

  private async delivered(a: DeliveredArgs, release: boolean): Promise<{ ok: boolean; releasedSeq?: number }> {
    const { rows } = await this.db.query<{ released: boolean; last_seq: number }>(
      `WITH d AS (
         UPDATE dossiers SET delivered_seq = $2, portal_known = portal_known OR $3, attempts = 0, next_attempt_at = NULL, last_error = NULL,
           lease_token = CASE WHEN $10 AND $2 >= last_seq THEN NULL ELSE lease_token END,
           lease_until = CASE WHEN $10 AND $2 >= last_seq THEN NULL ELSE now() + make_interval(secs => $5::float8 / 1000) END, touched_at = now()
         WHERE code = $1 AND lease_token = $4 RETURNING code, lease_token IS NULL AS released, last_seq),
       e AS (
         UPDATE dossier_events SET state = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL
         WHERE dossier_code IN (SELECT code FROM d) AND seq = ANY($6::int[])),
       a AS (
         INSERT INTO delivery_attempts (dossier_code, first_seq, last_seq, operation, outcome, upstream_status, latency_ms)
         SELECT code, $7, $2, $8, 'delivered', 200, $9 FROM d)${this.facts ? syncedFactsCte('$3') : ''}
       SELECT released, last_seq FROM d`,
      [a.code, a.seqs[a.seqs.length - 1], a.portalKnown, a.token, a.leaseMs, a.seqs, a.seqs[0], a.operation, a.latencyMs, release],
    )
    const r = rows[0]
    if (!r) return { ok: false }
    return r.released ? { ok: true, releasedSeq: r.last_seq } : { ok: true }
  }

  /** A transient failure: count it, hold the dossier until `retryInMs`, log the attempt. Returns the dossier's consecutive failures. */
  async recordRetry(f: FailedDelivery, token: string, retryInMs: number): Promise<number> {
    return this.db.tx(async (q) => {
      const { rows } = await q.query<{ attempts: number }>(
        `UPDATE dossiers SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000), last_error = $3, touched_at = now()
         WHERE code = $1 AND lease_token = $4 RETURNING attempts`,
        [f.code, retryInMs, f.message, token],
      )
      await recordFailure(q, f, 'failed', 'retry')
      return rows[0]?.attempts ?? 0
    })
  }

  /** A permanent rejection: the dossier is parked (a dead letter) until an operator replays it. */
  async park(f: FailedDelivery): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(`UPDATE dossiers SET state = 'parked', parked_reason = $2, parked_at = now(), last_error = $2, touched_at = now() WHERE code = $1`, [
        f.code,
        f.message,
      ])
      await recordFailure(q, f, 'parked', 'parked')
    })
  }

  /** Active dossiers with undelivered events, no lease, no retry due later, untouched for `graceMs`: their trigger may be lost. */
  async stalled(graceMs: number, limit = 2000): Promise<{ code: string; last_seq: number }[]> {
    const { rows } = await this.db.query<{ code: string; last_seq: number }>(
      `SELECT code, last_seq FROM dossiers
       WHERE delivered_seq < last_seq AND state = 'active'
         AND (lease_until IS NULL OR lease_until < now())
         AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         AND touched_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY touched_at LIMIT $2`,
      [graceMs, limit],
    )
    return rows
  }

  /** Count of undelivered events and the age of the oldest (seconds), for the gauge. */
  async undelivered(): Promise<{ n: number; age: number | null }> {
    const { rows } = await this.db.query<{ n: number; age: number | null }>(
      `SELECT count(*)::int8 AS n, EXTRACT(EPOCH FROM now() - min(accepted_at))::float8 AS age FROM dossier_events WHERE state <> 'delivered'`,
    )
    return rows[0] ?? { n: 0, age: null }
  }

  // ---------------------------------------------------------------- queries and operators

  /** Delivery state of a dossier's events, or undefined when unknown or of an agency outside `agencies`. */
  async syncState(dossierCode: string, agencies: string[]): Promise<DossierSync | undefined> {
    const { rows } = await this.db.query<{
      seq: number
      event_id: string
      kind: 'upsert' | 'event'
      state: DossierSync['events'][number]['state']
      attempts: number
      last_error: string | null
      accepted_at: Date
      delivered_at: Date | null
    }>(
      `SELECT e.seq, e.event_id, e.kind, e.state, e.attempts, e.last_error, e.accepted_at, e.delivered_at
       FROM dossier_events e JOIN dossiers d ON d.code = e.dossier_code
       WHERE e.dossier_code = $1 AND ('*' = ANY($2::text[]) OR d.agency_code = ANY($2::text[])) ORDER BY e.seq`,
      [dossierCode, agencies],
    )
    if (rows.length === 0) return undefined
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

  /** Dossiers parked (dead letters), failed (retrying) or pending, least recently touched first. */
  async list(state: DossierListState, limit: number, offset: number): Promise<DossierListItem[]> {
    const where =
      state === 'parked'
        ? `state = 'parked'`
        : state === 'failed'
          ? `state = 'active' AND attempts > 0 AND delivered_seq < last_seq`
          : `state = 'active' AND delivered_seq < last_seq`
    const { rows } = await this.db.query<{
      code: string
      state: 'active' | 'parked'
      pending: number
      attempts: number
      last_error: string | null
      parked_reason: string | null
      parked_at: Date | null
      next_attempt_at: Date | null
    }>(
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

  /** Puts a parked dossier (or every parked one) back in line, its parked events pending again. */
  async unpark(dossierCode?: string): Promise<{ code: string; last_seq: number }[]> {
    return this.db.tx(async (q) => {
      const r = await q.query<{ code: string; last_seq: number }>(
        `UPDATE dossiers SET state = 'active', attempts = 0, next_attempt_at = NULL, parked_reason = NULL, parked_at = NULL, touched_at = now()
         WHERE state = 'parked' AND ($1::text IS NULL OR code = $1) RETURNING code, last_seq`,
        [dossierCode ?? null],
      )
      if (r.rows.length)
        await q.query(`UPDATE dossier_events SET state = 'pending' WHERE state = 'parked' AND dossier_code = ANY($1::text[])`, [r.rows.map((x) => x.code)])
      return r.rows
    })
  }

  async agencyOf(dossierCode: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ agency_code: string }>('SELECT agency_code FROM dossiers WHERE code = $1', [dossierCode])
    return rows[0]?.agency_code
  }

  async exists(dossierCode: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM dossiers WHERE code = $1', [dossierCode])
    return (r.rowCount ?? 0) > 0
  }

  /** Delivery attempts of one dossier, newest first. */
  async attempts(dossierCode: string, limit: number): Promise<DeliveryAttempt[]> {
    const { rows } = await this.db.query<{
      at: Date
      first_seq: number
      last_seq: number
      operation: string
      outcome: string
      upstream_status: number | null
      error_kind: string | null
      message: string | null
      latency_ms: number
    }>(
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
