import type { Queryable } from '../../../store/index.js'
import { DOCUMENT_COLUMNS, DocumentRepository, type DocumentRow } from '../repository.js'

export interface ReceivedRow {
  axis_doc_id: string
  outcome: 'stored' | 'duplicate' | 'failed'
  acked: boolean
}

/**
 * All SQL of the receive side and the province's inbox: what the pollers took from the
 * axis (`vdxp_received`, the dedup by axis id and the acknowledgement owed), where each
 * poller's window got to, business changes applied to stored documents, the inbox cursor.
 */
export class ReceiveRepository extends DocumentRepository {
  async received(agency: string, axisDocIds: string[]): Promise<Map<string, ReceivedRow>> {
    if (axisDocIds.length === 0) return new Map()
    const { rows } = await this.db.query<ReceivedRow>(
      `SELECT axis_doc_id, outcome, acked FROM vdxp_received WHERE agency = $1 AND axis_doc_id = ANY($2::text[])`,
      [agency, axisDocIds],
    )
    return new Map(rows.map((r) => [r.axis_doc_id, r]))
  }

  async recordReceived(
    q: Queryable,
    r: { agency: string; axisDocId: string; messageType: 'edoc' | 'status'; outcome: 'stored' | 'duplicate' | 'failed'; reason?: string; documentId?: string },
  ): Promise<boolean> {
    const { rows } = await q.query(
      `INSERT INTO vdxp_received (agency, axis_doc_id, message_type, outcome, reason, document_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (agency, axis_doc_id) DO NOTHING RETURNING axis_doc_id`,
      [r.agency, r.axisDocId, r.messageType, r.outcome, r.reason ?? null, r.documentId ?? null],
    )
    return rows.length > 0
  }

  /** `sent`: this process sent the acknowledgement (counted); false: the axis's list shows it already took one. */
  async markAcked(agency: string, axisDocId: string, sent = true): Promise<void> {
    await this.db.query(`UPDATE vdxp_received SET acked = true, ack_count = ack_count + $3 WHERE agency = $1 AND axis_doc_id = $2`, [
      agency,
      axisDocId,
      sent ? 1 : 0,
    ])
  }

  /** A received document already stored under this dedup key (the same message sent twice). */
  async receivedByDedup(agency: string, dedupKey: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(`SELECT id FROM documents WHERE direction = 'in' AND agency = $1 AND dedup_key = $2`, [
      agency,
      dedupKey,
    ])
    return rows[0]?.id
  }

  /** The latest document with this edXML DocumentId on one side (a revoke/update/replace target, a status's document). */
  async byEdxmlId(direction: 'in' | 'out', agency: string, edxmlDocumentId: string): Promise<DocumentRow | undefined> {
    const { rows } = await this.db.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE direction = $1 AND agency = $2 AND edxml_document_id = $3 AND business_type = 'new'
       ORDER BY created_at DESC LIMIT 1`,
      [direction, agency, edxmlDocumentId],
    )
    return rows[0]
  }

  /** A sent document by edXML DocumentId, whichever of the hub's agencies sent it. */
  async sentByEdxmlId(edxmlDocumentId: string): Promise<DocumentRow | undefined> {
    const { rows } = await this.db.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE direction = 'out' AND edxml_document_id = $1 AND business_type = 'new' ORDER BY created_at DESC LIMIT 1`,
      [edxmlDocumentId],
    )
    return rows[0]
  }

  /** Applies a revoke/update/replace to the stored document: its state and a link to the message that changed it. */
  async applyChange(q: Queryable, targetId: string, state: string, changedBy: string, reason: string | null): Promise<void> {
    await q.query(`UPDATE documents SET state = $2, changed_by = $3, state_reason = $4, updated_at = now() WHERE id = $1`, [targetId, state, changedBy, reason])
  }

  async setReason(q: Queryable, id: string, reason: string): Promise<void> {
    await q.query(`UPDATE documents SET state_reason = $2 WHERE id = $1`, [id, reason])
  }

  // ---------------------------------------------------------------- poll windows

  async windowStart(agency: string, messageType: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ last_window_start_ms: number }>(
      `SELECT last_window_start_ms FROM vdxp_poll_state WHERE agency = $1 AND message_type = $2`,
      [agency, messageType],
    )
    return rows[0]?.last_window_start_ms
  }

  /**
   * One poller per agency at a time, across worker processes (the `lease` row of vdxp_poll_state holds
   * the lease's end, database clock, epoch ms): two polls of one list would race on the order of its statuses.
   */
  async claimPoll(agency: string, leaseMs: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO vdxp_poll_state (agency, message_type, last_window_start_ms) VALUES ($1, 'lease', (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $2)
       ON CONFLICT (agency, message_type) DO UPDATE SET last_window_start_ms = EXCLUDED.last_window_start_ms, polled_at = now()
       WHERE vdxp_poll_state.last_window_start_ms < (extract(epoch FROM clock_timestamp()) * 1000)::bigint RETURNING agency`,
      [agency, leaseMs],
    )
    return rows.length > 0
  }

  async renewPoll(agency: string, leaseMs: number): Promise<void> {
    await this.db.query(
      `UPDATE vdxp_poll_state SET last_window_start_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $2 WHERE agency = $1 AND message_type = 'lease'`,
      [agency, leaseMs],
    )
  }

  async releasePoll(agency: string): Promise<void> {
    await this.db.query(`UPDATE vdxp_poll_state SET last_window_start_ms = 0 WHERE agency = $1 AND message_type = 'lease'`, [agency])
  }

  async recordWindow(agency: string, messageType: string, startMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO vdxp_poll_state (agency, message_type, last_window_start_ms) VALUES ($1, $2, $3)
       ON CONFLICT (agency, message_type) DO UPDATE SET last_window_start_ms = EXCLUDED.last_window_start_ms, polled_at = now()`,
      [agency, messageType, startMs],
    )
  }

  // ---------------------------------------------------------------- inbox

  async inbox(after: number, limit: number, agencies: readonly string[] | null, unacked: boolean): Promise<DocumentRow[]> {
    const { rows } = await this.db.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE direction = 'in' AND inbox_seq > $1 AND ($3::text[] IS NULL OR agency = ANY($3::text[]))
         AND (NOT $4 OR acked_at IS NULL) ORDER BY inbox_seq LIMIT $2`,
      [after, limit, agencies, unacked],
    )
    return rows
  }

  /** The province acknowledged a received document; `first` is false when it already had. */
  async ack(id: string, clientId: string): Promise<{ ackedAt: Date; first: boolean } | undefined> {
    const { rows } = await this.db.query<{ acked_at: Date }>(
      `UPDATE documents SET acked_at = now(), acked_by = $2, updated_at = now() WHERE id = $1 AND direction = 'in' AND acked_at IS NULL RETURNING acked_at`,
      [id, clientId],
    )
    if (rows[0]) return { ackedAt: rows[0].acked_at, first: true }
    const prior = await this.db.query<{ acked_at: Date | null }>(`SELECT acked_at FROM documents WHERE id = $1 AND direction = 'in'`, [id])
    const at = prior.rows[0]?.acked_at
    return at ? { ackedAt: at, first: false } : undefined
  }

  async knownAgencies(ids: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.db.query<{ organ_id: string }>(`SELECT organ_id FROM vdxp_agencies WHERE organ_id = ANY($1::text[])`, [ids])
    return new Set(rows.map((r) => r.organ_id))
  }

  async agencyCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM vdxp_agencies`)
    return rows[0]?.n ?? 0
  }

  // ---------------------------------------------------------------- webhook

  /** The next received document the webhook owes, in inbox order (a parked one stops the line). */
  async nextWebhook(): Promise<(DocumentRow & { webhook_state: string; webhook_attempts: number }) | undefined> {
    const { rows } = await this.db.query<DocumentRow & { webhook_state: string; webhook_attempts: number }>(
      `SELECT ${DOCUMENT_COLUMNS}, webhook_state, webhook_attempts FROM documents WHERE direction = 'in' AND webhook_state IN ('pending', 'parked')
       ORDER BY inbox_seq LIMIT 1`,
    )
    return rows[0]
  }

  async webhookDone(id: string, state: 'delivered' | 'parked', error: string | null): Promise<void> {
    await this.db.query(`UPDATE documents SET webhook_state = $2, webhook_error = $3, webhook_attempts = webhook_attempts + 1 WHERE id = $1`, [
      id,
      state,
      error,
    ])
  }

  async webhookFailed(id: string, error: string): Promise<void> {
    await this.db.query(`UPDATE documents SET webhook_attempts = webhook_attempts + 1, webhook_error = $2 WHERE id = $1`, [id, error])
  }

  async setWebhookPending(q: Queryable, id: string): Promise<void> {
    await q.query(`UPDATE documents SET webhook_state = 'pending' WHERE id = $1`, [id])
  }
}
