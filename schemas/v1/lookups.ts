/**
 * Normalized API v1, lookup side: identity and registry answers translated from the
 * national systems (population, business registry, tax, BHXH, civil status). National
 * codes come with their Vietnamese name when the hub knows it; `source.reference`
 * keeps the upstream's own reference of the answer (for audit and support).
 */
import { Type, type Static } from '@sinclair/typebox'

const Opt = Type.Optional
const S = (description?: string) => Type.String(description ? { description } : {})
const Coded = Type.Object({ code: Type.String(), name: Opt(Type.String({ description: 'Vietnamese name, when the hub knows the code' })) })
const CodedOrNull = Type.Union([Coded, Type.Null()])
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })

export const LookupSource = Type.Object({
  upstream: Type.String({ description: 'National system that answered' }),
  reference: Opt(Type.String({ description: "The upstream's own reference of this answer (record id, transaction id, echoed request id)" })),
  retrievedAt: Type.String({ description: 'When the hub received the answer (ISO-8601 with offset)' }),
})

const wrap = <T extends ReturnType<typeof Type.Object> | ReturnType<typeof Type.Union>>(data: T, description: string) =>
  Type.Object({ data, source: LookupSource }, { description })

// ---------------------------------------------------------------- citizens
const Address = Type.Object({ provinceCode: Opt(S()), districtCode: Opt(S()), wardCode: Opt(S()), detail: Opt(S('street, house number, hamlet')), country: Opt(S()) })
const Relative = Type.Object({ fullName: S(), idNumber: Opt(S()), oldIdNumber: Opt(S()), nationality: Opt(Coded) })
export const Citizen = Type.Object({
  idNumber: Type.String({ description: '12-digit personal identification number (CCCD)' }),
  oldIdNumber: Opt(S('old 9- or 12-digit CMND')),
  fullName: S(),
  familyName: Opt(S('only when the register split the name')),
  middleName: Opt(S()),
  givenName: Opt(S()),
  gender: CodedOrNull,
  ethnicity: CodedOrNull,
  religion: CodedOrNull,
  nationality: CodedOrNull,
  maritalStatus: Opt(Coded),
  bloodType: Opt(Coded),
  birthDate: Type.Union([Type.Object({ year: Type.Integer(), date: Opt(IsoDate) }), Type.Null()]),
  birthRegistrationPlace: Opt(Address),
  hometown: Opt(Address),
  permanentAddress: Opt(Address),
  currentAddress: Opt(Address),
  father: Opt(Relative),
  mother: Opt(Relative),
  spouse: Opt(Relative),
  representative: Opt(Relative),
  householdHead: Opt(Type.Object({ relation: Opt(S()), fullName: S(), idNumber: Opt(S()), oldIdNumber: Opt(S()) })),
  householdBookNumber: Opt(S()),
})
export const CitizenReply = wrap(Citizen, 'A citizen from the population database')
// Identifier params: only a length bound and the string rule here; src/validation/identifiers.ts names the broken rule.
const Id = (description: string, examples?: string[]) => Type.String({ minLength: 1, maxLength: 40, format: 'hub-code', description, ...(examples ? { examples } : {}) })
export const IdNumberParams = Type.Object({ idNumber: Id('12-digit CCCD', ['001085012345']) })
export const CitizenVerifyBody = Type.Object(
  {
    idNumber: Id('12-digit CCCD'),
    fullName: Type.String({ minLength: 1, maxLength: 200, format: 'hub-name' }),
    birthDate: Opt(Type.String({ maxLength: 10, format: 'hub-date-or-year', description: 'YYYY-MM-DD or YYYY; when given the identity check (XacMinhThongTinNhanThan) is used' })),
  },
  { additionalProperties: false },
)
export type CitizenVerifyBody = Static<typeof CitizenVerifyBody>
export const CitizenVerifyReply = wrap(Type.Object({ verified: Type.Boolean({ description: 'The register holds this id with this name (and birth date)' }) }), 'Identity verification result')

// ---------------------------------------------------------------- businesses, taxpayers
const Status = Type.Object({ code: S(), name: Opt(S()), state: S('normalized state') })
export const Business = Type.Object({
  taxCode: S(),
  name: S(),
  foreignName: Opt(S()),
  shortName: Opt(S()),
  status: Status,
  type: Opt(Coded),
  foundedOn: Opt(IsoDate),
  lastAmendedOn: Opt(IsoDate),
  amendmentCount: Opt(Type.Integer()),
  charterCapital: Opt(Type.Number({ description: 'VND' })),
  mainActivity: Opt(Coded),
  headOffice: Opt(
    Type.Object({
      fullText: Opt(S()), detail: Opt(S()), wardCode: Opt(S()), wardName: Opt(S()), districtCode: Opt(S()), districtName: Opt(S()),
      provinceCode: Opt(S()), provinceName: Opt(S()), country: Opt(S()), phone: Opt(S()), fax: Opt(S()), email: Opt(S()), website: Opt(S()),
    }),
  ),
  representatives: Type.Array(Type.Object({ fullName: S(), position: Opt(S()), idType: Opt(S()), idNumber: Opt(S()), birthDate: Opt(IsoDate), nationality: Opt(S()) })),
})
export const BusinessReply = wrap(Business, 'An enterprise from the business registry')
export const TaxCodeParams = Type.Object({ taxCode: Id('MST: 10 digits, or 10 digits + "-" + 3-digit branch', ['0100109106']) })
export const Taxpayer = Type.Object({
  taxCode: S(),
  name: S(),
  status: Status,
  taxOffice: Opt(Coded),
  registeredOn: Opt(IsoDate),
  statusChangedOn: Opt(IsoDate),
  address: Opt(S()),
  taxpayerType: Opt(S()),
})
export const TaxpayerReply = wrap(Taxpayer, 'Taxpayer status from the tax authority')

// ---------------------------------------------------------------- insurance
export const Insurance = Type.Object({
  bhxhNumber: S(),
  idNumber: Opt(S()),
  fullName: S(),
  birthDate: Opt(IsoDate),
  birthYear: Opt(Type.Integer()),
  gender: Opt(S('1 Nam, 2 Nữ')),
  status: Status,
  healthCard: Opt(Type.Object({ number: S(), validFrom: Opt(IsoDate), validTo: Opt(IsoDate), clinic: Opt(Coded) })),
  periods: Type.Array(Type.Object({ from: S('YYYY-MM'), to: Opt(S('YYYY-MM')), employer: Opt(Coded), schemes: Type.Array(S()) })),
})
export const InsuranceReply = wrap(Insurance, 'Social insurance participation from BHXH')
export const InsuranceParams = Type.Object({ number: Id('10-digit BHXH number or 12-digit CCCD') })

// ---------------------------------------------------------------- civil status
const Person = Type.Object({ fullName: S(), idNumber: Opt(S()), birthDate: Opt(IsoDate), birthYear: Opt(Type.Integer()) })
const RecordBase = { registrationNumber: S(), book: Opt(S()), registeredOn: Opt(IsoDate), registrar: Opt(Coded) }
export const CivilStatusRecord = Type.Union([
  Type.Object({ kind: Type.Literal('birth'), ...RecordBase, child: Type.Object({ ...Person.properties, gender: Opt(S()), birthPlace: Opt(S()), ethnicity: Opt(S()), nationality: Opt(S()) }), mother: Opt(Person), father: Opt(Person) }),
  Type.Object({ kind: Type.Literal('death'), ...RecordBase, deceased: Person, diedOn: Opt(IsoDate), placeOfDeath: Opt(S()) }),
  Type.Object({ kind: Type.Literal('marriage'), ...RecordBase, husband: Person, wife: Person }),
])
export const CivilStatusReply = wrap(CivilStatusRecord, 'A civil-status extract (birth, death, marriage)')
export const CivilStatusParams = Type.Object({
  kind: Type.Union([Type.Literal('birth'), Type.Literal('death'), Type.Literal('marriage')]),
  id: Id("The subject's 12-digit CCCD"),
})

// ---------------------------------------------------------------- audit (admin)
export const PurposeHeaders = Type.Object({
  'x-purpose': Opt(Type.String({ description: 'Required: why this personal data is looked up, e.g. the dossier code (audited)', maxLength: 200, format: 'hub-text' })),
})
export const AuditQuery = Type.Object({
  client: Opt(Type.String({ maxLength: 64, format: 'hub-code' })),
  service: Opt(Type.String({ maxLength: 40, format: 'hub-code' })),
  subjectId: Opt(Type.String({ maxLength: 40, format: 'hub-code', description: 'Clear subject identifier; hashed by the hub before the search' })),
  from: Opt(Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset' })),
  to: Opt(Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  // An audit row id (bigint): 18 digits at most stays below 2^63.
  cursor: Opt(Type.String({ pattern: '^\\d{1,18}$', maxLength: 18, description: 'nextCursor of the previous page (a number)' })),
})
export type AuditQuery = Static<typeof AuditQuery>
export const AuditEntry = Type.Object({
  id: S(),
  at: S(),
  requestId: Opt(S()),
  clientId: S(),
  service: S(),
  action: S(),
  purpose: Opt(S()),
  subjectHash: Opt(S('HMAC-SHA256 of the subject identifier')),
  outcome: S(),
  status: Opt(Type.Integer()),
  latencyMs: Opt(Type.Integer()),
  upstream: Opt(S()),
  upstreamRef: Opt(S()),
})
export type AuditEntry = Static<typeof AuditEntry>
export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), nextCursor: Opt(S()) })
