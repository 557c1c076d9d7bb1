import type { DossierUpsert } from '../../../../schemas/v1/dossier.js'
import { agencyPath } from '../agency.js'

/**
 * The per-dossier facts an upsert sets (the definitions of issue 14, docs/indicators.md),
 * derived from the body at intake. A deleted document is not a component of the dossier.
 * Event-derived facts (finish by event, supplement pauses) and delivery (synced) are
 * updated by their own statements (facts/repository.ts).
 */
export interface UpsertFacts {
  agencyPath: string
  receivedAt: string
  dueAt: string
  finishedAt: string | null
  online: boolean
  fee: boolean
  paidOnline: boolean
  component: boolean
  digitised: boolean
  reused: boolean
  nationalWh: boolean
  resultDigitised: boolean
  vneid: boolean
}

export function upsertFacts(d: Omit<DossierUpsert, 'eventId'>): UpsertFacts {
  const components = (d.documents ?? []).filter((c) => !c.deleted)
  return {
    agencyPath: agencyPath(d.agencyCode),
    receivedAt: d.receivedAt,
    dueAt: d.dueAt,
    finishedAt: d.finishedAt ?? null,
    online: d.channel === 'online',
    fee: (d.fees ?? []).some((f) => f.amount > 0),
    paidOnline: d.paidOnline === true,
    component: components.length > 0,
    digitised: components.some((c) => c.digitized === true),
    reused: components.some((c) => c.reused === true || c.fromNationalWarehouse === true),
    nationalWh: components.some((c) => c.fromNationalWarehouse === true),
    resultDigitised: (d.results ?? []).some((r) => r.url !== undefined || r.resultCode !== undefined),
    vneid: d.applicant.vneidVerified === true,
  }
}
