import { InsuranceParams, InsuranceReply } from '../../../schemas/v1/lookups/bhxh.js'
import { validateBhxh, validateCccd } from '../../validation/identifiers.js'
import { defineLookup, requireValid } from '../lookup-definition.js'
import { createBhxhConnector } from './index.js'

/** Social insurance (BHXH): participation by BHXH number or CCCD. */
export const bhxhLookup = defineLookup({
  id: 'bhxh',
  upstream: { prefix: 'BHXH', label: 'social insurance (BHXH)', auth: 'api-key', nationalDatabase: 'CSDLBHXH' },
  connector: createBhxhConnector,
  endpoints: (route) => [
    route({
      method: 'GET',
      url: '/v1/insurance/:number',
      service: 'insurance',
      action: 'insurance.lookup',
      summary: 'Social insurance participation by BHXH number or CCCD',
      params: InsuranceParams,
      reply: InsuranceReply,
      prepare: ({ params }) => {
        const n = params.number.trim()
        // 12 digits: a CCCD; anything else is read as a BHXH number (and its rules name the problem).
        const key = /^\d{12}$/.test(n)
          ? { idNumber: requireValid('/params/number', validateCccd(n, new Date())) }
          : { bhxhNumber: requireValid('/params/number', validateBhxh(n)) }
        return { subjectId: n, run: (bhxh, call) => bhxh.participation(key, { requestId: call.requestId }) }
      },
    }),
  ],
})
