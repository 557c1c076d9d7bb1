import { HubError, fieldError } from '../../../errors.js'
import type { Queryable } from '../../../store/index.js'
import { agencySuffix } from '../../dossiers/console/index.js'
import { STATUS_NAMES } from '../types.js'
import { DocumentConsoleRepository, type InboxRow } from './repository.js'

export interface ConsoleInboxQuery {
  state?: string
  agency?: string
  sender?: string
  unacked?: boolean
  limit: number
  after?: string
}

export interface ConsoleInboxItem {
  id: string
  agency: string
  sender: string
  code?: string
  subject?: string
  businessType: string
  state: string
  stateReason?: string
  inboxSeq: number
  receivedAt: string
  ackedAt: string | null
  lastStatus?: { statusCode: string; name: string; direction: 'in' | 'out'; at: string }
}

export interface ConsoleDocument {
  id: string
  direction: 'in' | 'out'
  agency: string
  peer: string
  code?: string
  subject?: string
  businessType: string
  state: string
  stateReason?: string
  createdAt: string
  ackedAt: string | null
}

export interface ConsoleTimelineEvent {
  at: string
  kind: 'stored' | 'sent' | 'pending' | 'parked' | 'status' | 'acknowledged' | 'changed'
  direction?: 'in' | 'out'
  statusCode?: string
  name?: string
  statusAt?: string
  delivery?: string
  attempts?: number
  reason?: string
  changedBy?: string
}

const iso = (d: Date) => d.toISOString()
const CURSOR = /^[1-9][0-9]{0,17}$/

/**
 * The operator console's view of the VDXP document exchange (docs/console-api.md):
 * every agency's received documents newest first with their latest status, and one
 * document's timeline (stored, its outgoing messages, each status sent or received with
 * the delivery of the ones sent, the agency system's acknowledgement, a later change).
 */
export class DocumentConsole {
  private readonly repo: DocumentConsoleRepository

  constructor(db: Queryable) {
    this.repo = new DocumentConsoleRepository(db)
  }

  async inbox(q: ConsoleInboxQuery): Promise<{ items: ConsoleInboxItem[]; next?: string }> {
    if (q.after !== undefined && !CURSOR.test(q.after)) throw fieldError('/querystring/after', 'not a cursor this list returned', 'cursor')
    const rows = await this.repo.inbox({
      before: q.after === undefined ? null : Number(q.after),
      state: q.state ?? null,
      agencySuffix: q.agency ? agencySuffix(q.agency) : null,
      sender: q.sender ?? null,
      unacked: q.unacked ?? false,
      limit: q.limit + 1,
    })
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    return { items: page.map(toItem), ...(rows.length > q.limit && last ? { next: last.inbox_seq } : {}) }
  }

  async timeline(id: string): Promise<{ document: ConsoleDocument; events: ConsoleTimelineEvent[] }> {
    const d = await this.repo.document(id)
    if (!d) throw new HubError('HUB_ERR_NOT_FOUND', `document ${id} is unknown`)
    const [statuses, messages] = await Promise.all([this.repo.statuses(id), this.repo.messages(id)])
    const events: ConsoleTimelineEvent[] = [{ at: iso(d.created_at), kind: 'stored', direction: d.direction }]
    for (const m of messages)
      events.push(
        m.state === 'sent' && m.sent_at
          ? { at: iso(m.sent_at), kind: 'sent', attempts: m.attempts }
          : {
              at: iso(m.created_at),
              kind: m.state === 'parked' ? 'parked' : 'pending',
              attempts: m.attempts,
              ...(m.last_error ? { reason: m.last_error } : {}),
            },
      )
    for (const s of statuses)
      events.push({
        at: iso(s.created_at),
        kind: 'status',
        direction: s.direction,
        statusCode: s.code,
        name: STATUS_NAMES[s.code] ?? s.code,
        statusAt: s.at,
        ...(s.delivery ? { delivery: s.delivery } : {}),
        ...(s.attempts !== null ? { attempts: s.attempts } : {}),
      })
    if (d.acked_at) events.push({ at: iso(d.acked_at), kind: 'acknowledged' })
    if (d.changed_by && d.changed_at) events.push({ at: iso(d.changed_at), kind: 'changed', changedBy: d.changed_by })
    // Stable: equal times keep the order above (stored, messages, statuses by id, acknowledgement, change).
    events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    return {
      document: {
        id: d.id,
        direction: d.direction,
        agency: d.agency,
        peer: d.peer,
        ...(d.code ? { code: d.code } : {}),
        ...(d.subject ? { subject: d.subject } : {}),
        businessType: d.business_type,
        state: d.state,
        ...(d.state_reason ? { stateReason: d.state_reason } : {}),
        createdAt: iso(d.created_at),
        ackedAt: d.acked_at ? iso(d.acked_at) : null,
      },
      events,
    }
  }
}

function toItem(r: InboxRow): ConsoleInboxItem {
  return {
    id: r.id,
    agency: r.agency,
    sender: r.peer,
    ...(r.code ? { code: r.code } : {}),
    ...(r.subject ? { subject: r.subject } : {}),
    businessType: r.business_type,
    state: r.state,
    ...(r.state_reason ? { stateReason: r.state_reason } : {}),
    inboxSeq: Number(r.inbox_seq),
    receivedAt: iso(r.created_at),
    ackedAt: r.acked_at ? iso(r.acked_at) : null,
    ...(r.last_code && r.last_direction && r.last_at
      ? { lastStatus: { statusCode: r.last_code, name: STATUS_NAMES[r.last_code] ?? r.last_code, direction: r.last_direction, at: iso(r.last_at) } }
      : {}),
  }
}
