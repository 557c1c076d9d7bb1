/**
 * Normalized API v1, dossier side: the bodies the provincial one-stop system sends to
 * `POST /v1/dossiers` and `POST /v1/dossiers/{dossierCode}/events`.
 *
 * TypeBox schemas are plain JSON Schema (they feed Fastify's ajv and OpenAPI); the
 * TypeScript types are derived with `Static<>` so the contract has one source.
 * Identifier formats follow NATIONAL-ENDPOINTS.md §5.
 */
import { Type } from '@sinclair/typebox'
import type { Static, TUnsafe } from '@sinclair/typebox'

/** Agency code (mã định danh) `NNN.NN.NN.Xnn`, e.g. `000.00.06.H56`. */
export const AGENCY_CODE_SOURCE = String.raw`\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}`
export const AGENCY_CODE_PATTERN = `^${AGENCY_CODE_SOURCE}$`
/** Dossier code `<agency code>-<yyMMdd>-<NNNN>`, e.g. `000.00.06.H56-231027-0361`. */
export const DOSSIER_CODE_PATTERN = `^${AGENCY_CODE_SOURCE}-\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])-\\d{4}$`
/** Procedure code: national `N.NNNNNN`, or a local variant `N.NNNNNN.<agency code>`. */
export const PROCEDURE_CODE_PATTERN = `^\\d\\.\\d{6}(\\.${AGENCY_CODE_SOURCE})?$`
/** Idempotency key: no ':' (BullMQ job ids derive from it) and no whitespace. */
export const EVENT_ID_PATTERN = String.raw`^[^:\s]+$`

/** A string enum as one `{type:'string', enum}` (clearer errors than anyOf of consts). */
function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

const closed = { additionalProperties: false } as const

export const EventId = Type.String({ minLength: 1, maxLength: 100, pattern: EVENT_ID_PATTERN, format: 'hub-code', description: 'Client idempotency key' })
/**
 * ISO-8601 timestamp **with** an offset (`Z` or `±hh:mm`), seconds required, optional
 * fraction, on the calendar (src/validation/text.ts). A local time without offset is
 * ambiguous, so it is refused at the edge.
 */
export const Timestamp = Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset, e.g. 2023-10-27T08:30:00+07:00' })
export const DossierCode = Type.String({ pattern: DOSSIER_CODE_PATTERN, examples: ['000.00.06.H56-231027-0361'] })
export const AgencyCode = Type.String({ pattern: AGENCY_CODE_PATTERN, examples: ['000.00.06.H56'] })
export const ProcedureCode = Type.String({ pattern: PROCEDURE_CODE_PATTERN, examples: ['1.003560', '1.003560.000.00.00.H56'] })

/**
 * The string kinds of the API (formats of src/validation/text.ts, registered on Fastify's ajv):
 * a name (trimmed, not blank, no control or invisible format character), a code (a name
 * without whitespace) and free text (no NUL/C0 control but TAB/LF/CR, no lone surrogate).
 */
export const text = (maxLength: number, options: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength, format: 'hub-name', ...options })
export const code = (maxLength: number, options: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength, format: 'hub-code', ...options })
export const freeText = (maxLength: number, options: Record<string, unknown> = {}) => Type.String({ maxLength, format: 'hub-text', ...options })
/** The largest amount of money the API takes (VND): far above any fee, far below 2^53. */
export const MAX_AMOUNT = 1e13

export const CHANNELS = ['in_person', 'online', 'postal'] as const
export const APPLICANT_KINDS = ['citizen', 'enterprise', 'agency', 'organization'] as const
export const ID_TYPES = ['cccd', 'cmnd', 'passport', 'tax_code', 'other'] as const

/** idNumber format per idType (§5). The MST check digit is not expressible here. */
const idNumberRules = [
  { idType: 'cccd', pattern: String.raw`^\d{12}$` },
  { idType: 'cmnd', pattern: String.raw`^(\d{9}|\d{12})$` },
  { idType: 'passport', pattern: '^[A-Z0-9]{6,20}$' },
  { idType: 'tax_code', pattern: String.raw`^\d{10}(-\d{3})?$` },
].map(({ idType, pattern }) => ({
  if: { type: 'object', properties: { idType: { const: idType } }, required: ['idType'] },
  then: { type: 'object', properties: { idNumber: { type: 'string', pattern } } },
}))

export const Applicant = Type.Object(
  {
    kind: StringEnum(APPLICANT_KINDS),
    name: text(500),
    idType: StringEnum(ID_TYPES),
    idNumber: code(50),
    phone: Type.Optional(Type.String({ maxLength: 30, pattern: String.raw`^\+?[0-9 .()-]{3,30}$` })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    portalAccountId: Type.Optional(code(100, { description: 'DVCQG portal account (MaDoiTuong), sent only for online dossiers' })),
    vneidVerified: Type.Optional(Type.Boolean({ description: 'Account verified with VNeID' })),
  },
  { ...closed, allOf: idNumberRules },
)

export const DossierDocument = Type.Object(
  {
    id: text(100),
    name: text(500),
    componentCode: Type.Optional(code(50, { description: 'Dossier component code (MAGIAYTO)' })),
    url: Type.Optional(text(2000)),
    deleted: Type.Optional(Type.Boolean()),
    digitized: Type.Optional(Type.Boolean()),
    reused: Type.Optional(Type.Boolean()),
    fromNationalWarehouse: Type.Optional(Type.Boolean()),
    replacedByResultCode: Type.Optional(code(50, { description: 'MA_KQ_THAYTHE' })),
  },
  closed,
)

export const DossierFee = Type.Object(
  {
    name: text(500),
    code: Type.Optional(code(50)),
    method: Type.Optional(code(50, { description: 'Collection method (HinhThucThu), provincial code' })),
    amount: Type.Number({ minimum: 0, maximum: MAX_AMOUNT }),
    kind: Type.Optional(code(50, { description: 'Fee kind (LoaiPhiLePhi), provincial code' })),
  },
  closed,
)

export const DossierResult = Type.Object(
  {
    id: text(100),
    name: text(500),
    componentCode: Type.Optional(code(50)),
    url: Type.Optional(text(2000)),
    resultCode: Type.Optional(code(50, { description: 'Result code, e.g. KQ.G15.000031' })),
  },
  closed,
)

/** Another paper handed in with the dossier, outside the procedure's components (DanhSachTepDinhKemKhac). */
export const DossierOtherAttachment = Type.Object(
  {
    name: text(500, { description: 'TenGiayTo' }),
    count: Type.Integer({ minimum: 1, maximum: 1000, description: 'SoLuong (copies)' }),
    kind: Type.Optional(code(50, { description: 'LoaiGiayTo, provincial code' })),
  },
  closed,
)

/** How the result goes back to the applicant (HinhThuc): at the desk, online, by public postal service. */
export const RESULT_DELIVERY = ['at_desk', 'online', 'postal'] as const

/** Body of `POST /v1/dossiers`: create or update a dossier (whole record). */
export const DossierUpsertBody = Type.Object(
  {
    eventId: EventId,
    dossierCode: DossierCode,
    procedureCode: ProcedureCode,
    procedureName: text(1000),
    fieldCode: Type.Optional(code(50)),
    fieldName: Type.Optional(text(500)),
    agencyCode: AgencyCode,
    channel: StringEnum(CHANNELS),
    applicant: Applicant,
    summary: freeText(1000, { description: 'Trích yếu; longer text is refused rather than cut' }),
    submittedAt: Type.Optional(Timestamp),
    receivedAt: Timestamp,
    dueAt: Timestamp,
    finishedAt: Type.Optional(Timestamp),
    returnedAt: Type.Optional(Timestamp),
    rejectedAt: Type.Optional(Timestamp),
    status: code(50, { description: 'Provincial status code, translated by config/status-map.json' }),
    processingUnit: Type.Optional(text(500)),
    submissionPlace: Type.Optional(text(500)),
    paidOnline: Type.Optional(Type.Boolean()),
    note: Type.Optional(freeText(2000)),
    documents: Type.Optional(Type.Array(DossierDocument, { maxItems: 500 })),
    fees: Type.Optional(Type.Array(DossierFee, { maxItems: 100 })),
    results: Type.Optional(Type.Array(DossierResult, { maxItems: 100 })),
    otherAttachments: Type.Optional(Type.Array(DossierOtherAttachment, { maxItems: 100, description: 'DanhSachTepDinhKemKhac' })),
    resultDelivery: Type.Optional(StringEnum(RESULT_DELIVERY, { description: 'HinhThuc: how the result is returned' })),
    returnInfo: Type.Optional(freeText(2000, { description: 'ThongTinTra: where/to whom the result was returned' })),
  },
  { ...closed, title: 'DossierUpsertBody' },
)

export const DossierStep = Type.Object(
  {
    // The portal keeps 50 characters; the mapping truncates, the API stays lenient.
    actor: text(200),
    actorTitle: Type.Optional(text(200)),
    department: Type.Optional(text(500)),
    action: freeText(2000, { minLength: 1 }),
    startedAt: Type.Optional(Timestamp),
    dueAt: Type.Optional(Timestamp),
  },
  closed,
)

/**
 * A supplement request (yêu cầu bổ sung) or its answer, carried by an event. The request and
 * its answer share `id`; later events of one id complete or correct earlier ones
 * (DanhSachHoSoBoSung, one entry per id).
 */
export const DossierSupplement = Type.Object(
  {
    id: code(100, { description: 'HoSoBoSungId' }),
    requestedBy: Type.Optional(text(200, { description: 'NguoiYeuCauBoSung' })),
    content: Type.Optional(freeText(2000, { description: 'NoiDungBoSung' })),
    requestedAt: Type.Optional(Timestamp),
    documents: Type.Optional(Type.Array(text(500), { maxItems: 100, description: 'DanhSachGiayToBoSung: papers asked for' })),
    fees: Type.Optional(Type.Array(text(500), { maxItems: 50, description: 'DanhSachLePhiBoSung' })),
    previousDueAt: Type.Optional(Timestamp),
    newDueAt: Type.Optional(Timestamp),
    /** The answer: the applicant handed in what was asked. */
    receivedBy: Type.Optional(text(200, { description: 'NguoiTiepNhanBoSung' })),
    receivedInfo: Type.Optional(freeText(2000, { description: 'ThongTinTiepNhan' })),
    receivedAt: Type.Optional(Timestamp),
  },
  closed,
)

/** Body of `POST /v1/dossiers/{dossierCode}/events`: a status change and/or a processing step. */
export const DossierEventBody = Type.Object(
  {
    eventId: EventId,
    occurredAt: Timestamp,
    status: Type.Optional(code(50)),
    step: Type.Optional(DossierStep),
    supplement: Type.Optional(DossierSupplement),
  },
  {
    ...closed,
    title: 'DossierEventBody',
    // Self-contained branches keep ajv's strictRequired quiet.
    anyOf: ['status', 'step', 'supplement'].map((key) => ({ type: 'object', properties: { [key]: {} }, required: [key] })),
  },
)

/** Path params of `/v1/dossiers/{dossierCode}/…`. */
export const DossierCodeParams = Type.Object({ dossierCode: DossierCode }, closed)

/** 202 answer of both POSTs (and the replayed answer for a repeated eventId). */
export const DossierAcceptedReply = Type.Object({ dossierCode: DossierCode, eventId: EventId, seq: Type.Integer({ minimum: 1 }) }, closed)

export const SYNC_STATES = ['pending', 'delivered', 'failed', 'parked'] as const

/** Answer of `GET /v1/dossiers/{dossierCode}/sync`. */
export const DossierSyncReply = Type.Object(
  {
    dossierCode: DossierCode,
    events: Type.Array(
      Type.Object(
        {
          seq: Type.Integer({ minimum: 1 }),
          eventId: EventId,
          kind: StringEnum(['upsert', 'event'] as const),
          state: StringEnum(SYNC_STATES),
          attempts: Type.Integer({ minimum: 0 }),
          lastError: Type.Optional(Type.String()),
          acceptedAt: Timestamp,
          deliveredAt: Type.Optional(Timestamp),
        },
        closed,
      ),
    ),
  },
  closed,
)

export type DossierUpsert = Static<typeof DossierUpsertBody>
export type DossierEvent = Static<typeof DossierEventBody>
export type DossierStepInput = Static<typeof DossierStep>
export type DossierSupplementInput = Static<typeof DossierSupplement>
export type DossierAccepted = Static<typeof DossierAcceptedReply>
export type DossierSync = Static<typeof DossierSyncReply>
export type Channel = (typeof CHANNELS)[number]
export type ApplicantKind = (typeof APPLICANT_KINDS)[number]
export type IdType = (typeof ID_TYPES)[number]
