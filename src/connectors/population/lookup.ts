import { Type } from '@sinclair/typebox'
import { CitizenReply, CitizenVerifyBody, CitizenVerifyReply, IdNumberParams } from '../../../schemas/v1/lookups/population.js'
import { fieldError } from '../../errors.js'
import { validateCccd } from '../../validation/identifiers.js'
import { defineLookup, requireValid, type VerifyOutcome } from '../lookup-definition.js'
import { createPopulationConnector } from './index.js'

const code = (description: string, def: string) => Type.String({ description: `population: ${description}`, default: def })

/** The population database: citizen lookup and identity verification. */
export const populationLookup = defineLookup({
  id: 'population',
  upstream: { prefix: 'POPULATION', label: 'population database', auth: 'hashed-basic', nationalDatabase: 'CSDLQGDC' },
  settings: {
    POPULATION_SERVICE_CODE: code('MaDVC (public service code) sent with lookups', '037'),
    POPULATION_INTEGRATION_CODE: code('MaTichHop (integration code)', '037'),
    POPULATION_VERIFY_SERVICE_CODE: code('MaDichVu of the verify service', '033'),
    POPULATION_OFFICER_CODE: code('MaCanBo (officer code) sent with lookups', 'HUB'),
  },
  connector: createPopulationConnector,
  endpoints: (route) => [
    route({
      method: 'GET',
      url: '/v1/citizens/:idNumber',
      service: 'citizens',
      action: 'citizen.lookup',
      summary: 'A citizen from the population database (TraCuuThongTinCongDan)',
      params: IdNumberParams,
      reply: CitizenReply,
      prepare: ({ params }) => {
        const id = requireValid('/params/idNumber', validateCccd(params.idNumber, new Date()))
        return {
          subjectId: id,
          run: async (population, call) => {
            const r = await population.lookup({ requestId: call.requestId, idNumber: id })
            if (r.kind !== 'found') return r
            const first = r.value.find((c) => c.idNumber === id) ?? r.value[0]!
            return { kind: 'found', value: first, ...(r.upstreamRef ? { upstreamRef: r.upstreamRef } : {}) }
          },
        }
      },
    }),
    route({
      method: 'POST',
      url: '/v1/citizens/verify',
      service: 'citizens',
      action: 'citizen.verify',
      summary: 'Does this CCCD belong to this name (and birth date)? (XacThucThongTinCongDan / XacMinhThongTinNhanThan)',
      body: CitizenVerifyBody,
      reply: CitizenVerifyReply,
      prepare: ({ body }) => {
        const id = requireValid('/body/idNumber', validateCccd(body.idNumber, new Date()))
        const fullName = body.fullName.normalize('NFC').replace(/\s+/g, ' ').trim()
        if (!fullName) throw fieldError('/body/fullName', 'fullName must not be blank', 'HUB_NAME_REQUIRED')
        return {
          subjectId: id,
          run: async (population, call) => {
            // Audited as match / mismatch / not_found (docs/audit-coverage.md), answered as verified true/false.
            const ref = (r: { upstreamRef?: string }) => (r.upstreamRef ? { upstreamRef: r.upstreamRef } : {})
            if (body.birthDate === undefined) {
              const r = await population.verify({ requestId: call.requestId, idNumber: id, fullName })
              const auditOutcome: VerifyOutcome = r.kind === 'not_found' ? 'not_found' : r.value.exists ? 'match' : 'mismatch'
              return { kind: 'found', value: { verified: auditOutcome === 'match' }, auditOutcome, ...ref(r) }
            }
            const birthDate = body.birthDate.length === 4 ? { year: Number(body.birthDate) } : { date: body.birthDate }
            const r = await population.identify({ requestId: call.requestId, idNumber: id, fullName, birthDate })
            // A verification is answered either way: "no such person with these details" is `false`, not 404.
            // XacMinhThongTinNhanThan answers an empty list both for an unknown number and for details that do not
            // belong to it: the details given did not verify, recorded as a mismatch.
            const matched = r.kind === 'found'
            return { kind: 'found', value: { verified: matched }, auditOutcome: matched ? 'match' : 'mismatch', ...ref(r) }
          },
        }
      },
    }),
  ],
})
