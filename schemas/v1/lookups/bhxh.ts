/** Normalized API v1: answers of social insurance (BHXH). */
import { Type } from '@sinclair/typebox'
import { Coded, Id, IsoDate, Opt, S, Status, wrap } from '../lookups.js'

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
