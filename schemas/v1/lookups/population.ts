/** Normalized API v1: answers of the population database (CSDLQG về dân cư). */
import { Type, type Static } from '@sinclair/typebox'
import { Coded, CodedOrNull, Id, IsoDate, Opt, S, wrap } from '../lookups.js'

const Address = Type.Object({
  provinceCode: Opt(S()),
  districtCode: Opt(S()),
  wardCode: Opt(S()),
  detail: Opt(S('street, house number, hamlet')),
  country: Opt(S()),
})
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
export const IdNumberParams = Type.Object({ idNumber: Id('12-digit CCCD', ['001085012345']) })
export const CitizenVerifyBody = Type.Object(
  {
    idNumber: Id('12-digit CCCD'),
    fullName: Type.String({ minLength: 1, maxLength: 200, format: 'hub-name' }),
    birthDate: Opt(
      Type.String({
        maxLength: 10,
        format: 'hub-date-or-year',
        description: 'YYYY-MM-DD or YYYY; when given the identity check (XacMinhThongTinNhanThan) is used',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CitizenVerifyBody = Static<typeof CitizenVerifyBody>
export const CitizenVerifyReply = wrap(
  Type.Object({ verified: Type.Boolean({ description: 'The register holds this id with this name (and birth date)' }) }),
  'Identity verification result',
)
