import type { WarehouseDocumentBody } from '../../../../schemas/v1/warehouse.js'
import type { WarehouseDocumentRecord } from '../../../mappings/dvcqg/warehouse/index.js'
import type { DocRow } from '../document/repository.js'
import { day } from '../document/to-api.js'

type RecordFields = Pick<WarehouseDocumentBody, 'documentId' | 'ownerId' | 'documentCode'> & Partial<WarehouseDocumentBody>

/** The domain record of a local document (the upload mapping's input); the file inline when given. */
export function toRecord(b: RecordFields, file?: { contentBase64: string; name: string | null }): WarehouseDocumentRecord {
  return {
    localId: b.documentId,
    nationalId: null,
    ownerId: b.ownerId,
    ownerName: b.ownerName ?? null,
    number: b.number ?? null,
    documentCode: b.documentCode,
    issuedOn: b.issuedOn ?? null,
    validUntil: b.validUntil ?? null,
    permanent: b.permanent ?? false,
    scope: b.scope ?? null,
    summary: b.summary ?? null,
    issuingAgency: b.issuingAgency ?? null,
    signer: b.signer ?? null,
    digitisationKind: b.digitisationKind ?? null,
    attachments: file ? [{ name: file.name, path: null, contentBase64: file.contentBase64 }] : [],
    procedureCode: b.procedureCode ?? null,
    fieldCode: b.fieldCode ?? null,
  }
}

/** The record of a stored local document, with its file, as it is uploaded. */
export function recordOfRow(row: DocRow, content: Buffer): WarehouseDocumentRecord {
  return toRecord(
    {
      documentId: row.local_id!,
      ownerId: row.owner_id,
      documentCode: row.document_code!,
      ownerName: row.owner_name ?? undefined,
      number: row.number ?? undefined,
      issuedOn: day(row.issued_on),
      validUntil: day(row.valid_until),
      permanent: row.permanent,
      scope: row.scope ?? undefined,
      summary: row.summary ?? undefined,
      issuingAgency: row.issuing_agency ?? undefined,
      signer: row.signer ?? undefined,
      digitisationKind: row.digitisation_kind ?? undefined,
      procedureCode: row.procedure_code ?? undefined,
      fieldCode: row.field_code ?? undefined,
    },
    { contentBase64: content.toString('base64'), name: row.file_name },
  )
}
