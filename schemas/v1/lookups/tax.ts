/** Normalized API v1: answers of the tax authority. */
import { Type } from '@sinclair/typebox'
import { Coded, IsoDate, Opt, S, Status, wrap } from '../lookups.js'

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
