/**
 * Digitisation of dossiers (issue 17): the operators' gaps report,
 * `GET /admin/digitisation/gaps?agency=…`.
 */
import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import { AgencyCode, DossierCode, Timestamp } from './dossier.js'

export const GapsQuery = Type.Object(
  {
    agency: AgencyCode,
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
)

export const DigitisationGap = Type.Object(
  {
    dossierCode: DossierCode,
    procedureCode: Type.String(),
    /** Provincial status code in force (one that maps to national 10, result returned). */
    status: Type.String(),
    returnedAt: Type.Optional(Timestamp),
    /** Result codes the dossier declares (results[].resultCode). */
    resultCodes: Type.Array(Type.String()),
    /** Warehouse documents linked to its results that are not signed digital results (unsigned, invalid, no file yet). */
    unsignedLinkedResults: Type.Integer({ minimum: 0 }),
    /** Last change of the dossier at the hub. */
    since: Timestamp,
  },
  { additionalProperties: false },
)

export const GapsReply = Type.Object(
  {
    agency: AgencyCode,
    /** Dossiers returned to the applicant without a signed digital result in the warehouse, oldest first. */
    items: Type.Array(DigitisationGap),
  },
  { additionalProperties: false },
)

export type GapsQueryInput = Static<typeof GapsQuery>
export type GapsReplyBody = Static<typeof GapsReply>
