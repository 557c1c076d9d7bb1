import type { Queryable } from '../../../store/index.js'

/** What the console shows of any document (no attachments, no status staff). */
interface DocumentColumns {
  id: string
  agency: string
  peer: string
  code: string | null
  subject: string | null
  business_type: string
  state: string
  state_reason: string | null
  created_at: Date
  acked_at: Date | null
}

/** A received document as the operators' inbox lists it. */
export interface InboxRow extends DocumentColumns {
  inbox_seq: string
  last_code: string | null
  last_direction: 'in' | 'out' | null
  last_at: Date | null
}

export interface InboxFilter {
  /** Newest first: only documents with an inbox cursor below this one. */
  before: number | null
  state: string | null
  /** The receiving agency's significant suffix (the agency and its units). */
  agencySuffix: string | null
  sender: string | null
  unacked: boolean
  limit: number
}

export interface ConsoleDocumentRow extends DocumentColumns {
  direction: 'in' | 'out'
  changed_by: string | null
  changed_at: Date | null
}

export interface ConsoleStatusRow {
  direction: 'in' | 'out'
  code: string
  at: string
  created_at: Date
  delivery: string | null
  sent_at: Date | null
  attempts: number | null
}

export interface ConsoleMessageRow {
  state: 'pending' | 'sent' | 'parked'
  attempts: number
  last_error: string | null
  created_at: Date
  sent_at: Date | null
}

/** Most statuses and messages one document timeline shows. */
export const TIMELINE_MAX = 1000

/**
 * SQL of the operator console's document reads (docs/console-api.md): the inbox of received
 * documents newest first (cursor: `inbox_seq`), and one document's timeline from its row,
 * its statuses (with the outbox delivery of the ones sent from here) and its outgoing
 * document messages. Reads only.
 */
export class DocumentConsoleRepository {
  constructor(private readonly db: Queryable) {}

  async inbox(f: InboxFilter): Promise<InboxRow[]> {
    const { rows } = await this.db.query<InboxRow>(
      `SELECT d.id, d.agency, d.peer, d.code, d.subject, d.business_type, d.state, d.state_reason, d.inbox_seq::text AS inbox_seq, d.created_at, d.acked_at,
         s.code AS last_code, s.direction AS last_direction, s.created_at AS last_at
       FROM documents d
       LEFT JOIN LATERAL (SELECT code, direction, created_at FROM document_statuses WHERE document_id = d.id ORDER BY id DESC LIMIT 1) s ON true
       WHERE d.direction = 'in' AND d.inbox_seq IS NOT NULL AND ($1::bigint IS NULL OR d.inbox_seq < $1::bigint)
         AND ($2::text IS NULL OR d.state = $2::text)
         AND ($3::text IS NULL OR right(d.agency, length($3::text)) = $3::text)
         AND ($4::text IS NULL OR d.peer = $4::text)
         AND (NOT $5::boolean OR d.acked_at IS NULL)
       ORDER BY d.inbox_seq DESC LIMIT $6`,
      [f.before, f.state, f.agencySuffix, f.sender, f.unacked, f.limit],
    )
    return rows
  }

  async document(id: string): Promise<ConsoleDocumentRow | undefined> {
    const { rows } = await this.db.query<ConsoleDocumentRow>(
      `SELECT d.id, d.direction, d.agency, d.peer, d.code, d.subject, d.business_type, d.state, d.state_reason, d.changed_by,
         (SELECT c.created_at FROM documents c WHERE c.id = d.changed_by) AS changed_at, d.created_at, d.acked_at
       FROM documents d WHERE d.id = $1`,
      [id],
    )
    return rows[0]
  }

  async statuses(id: string): Promise<ConsoleStatusRow[]> {
    const { rows } = await this.db.query<ConsoleStatusRow>(
      `SELECT s.direction, s.code, s.at, s.created_at, o.state AS delivery, o.sent_at, o.attempts
       FROM document_statuses s LEFT JOIN document_outbox o ON o.status_id = s.id
       WHERE s.document_id = $1 ORDER BY s.id LIMIT ${TIMELINE_MAX}`,
      [id],
    )
    return rows
  }

  async messages(id: string): Promise<ConsoleMessageRow[]> {
    const { rows } = await this.db.query<ConsoleMessageRow>(
      `SELECT state, attempts, last_error, created_at, sent_at FROM document_outbox WHERE document_id = $1 AND kind = 'document' ORDER BY id LIMIT ${TIMELINE_MAX}`,
      [id],
    )
    return rows
  }
}
