import type { FastifyRequest } from 'fastify'
import type { HubApp } from '../../app.js'
import {
  BusinessReply,
  CitizenReply,
  CitizenVerifyBody,
  CitizenVerifyReply,
  CivilStatusParams,
  CivilStatusReply,
  IdNumberParams,
  InsuranceParams,
  InsuranceReply,
  PurposeHeaders,
  TaxCodeParams,
  TaxpayerReply,
} from '../../../schemas/v1/lookups.js'
import type { LookupCall } from '../../services/lookups/service.js'
import { ProblemSchema } from '../problem.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 502: ProblemSchema, 503: ProblemSchema, 504: ProblemSchema }
const call = (request: FastifyRequest): LookupCall => {
  const p = request.headers['x-purpose']
  return { clientId: request.client!.id, requestId: request.id, purpose: typeof p === 'string' ? p : undefined }
}
/** The mappings' types are readonly; the reply schemas (which fast-json-stringify enforces) describe the same shapes. */
const sent = <T>(p: Promise<T>) => p as Promise<never>
const doc = (summary: string) => ({
  tags: ['lookups'],
  summary,
  description:
    'Requires the x-purpose header (audited with the client, the hashed subject, the outcome and the latency). ' +
    'Identifiers are validated before anything is sent (400 naming the rule in errors[].rule); an unknown subject is 404 ' +
    'HUB_ERR_UPSTREAM_NOT_FOUND; an upstream that is down, times out or whose circuit is open answers 503/504 with Retry-After.',
  headers: PurposeHeaders,
})

/** Identity and registry lookups: thin routes, one service call each. */
export default async function lookupRoutes(app: HubApp) {
  const lookups = app.hub.services.lookups
  app.get('/v1/citizens/:idNumber', { config: { access: 'citizens' }, schema: { ...doc('A citizen from the population database (TraCuuThongTinCongDan)'), params: IdNumberParams, response: { 200: CitizenReply, ...errors } } }, (request) =>
    sent(lookups.citizen(request.params.idNumber, call(request))),
  )
  app.post(
    '/v1/citizens/verify',
    { config: { access: 'citizens' }, schema: { ...doc('Does this CCCD belong to this name (and birth date)? (XacThucThongTinCongDan / XacMinhThongTinNhanThan)'), body: CitizenVerifyBody, response: { 200: CitizenVerifyReply, ...errors } } },
    (request) => sent(lookups.verifyCitizen(request.body, call(request))),
  )
  app.get('/v1/businesses/:taxCode', { config: { access: 'businesses' }, schema: { ...doc('An enterprise from the business registry (ChiTietDoanhNghiep)'), params: TaxCodeParams, response: { 200: BusinessReply, ...errors } } }, (request) =>
    sent(lookups.business(request.params.taxCode, call(request))),
  )
  app.get('/v1/taxpayers/:taxCode', { config: { access: 'taxpayers' }, schema: { ...doc('Taxpayer status from the tax authority'), params: TaxCodeParams, response: { 200: TaxpayerReply, ...errors } } }, (request) =>
    sent(lookups.taxpayer(request.params.taxCode, call(request))),
  )
  app.get('/v1/insurance/:number', { config: { access: 'insurance' }, schema: { ...doc('Social insurance participation by BHXH number or CCCD'), params: InsuranceParams, response: { 200: InsuranceReply, ...errors } } }, (request) =>
    sent(lookups.insurance(request.params.number, call(request))),
  )
  app.get('/v1/civil-status/:kind/:id', { config: { access: 'civil-status' }, schema: { ...doc('A birth, death or marriage extract by the subject\'s CCCD'), params: CivilStatusParams, response: { 200: CivilStatusReply, ...errors } } }, (request) =>
    sent(lookups.civilStatus(request.params.kind, request.params.id, call(request))),
  )
}
