/** Normalized API v1: answers of the business registry. */
import { Type } from '@sinclair/typebox'
import { Coded, IsoDate, Opt, S, Status, wrap } from '../lookups.js'

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
      fullText: Opt(S()),
      detail: Opt(S()),
      wardCode: Opt(S()),
      wardName: Opt(S()),
      districtCode: Opt(S()),
      districtName: Opt(S()),
      provinceCode: Opt(S()),
      provinceName: Opt(S()),
      country: Opt(S()),
      phone: Opt(S()),
      fax: Opt(S()),
      email: Opt(S()),
      website: Opt(S()),
    }),
  ),
  representatives: Type.Array(
    Type.Object({ fullName: S(), position: Opt(S()), idType: Opt(S()), idNumber: Opt(S()), birthDate: Opt(IsoDate), nationality: Opt(S()) }),
  ),
})
export const BusinessReply = wrap(Business, 'An enterprise from the business registry')
