/** Normalized API v1: civil-status extracts (hộ tịch). */
import { Type } from '@sinclair/typebox'
import { Coded, Id, IsoDate, Opt, S, wrap } from '../lookups.js'

const Person = Type.Object({ fullName: S(), idNumber: Opt(S()), birthDate: Opt(IsoDate), birthYear: Opt(Type.Integer()) })
const RecordBase = { registrationNumber: S(), book: Opt(S()), registeredOn: Opt(IsoDate), registrar: Opt(Coded) }
export const CivilStatusRecord = Type.Union([
  Type.Object({
    kind: Type.Literal('birth'),
    ...RecordBase,
    child: Type.Object({ ...Person.properties, gender: Opt(S()), birthPlace: Opt(S()), ethnicity: Opt(S()), nationality: Opt(S()) }),
    mother: Opt(Person),
    father: Opt(Person),
  }),
  Type.Object({ kind: Type.Literal('death'), ...RecordBase, deceased: Person, diedOn: Opt(IsoDate), placeOfDeath: Opt(S()) }),
  Type.Object({ kind: Type.Literal('marriage'), ...RecordBase, husband: Person, wife: Person }),
])
export const CivilStatusReply = wrap(CivilStatusRecord, 'A civil-status extract (birth, death, marriage)')
export const CivilStatusParams = Type.Object({
  kind: Type.Union([Type.Literal('birth'), Type.Literal('death'), Type.Literal('marriage')]),
  id: Id("The subject's 12-digit CCCD"),
})
