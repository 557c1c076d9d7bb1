import type { WarehouseDocument } from '../../../../schemas/v1/warehouse.js'
import type { SignatureOutcome } from '../../../documents/signature/index.js'
import { iso } from '../../../lib/time.js'
import type { DocRow } from './repository.js'

/** `YYYY-MM-DD` of a date column (read as text; a Date from a driver that parsed it anyway). */
export const day = (d: string | Date | null): string | undefined =>
  d === null ? undefined : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10)

/** `{ [k]: v }`, or nothing for null, undefined and '' (optional members of the API shapes). */
export const opt = <K extends string, V>(k: K, v: V | null | undefined) => (v === null || v === undefined || v === '' ? {} : ({ [k]: v } as Record<K, V>))

/** The API form of a signature check just made. */
export function signatureOf(sig: SignatureOutcome) {
  return { status: sig.status, ...opt('reason', sig.reason), ...opt('signer', sig.signer?.subject), ...opt('signedAt', sig.signingTime) }
}

/** The policy's verdict on a stored row's signature: decision, mode and reasons (absent on rows from before the policy). */
export function policyOf(r: Pick<DocRow, 'signature_decision' | 'signature_policy' | 'signature_reasons'>) {
  if (!r.signature_policy) return {}
  return { decision: r.signature_decision, policy: r.signature_policy, ...(r.signature_reasons.length ? { reasons: r.signature_reasons } : {}) }
}

/** `blocked` for a local document the signature policy keeps from the national warehouse, else the push state. */
export const pushStateOf = (r: Pick<DocRow, 'signature_decision' | 'push_state'>) =>
  r.signature_decision === 'blocked' && r.push_state === 'none' ? 'blocked' : r.push_state

/** The API form of a stored document (`WarehouseDocument`). */
export function toApi(r: DocRow): WarehouseDocument {
  return {
    id: r.id,
    ...opt('documentId', r.local_id),
    source: r.source,
    ownerIdType: r.owner_id_type,
    ...opt('documentCode', r.document_code),
    ...opt('resultCode', r.result_code),
    ...opt('title', r.title),
    ...opt('number', r.number),
    ...opt('issuingAgency', r.issuing_agency),
    ...opt('custodianAgency', r.custodian_agency),
    ...opt('issuedOn', day(r.issued_on)),
    ...opt('validUntil', day(r.valid_until)),
    permanent: r.permanent,
    ...opt('scope', r.scope),
    ...opt('summary', r.summary),
    ...opt('signer', r.signer),
    ...opt('procedureCode', r.procedure_code),
    ...opt('dossierCode', r.dossier_code),
    ...opt('agencyCode', r.agency_code),
    ...(r.blob_sha256
      ? {
          file: {
            ...opt('name', r.file_name),
            ...opt('contentType', r.content_type),
            size: Number(r.size),
            sha256: r.blob_sha256,
            url: `/v1/warehouse/documents/${r.id}/content`,
          },
        }
      : {}),
    fetchState: r.fetch_state,
    ...(r.signature_status
      ? {
          signature: {
            status: r.signature_status,
            ...opt('reason', r.signature_reason),
            ...opt('signer', r.signature_signer),
            ...opt('signedAt', iso(r.signature_signed_at)),
            ...opt('checkedAt', iso(r.signature_checked_at)),
            ...policyOf(r),
          },
        }
      : {}),
    pushState: pushStateOf(r),
    ...opt('pushError', r.push_state === 'failed' ? r.last_push_error : null),
    ...opt('nationalId', r.source === 'local' ? r.national_ref : null),
    createdAt: iso(r.created_at)!,
  }
}
