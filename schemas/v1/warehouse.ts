/**
 * Normalized API v1, warehouse side (issue 6): the citizens' and organisations'
 * e-document store, mirrored from and pushed to the national warehouse (NATIONAL-ENDPOINTS §1.5).
 */
import { Type, type Static } from '@sinclair/typebox'
import { AGENCY_CODE_PATTERN, DOSSIER_CODE_PATTERN, EVENT_ID_PATTERN, PROCEDURE_CODE_PATTERN, code, freeText, text } from './dossier.js'
import { MAX_OFFSET } from './catalog.js'

const closed = { additionalProperties: false } as const
/** A calendar date (format of src/validation/text.ts: Feb 30 and year 0000 are refused). */
const IsoDate = Type.String({ format: 'hub-date', maxLength: 10, description: 'YYYY-MM-DD', examples: ['2026-05-01'] })
const Sha256 = Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'SHA-256 of the file, hex' })
/** A name-like field (titles, agencies, signers): the `hub-name` rule. */
const Text = (maxLength: number, description?: string) => text(maxLength, description ? { description } : {})
/** Free text (summaries, scope): the `hub-text` rule. */
const Prose = (maxLength: number, description?: string) => freeText(maxLength, description ? { description } : {})

export const OwnerIdType = Type.Union(
  ['cccd', 'cmnd', 'tax_code', 'agency_code', 'other'].map((v) => Type.Literal(v)),
  {
    description: 'Kind of owner id (detected from its shape when omitted)',
  },
)
/** Owner id: CCCD (12 digits), CMND (9), tax code (10 or 10-3), agency code or another identifier. */
export const OwnerId = Type.String({ minLength: 1, maxLength: 30, pattern: String.raw`^[0-9A-Za-z.\-]+$`, examples: ['056085000123'] })
export const ResultCode = code(50, { examples: ['KQ.G15.000031'] })
export const DocumentCode = code(50, { description: 'MaGiayTo (opaque, ≤ 50 characters)' })

export const SignatureOutcome = Type.Object(
  {
    status: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('unsigned'), Type.Literal('untrusted')]),
    reason: Type.Optional(Type.String()),
    signer: Type.Optional(Type.String({ description: 'Subject DN of the signer certificate' })),
    signedAt: Type.Optional(Type.String({ description: 'signingTime claimed in the signature (ISO 8601)' })),
    checkedAt: Type.Optional(Type.String()),
    decision: Type.Optional(
      Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('blocked')], {
        description: 'What the signature policy decided: blocked documents are stored but never pushed nor offered for reuse (docs/signatures.md)',
      }),
    ),
    policy: Type.Optional(Type.Union([Type.Literal('require'), Type.Literal('warn'), Type.Literal('accept')], { description: 'Policy mode applied' })),
    reasons: Type.Optional(
      Type.Array(Type.String(), { description: 'Why the decision is not pass, e.g. invalid:signer_revoked, unsigned, revocation_unknown' }),
    ),
  },
  closed,
)

/** `POST /v1/warehouse/documents`: a locally digitised document, its file as base64. */
export const WarehouseDocumentBody = Type.Object(
  {
    documentId: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: EVENT_ID_PATTERN,
      format: 'hub-code',
      description: "The province's id of the document (Ma): intake and upload are idempotent on it",
    }),
    ownerId: OwnerId,
    ownerIdType: Type.Optional(OwnerIdType),
    ownerName: Type.Optional(Text(200)),
    documentCode: DocumentCode,
    resultCode: Type.Optional(ResultCode),
    title: Type.Optional(Text(500)),
    number: Type.Optional(Text(100, 'SoKyHieu')),
    issuingAgency: Type.Optional(Text(200, 'CoQuanBanHanh')),
    issuedOn: Type.Optional(IsoDate),
    validUntil: Type.Optional(IsoDate),
    permanent: Type.Optional(Type.Boolean({ default: false })),
    scope: Type.Optional(Prose(500, 'PhamViHieuLuc')),
    summary: Type.Optional(Prose(2000, 'TrichYeuNoiDung')),
    signer: Type.Optional(Text(200, 'NguoiKy')),
    digitisationKind: Type.Optional(code(20, { description: 'LoaiSoHoa' })),
    procedureCode: Type.Optional(Type.String({ pattern: PROCEDURE_CODE_PATTERN })),
    fieldCode: Type.Optional(code(50, { description: 'MaLinhVuc' })),
    dossierCode: Type.Optional(Type.String({ pattern: DOSSIER_CODE_PATTERN })),
    agencyCode: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN, description: 'Digitising agency (statistics); default the province unit' })),
    file: Type.Object(
      {
        name: text(255),
        contentType: Type.Optional(
          text(100, {
            default: 'application/pdf',
            description:
              'application/pdf, image/png, image/jpeg, image/tiff, image/gif, image/webp, application/xml or text/xml (a charset parameter on XML only); the first bytes must match; anything else is refused with 415',
          }),
        ),
        // Checked by a char-code loop (src/validation/text.ts), not a regex: 20 MB validate in milliseconds.
        contentBase64: Type.String({ minLength: 4, format: 'hub-base64' }),
        sha256: Type.Optional(Sha256),
      },
      closed,
    ),
  },
  closed,
)
export type WarehouseDocumentBody = Static<typeof WarehouseDocumentBody>

export const WarehouseDocument = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    documentId: Type.Optional(Type.String({ description: "The province's id (local documents)" })),
    source: Type.Union([Type.Literal('local'), Type.Literal('national')]),
    ownerIdType: Type.String(),
    documentCode: Type.Optional(Type.String()),
    resultCode: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    number: Type.Optional(Type.String()),
    issuingAgency: Type.Optional(Type.String()),
    custodianAgency: Type.Optional(Type.String()),
    issuedOn: Type.Optional(IsoDate),
    validUntil: Type.Optional(IsoDate),
    permanent: Type.Boolean(),
    scope: Type.Optional(Type.String()),
    summary: Type.Optional(Type.String()),
    signer: Type.Optional(Type.String()),
    procedureCode: Type.Optional(Type.String()),
    dossierCode: Type.Optional(Type.String()),
    agencyCode: Type.Optional(Type.String()),
    file: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String()), contentType: Type.Optional(Type.String()), size: Type.Integer(), sha256: Type.String(), url: Type.String() },
        closed,
      ),
    ),
    fetchState: Type.String(),
    signature: Type.Optional(SignatureOutcome),
    pushState: Type.String(),
    pushError: Type.Optional(Type.String({ description: 'Why a local document will not reach the national warehouse (pushState failed)' })),
    nationalId: Type.Optional(Type.String()),
    createdAt: Type.String(),
  },
  closed,
)
export type WarehouseDocument = Static<typeof WarehouseDocument>

export const WarehouseDocumentAccepted = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    documentId: Type.String(),
    sha256: Type.String(),
    size: Type.Integer(),
    pushState: Type.String(),
    signature: SignatureOutcome,
  },
  closed,
)
export type WarehouseDocumentAccepted = Static<typeof WarehouseDocumentAccepted>

export const OwnerParams = Type.Object({ ownerId: OwnerId }, closed)
export const DocumentIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, closed)

/** Filters of the reuse query; code lists are comma-separated. */
export const OwnerDocumentsQuery = Type.Object(
  {
    documentCode: Type.Optional(Type.String({ maxLength: 1000, format: 'hub-text', description: 'MaGiayTo, comma-separated' })),
    resultCode: Type.Optional(Type.String({ maxLength: 1000, format: 'hub-text', description: 'MaKetQua, comma-separated' })),
    validOn: Type.Optional(IsoDate),
    procedure: Type.Optional(
      Type.String({ pattern: PROCEDURE_CODE_PATTERN, description: 'Documents that can replace components of this procedure (catalog)' }),
    ),
    signature: Type.Optional(Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('unsigned'), Type.Literal('untrusted')])),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
  },
  closed,
)
export type OwnerDocumentsQuery = Static<typeof OwnerDocumentsQuery>

export const OwnerDocumentsReply = Type.Object(
  {
    ownerIdType: Type.Optional(Type.String()),
    procedure: Type.Optional(
      Type.Object({ code: Type.String(), inCatalog: Type.Boolean(), documentCodes: Type.Array(Type.String()), resultCodes: Type.Array(Type.String()) }),
    ),
    documents: Type.Array(WarehouseDocument),
    freshness: Type.Optional(
      Type.Object(
        {
          complete: Type.Boolean({ description: 'false: the national warehouse could not be asked in time; the documents are what the hub holds' }),
          fetched: Type.Boolean({ description: 'true when this query fetched the owner from the national warehouse' }),
          mirroredAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the owner was last mirrored completely' })),
          reason: Type.Optional(Type.Union([Type.Literal('deadline'), Type.Literal('upstream_error'), Type.Literal('disabled')])),
        },
        closed,
      ),
    ),
  },
  closed,
)
export type OwnerDocumentsReply = Static<typeof OwnerDocumentsReply>

export const UsageBody = Type.Object(
  {
    dossierCode: Type.String({ pattern: DOSSIER_CODE_PATTERN }),
    componentCode: Type.Optional(code(100, { description: 'MaThanhPhanHoSo replaced by the document' })),
    procedureCode: Type.Optional(Type.String({ pattern: PROCEDURE_CODE_PATTERN })),
    agencyCode: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN })),
  },
  closed,
)
export type UsageBody = Static<typeof UsageBody>

export const BackfillBody = Type.Object(
  {
    ownerIds: Type.Array(OwnerId, { minItems: 1, maxItems: 100_000, description: 'Owners to mirror from the national warehouse' }),
    ownerIdType: Type.Optional(OwnerIdType),
  },
  closed,
)
export type BackfillBody = Static<typeof BackfillBody>

export const BackfillProgress = Type.Object(
  {
    backfillId: Type.String(),
    owners: Type.Integer(),
    pending: Type.Integer(),
    running: Type.Integer(),
    done: Type.Integer(),
    failed: Type.Integer(),
    documents: Type.Integer(),
  },
  closed,
)
export type BackfillProgress = Static<typeof BackfillProgress>

export const StatsQuery = Type.Object(
  {
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    period: Type.Union([Type.Literal('day'), Type.Literal('month'), Type.Literal('year')], { default: 'month' }),
    agencyCode: Type.Optional(Type.String({ pattern: AGENCY_CODE_PATTERN })),
  },
  closed,
)
export type StatsQuery = Static<typeof StatsQuery>

export const StatsRow = Type.Object(
  {
    agencyCode: Type.String(),
    period: Type.String({ description: 'Start of the period, YYYY-MM-DD' }),
    digitised: Type.Integer(),
    pushed: Type.Integer(),
    mirrored: Type.Integer(),
    reused: Type.Integer(),
    signatures: Type.Object({ valid: Type.Integer(), invalid: Type.Integer(), unsigned: Type.Integer(), untrusted: Type.Integer() }, closed),
  },
  closed,
)
export const StatsReply = Type.Object({ period: Type.String(), rows: Type.Array(StatsRow) }, closed)
export type StatsReply = Static<typeof StatsReply>
