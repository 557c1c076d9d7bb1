/** Row and result types of the dossier capability (shared by its repository, worker and facade). */
import type { DossierEvent, DossierUpsert } from '../../../schemas/v1/dossier.js'

/** What an event row holds: the dossier as of this event (if it changes it) and/or a step. */
export interface EventPayload {
  dossier?: Omit<DossierUpsert, 'eventId'>
  step?: DossierEvent['step']
  /** A supplement request or answer (DanhSachHoSoBoSung); the event then also carries `dossier`. */
  supplement?: DossierEvent['supplement']
  status?: string
  occurredAt?: string
}

export interface EventRow {
  seq: number
  kind: 'upsert' | 'event'
  payload: EventPayload
  parts_done: number
  accepted_at: Date
}

/** What one intake statement returns. */
export interface StoredRow {
  /** The eventId was unknown when the statement started. */
  fresh: boolean
  /** null when the dossier does not exist (events) or the eventId was known. */
  seq: number | null
  leased: boolean
  inserted: number
}

/** An event already stored under a (client, eventId) key. */
export interface KnownEvent {
  dossier_code: string
  seq: number
  body_sha256: string | null
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

export interface DeliveryAttempt {
  at: string
  firstSeq: number
  lastSeq: number
  operation: string
  outcome: string
  upstreamStatus?: number
  errorKind?: string
  message?: string
  latencyMs: number
}

/** A failed delivery of events `seqs` (first..last) to record. */
export interface FailedDelivery {
  code: string
  seqs: number[]
  operation: string
  status: number | undefined
  kind: string
  message: string
  latencyMs: number
}

export type DossierListState = 'parked' | 'failed' | 'pending'
