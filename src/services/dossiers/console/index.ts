import { HubError, fieldError } from '../../../errors.js'
import { iso } from '../../../lib/time.js'
import { agencyDepth } from '../../indicators/agency.js'
import type { Db } from '../../../store/index.js'
import { DossierConsoleRepository, type DossierFilter, type SearchRow, type SearchState } from './repository.js'

export type { SearchState } from './repository.js'

export interface SearchQuery {
  code?: string
  agency?: string
  procedure?: string
  state?: SearchState
  limit: number
  after?: string
}

export interface SearchItem {
  dossierCode: string
  agencyCode: string
  procedureCode: string
  state: SearchState
  pendingEvents: number
  receivedAt: string | null
  updatedAt: string
  parkedReason?: string
}

export interface TimelineAttempt {
  at: string
  outcome: string
  httpStatus?: number
  portalMessage?: string
  errorKind?: string
  durationMs: number
}

export interface TimelineEvent {
  eventId: string
  kind: string
  status?: string
  occurredAt: string | null
  receivedAt: string
  state: string
  deliveredAt?: string
  attempts: TimelineAttempt[]
}

/** Most events and attempts one timeline shows (a dossier has a few dozen at most in practice). */
export const TIMELINE_MAX_EVENTS = 1000
export const TIMELINE_MAX_ATTEMPTS = 5000

/** Characters of the significant suffix of an agency code by depth (`H56`, `06.H56`, `01.06.H56`, all 13). */
const SUFFIX_BY_DEPTH = [3, 6, 9, 13]

/** The cursor of a search page: the last code shown, base64url. */
const encodeCursor = (code: string) => Buffer.from(code, 'utf8').toString('base64url')
const CURSOR_CODE = /^[0-9A-Za-z.-]{1,80}$/

function decodeCursor(after: string): string {
  const code = Buffer.from(after, 'base64url').toString('utf8')
  if (!CURSOR_CODE.test(code)) throw fieldError('/querystring/after', 'not a cursor this search returned', 'cursor')
  return code
}

/** The [lower, upper) range of codes starting with `prefix` in byte order. */
export function prefixRange(prefix: string): { lower: string; upper: string } {
  const last = prefix.charCodeAt(prefix.length - 1)
  return { lower: prefix, upper: prefix.slice(0, -1) + String.fromCharCode(last + 1) }
}

/** The agency's significant suffix: the codes ending with it are the agency and its units. */
export function agencySuffix(agency: string): string {
  return agency.slice(-SUFFIX_BY_DEPTH[agencyDepth(agency) - 1]!)
}

function toFilter(q: { code?: string; agency?: string; procedure?: string; state?: SearchState }): DossierFilter {
  return {
    ...(q.code ? { range: prefixRange(q.code) } : {}),
    ...(q.agency ? { agencySuffix: agencySuffix(q.agency) } : {}),
    ...(q.procedure ? { procedure: q.procedure } : {}),
    ...(q.state ? { state: q.state } : {}),
  }
}

function item(r: SearchRow): SearchItem {
  return {
    dossierCode: r.code,
    agencyCode: r.agency_code,
    procedureCode: r.procedure_code,
    state: r.state,
    pendingEvents: Number(r.pending),
    receivedAt: r.received_at ? (iso(r.received_at) ?? null) : null,
    updatedAt: iso(r.touched_at)!,
    ...(r.parked_reason ? { parkedReason: r.parked_reason } : {}),
  }
}

/** The operator console's dossier reads and the filtered replay's selection (the service triggers the drains). */
export class DossierConsole {
  /** Reads (the replica when configured). */
  private readonly repo: DossierConsoleRepository
  /** The filtered replay's selection and change, on the primary. */
  private readonly primary: DossierConsoleRepository

  constructor(readDb: Db, db: Db) {
    this.repo = new DossierConsoleRepository(readDb)
    this.primary = new DossierConsoleRepository(db)
  }

  async search(q: SearchQuery): Promise<{ items: SearchItem[]; next?: string }> {
    const after = q.after ? decodeCursor(q.after) : undefined
    const rows = await this.repo.search(toFilter(q), q.limit + 1, after)
    const items = rows.slice(0, q.limit).map(item)
    return rows.length > q.limit ? { items, next: encodeCursor(items[items.length - 1]!.dossierCode) } : { items }
  }

  async timeline(code: string): Promise<{ dossier: SearchItem; events: TimelineEvent[] }> {
    const d = await this.repo.dossier(code)
    if (!d) throw new HubError('HUB_ERR_NOT_FOUND', `dossier ${code} is unknown`)
    const [events, attempts] = await Promise.all([this.repo.events(code, TIMELINE_MAX_EVENTS), this.repo.attempts(code, TIMELINE_MAX_ATTEMPTS)])
    return {
      dossier: item(d),
      events: events.map((e) => ({
        eventId: e.event_id,
        kind: e.kind,
        ...(e.status ? { status: e.status } : {}),
        occurredAt: e.occurred_at ? (iso(e.occurred_at) ?? null) : null,
        receivedAt: iso(e.accepted_at)!,
        state: e.state,
        ...(e.delivered_at ? { deliveredAt: iso(e.delivered_at) } : {}),
        // An attempt delivered or failed a group of events (first..last): it belongs to each of them.
        attempts: attempts
          .filter((a) => a.first_seq <= e.seq && e.seq <= a.last_seq)
          .map((a) => ({
            at: iso(a.at)!,
            outcome: a.outcome,
            ...(a.upstream_status !== null ? { httpStatus: a.upstream_status } : {}),
            ...(a.message ? { portalMessage: a.message } : {}),
            ...(a.error_kind ? { errorKind: a.error_kind } : {}),
            durationMs: a.latency_ms,
          })),
      })),
    }
  }

  /** The parked dossiers a filtered replay would take: their count and the first 20 codes. */
  preview(f: { agency?: string; procedure?: string }): Promise<{ count: number; sample: string[] }> {
    return this.primary.parkedPreview(toFilter(f), 20)
  }

  unpark(f: { agency?: string; procedure?: string }): Promise<{ code: string; last_seq: number }[]> {
    return this.primary.unparkWhere(toFilter(f))
  }
}
