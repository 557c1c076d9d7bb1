import type { Db, Queryable } from '../../store/index.js'

/** A document row as read back (snake_case as stored). */
export interface DocumentRow {
  id: string
  direction: 'out' | 'in'
  agency: string
  peer: string
  receivers: string[]
  business_type: string
  edxml_document_id: string
  code: string | null
  subject: string | null
  meta: Record<string, unknown>
  state: string
  state_reason: string | null
  related_id: string | null
  changed_by: string | null
  axis_doc_id: string | null
  signature: string | null
  client_id: string | null
  idempotency_key: string | null
  body_sha256: string | null
  inbox_seq: number | null
  acked_at: Date | null
  created_at: Date
}

export interface AttachmentRow {
  document_id: string
  n: number
  name: string
  content_type: string
  size: number
  sha256: string
}

export interface StatusRow {
  id: number
  document_id: string
  direction: 'out' | 'in'
  code: string
  description: string | null
  at: string
  created_at: Date
  delivery: string | null
}

export interface OutboxRow {
  id: number
  document_id: string
  kind: 'document' | 'status'
  status_id: number | null
  sender: string
  edxml_sha256: string
  state: 'pending' | 'sent' | 'parked'
  attempts: number
}

export interface NewDocument {
  id: string
  direction: 'out' | 'in'
  agency: string
  peer: string
  receivers: string[]
  businessType: string
  edxmlDocumentId: string
  code: string | null
  subject: string | null
  meta: Record<string, unknown>
  state: string
  relatedId: string | null
  axisDocId: string | null
  dedupKey: string | null
  edxmlSha256: string | null
  signature: string | null
  clientId: string | null
  idempotencyKey: string | null
  bodySha256: string | null
  attachments: { name: string; contentType: string; size: number; sha256: string }[]
}

export const DOCUMENT_COLUMNS = `id, direction, agency, peer, receivers, business_type, edxml_document_id, code, subject, meta, state, state_reason, related_id,
  changed_by, axis_doc_id, signature, client_id, idempotency_key, body_sha256, inbox_seq, acked_at, created_at`

/**
 * All SQL of the document exchange's send side, the outbox and the shared reads (the
 * receive side extends it in receive/repository.ts). Outbox rows of one document are
 * delivered in id order by the one worker holding the document's `send_lease_until`; a
 * parked row holds back the rows after it.
 */
export class DocumentRepository {
  constructor(readonly db: Db) {}

  /** Inserts a document and its attachments (in `q`'s transaction); inbox documents get the next cursor under one lock. */
  async insertDocument(q: Queryable, d: NewDocument): Promise<void> {
    if (d.direction === 'in') await q.query(`SELECT pg_advisory_xact_lock(7001)`)
    await q.query(
      `INSERT INTO documents (id, direction, agency, peer, receivers, business_type, edxml_document_id, code, subject, meta, state, related_id, axis_doc_id,
         dedup_key, edxml_sha256, signature, client_id, idempotency_key, body_sha256, inbox_seq)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16, $17, $18, $19,
         CASE WHEN $2 = 'in' THEN nextval('documents_inbox_seq') END)`,
      [
        d.id,
        d.direction,
        d.agency,
        d.peer,
        JSON.stringify(d.receivers),
        d.businessType,
        d.edxmlDocumentId,
        d.code,
        d.subject,
        JSON.stringify(d.meta),
        d.state,
        d.relatedId,
        d.axisDocId,
        d.dedupKey,
        d.edxmlSha256,
        d.signature,
        d.clientId,
        d.idempotencyKey,
        d.bodySha256,
      ],
    )
    let n = 0
    for (const a of d.attachments)
      await q.query(`INSERT INTO document_attachments (document_id, n, name, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5, $6)`, [
        d.id,
        ++n,
        a.name,
        a.contentType,
        a.size,
        a.sha256,
      ])
  }

  async enqueueOutbox(q: Queryable, documentId: string, kind: 'document' | 'status', sender: string, edxmlSha256: string, statusId: number | null) {
    await q.query(`INSERT INTO document_outbox (document_id, kind, status_id, sender, edxml_sha256) VALUES ($1, $2, $3, $4, $5)`, [
      documentId,
      kind,
      statusId,
      sender,
      edxmlSha256,
    ])
  }

  /** A status of a document (`out`: posted here; `in`: received); undefined when its dedup key is known. */
  async insertStatus(
    q: Queryable,
    s: { documentId: string; direction: 'out' | 'in'; code: string; description?: string; staff?: unknown; at: string; dedupKey: string },
  ): Promise<number | undefined> {
    const { rows } = await q.query<{ id: number }>(
      `INSERT INTO document_statuses (document_id, direction, code, description, staff, at, dedup_key) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
       ON CONFLICT (document_id, direction, dedup_key) DO NOTHING RETURNING id`,
      [s.documentId, s.direction, s.code, s.description ?? null, s.staff === undefined ? null : JSON.stringify(s.staff), s.at, s.dedupKey],
    )
    return rows[0]?.id
  }

  async statusByKey(documentId: string, dedupKey: string): Promise<{ id: number; code: string } | undefined> {
    const { rows } = await this.db.query<{ id: number; code: string }>(
      `SELECT id, code FROM document_statuses WHERE document_id = $1 AND direction = 'out' AND dedup_key = $2`,
      [documentId, dedupKey],
    )
    return rows[0]
  }

  async byKey(clientId: string, key: string): Promise<DocumentRow | undefined> {
    const { rows } = await this.db.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE client_id = $1 AND idempotency_key = $2`, [
      clientId,
      key,
    ])
    return rows[0]
  }

  async byId(id: string): Promise<DocumentRow | undefined> {
    const { rows } = await this.db.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE id = $1`, [id])
    return rows[0]
  }

  async attachments(id: string): Promise<AttachmentRow[]> {
    const { rows } = await this.db.query<AttachmentRow>(
      `SELECT document_id, n, name, content_type, size, sha256 FROM document_attachments WHERE document_id = $1 ORDER BY n`,
      [id],
    )
    return rows
  }

  /** The timeline: statuses in the order they were recorded, with the outbox state of the ones sent from here. */
  async timeline(id: string): Promise<StatusRow[]> {
    const { rows } = await this.db.query<StatusRow>(
      `SELECT s.id, s.document_id, s.direction, s.code, s.description, s.at, s.created_at, o.state AS delivery
       FROM document_statuses s LEFT JOIN document_outbox o ON o.status_id = s.id WHERE s.document_id = $1 ORDER BY s.id`,
      [id],
    )
    return rows
  }

  // ---------------------------------------------------------------- outbox delivery

  async claimSend(documentId: string, leaseMs: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE documents SET send_lease_until = now() + make_interval(secs => $2::float8 / 1000)
       WHERE id = $1 AND (send_lease_until IS NULL OR send_lease_until < now()) RETURNING id`,
      [documentId, leaseMs],
    )
    return rows.length > 0
  }

  async releaseSend(documentId: string): Promise<void> {
    await this.db.query(`UPDATE documents SET send_lease_until = NULL WHERE id = $1`, [documentId])
  }

  /** The next undelivered outbox row of a document (a parked one stops the line). */
  async nextOutbox(documentId: string): Promise<OutboxRow | undefined> {
    const { rows } = await this.db.query<OutboxRow>(
      `SELECT id, document_id, kind, status_id, sender, edxml_sha256, state, attempts FROM document_outbox
       WHERE document_id = $1 AND state <> 'sent' ORDER BY id LIMIT 1`,
      [documentId],
    )
    return rows[0]
  }

  async markSent(row: OutboxRow, axisDocId: string): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(`UPDATE document_outbox SET state = 'sent', sent_at = now(), attempts = attempts + 1, axis_doc_id = $2, last_error = NULL WHERE id = $1`, [
        row.id,
        axisDocId,
      ])
      if (row.kind === 'document')
        await q.query(`UPDATE documents SET state = 'sent', axis_doc_id = $2, state_reason = NULL, updated_at = now() WHERE id = $1`, [
          row.document_id,
          axisDocId,
        ])
    })
  }

  /** A transient failure: counted; the job's retry owns the row for `holdMs` (the reconciler keeps off). */
  async recordRetry(row: OutboxRow, error: string, holdMs: number): Promise<void> {
    await this.db.query(
      `UPDATE document_outbox SET attempts = attempts + 1, last_error = $2, hold_until = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1`,
      [row.id, error, holdMs],
    )
  }

  /** A permanent refusal: the row waits for an operator with the axis's reason; a document row shows it. */
  async park(row: OutboxRow, reason: string): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(`UPDATE document_outbox SET state = 'parked', attempts = attempts + 1, last_error = $2 WHERE id = $1`, [row.id, reason])
      await q.query(
        `UPDATE documents SET state = CASE WHEN $3 = 'document' THEN 'parked' ELSE state END, state_reason = $2, updated_at = now() WHERE id = $1`,
        [row.document_id, reason, row.kind],
      )
    })
  }

  /** Parked rows (of one document, or all) put back in line; returns the documents concerned. */
  async unpark(documentId?: string): Promise<string[]> {
    const { rows } = await this.db.query<{ document_id: string }>(
      `UPDATE document_outbox SET state = 'pending', hold_until = NULL WHERE state = 'parked' AND ($1::uuid IS NULL OR document_id = $1) RETURNING document_id`,
      [documentId ?? null],
    )
    await this.db.query(`UPDATE documents SET state = 'pending', state_reason = NULL WHERE state = 'parked' AND ($1::uuid IS NULL OR id = $1)`, [
      documentId ?? null,
    ])
    return [...new Set(rows.map((r) => r.document_id))]
  }

  /** Documents with pending outbox rows that no job holds (lost trigger, crashed worker, attempts run out). */
  async sendsToResume(graceMs: number, limit = 500): Promise<string[]> {
    const { rows } = await this.db.query<{ document_id: string }>(
      `SELECT DISTINCT o.document_id FROM document_outbox o JOIN documents d ON d.id = o.document_id
       WHERE o.state = 'pending' AND o.created_at < now() - make_interval(secs => $1::float8 / 1000)
         AND (o.hold_until IS NULL OR o.hold_until < now()) AND (d.send_lease_until IS NULL OR d.send_lease_until < now())
       LIMIT $2`,
      [graceMs, limit],
    )
    return rows.map((r) => r.document_id)
  }

  async outboxList(state: 'pending' | 'parked' | 'sent', limit: number) {
    const { rows } = await this.db.query<{
      id: number
      document_id: string
      kind: string
      state: string
      attempts: number
      last_error: string | null
      created_at: Date
    }>(`SELECT id, document_id, kind, state, attempts, last_error, created_at FROM document_outbox WHERE state = $1 ORDER BY id DESC LIMIT $2`, [state, limit])
    return rows
  }

  // ---------------------------------------------------------------- agencies

  async upsertAgencies(list: { organId: string; name: string; parentId?: string; active: boolean }[]): Promise<number> {
    return this.db.tx(async (q) => {
      // Agencies no longer listed are gone from the axis: recipients are then unknown.
      await q.query(`DELETE FROM vdxp_agencies WHERE NOT (organ_id = ANY($1::text[]))`, [list.map((a) => a.organId)])
      for (const a of list)
        await q.query(
          `INSERT INTO vdxp_agencies (organ_id, name, parent_id, active, synced_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (organ_id) DO UPDATE SET name = EXCLUDED.name, parent_id = EXCLUDED.parent_id, active = EXCLUDED.active, synced_at = now()`,
          [a.organId, a.name, a.parentId ?? null, a.active],
        )
      return list.length
    })
  }

  async agencies(): Promise<{ organ_id: string; name: string; parent_id: string | null; active: boolean }[]> {
    return (
      await this.db.query<{ organ_id: string; name: string; parent_id: string | null; active: boolean }>(
        `SELECT organ_id, name, parent_id, active FROM vdxp_agencies ORDER BY organ_id`,
      )
    ).rows
  }

  // ---------------------------------------------------------------- metrics

  async counts(): Promise<{ direction: string; state: string; n: number }[]> {
    return (await this.db.query<{ direction: string; state: string; n: number }>(`SELECT direction, state, count(*)::int AS n FROM documents GROUP BY 1, 2`))
      .rows
  }

  async statusCounts(): Promise<{ direction: string; code: string; n: number }[]> {
    return (
      await this.db.query<{ direction: string; code: string; n: number }>(`SELECT direction, code, count(*)::int AS n FROM document_statuses GROUP BY 1, 2`)
    ).rows
  }

  async oldestUnacked(): Promise<{ n: number; age: number | null }> {
    const { rows } = await this.db.query<{ n: number; age: number | null }>(
      `SELECT count(*)::int AS n, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS age FROM documents WHERE direction = 'in' AND acked_at IS NULL`,
    )
    return rows[0] ?? { n: 0, age: null }
  }
}
