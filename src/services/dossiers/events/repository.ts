import type { DossierEvent } from '../../../../schemas/v1/dossier.js'
import type { Queryable } from '../../../store/index.js'
import type { StoredRow } from '../types.js'
import { eventFactsCte } from '../../indicators/facts/repository.js'

export interface StoreEventArgs {
  dossierCode: string
  event: DossierEvent
  clientId: string
  agencies: string[]
  hash: string
  /** The national status (TrangThaiHoSo) the event's status maps to, for the indicator facts. */
  national?: number
}

/**
 * Stores an event (status change, processing step, supplement part) in one statement: bumps
 * the dossier's sequence and inserts the event (a status change or a supplement part carries
 * the dossier record as of this event, so it travels as DongBoHoSoMC with its
 * DanhSachHoSoBoSung), unless the key is known; seq null when the dossier is unknown or of an
 * agency outside `agencies`.
 */
export async function storeEvent(db: Queryable, a: StoreEventArgs, facts = true): Promise<StoredRow> {
  const { event } = a
  const { rows } = await db.query<StoredRow>(
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
         || CASE WHEN $2::text IS NULL AND $9::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('dossier', d.snapshot) END
         || CASE WHEN $6::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('step', $6::jsonb) END
         || CASE WHEN $9::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('supplement', $9::jsonb) END,
         $8
       FROM d
       RETURNING seq)${facts ? eventFactsCte(10) : ''}
     SELECT (SELECT fresh FROM guard) AS fresh, d.last_seq AS seq, COALESCE(d.lease_until > now(), false) AS leased,
            (SELECT count(*) FROM e) AS inserted
     FROM (SELECT 1) one LEFT JOIN d ON true`,
    [
      a.dossierCode,
      event.status ?? null,
      event.eventId,
      a.clientId,
      event.occurredAt,
      event.step ? JSON.stringify(event.step) : null,
      a.agencies,
      a.hash,
      event.supplement ? JSON.stringify(event.supplement) : null,
      ...(facts ? [a.national ?? null] : []),
    ],
  )
  return rows[0]!
}
