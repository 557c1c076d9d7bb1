import { CivilStatusParams, CivilStatusReply } from '../../../schemas/v1/lookups/civil-status.js'
import { validateCccd } from '../../validation/identifiers.js'
import { defineLookup, requireValid } from '../lookup-definition.js'
import { createCivilStatusConnector } from './index.js'

/** Civil status (hộ tịch): birth, death and marriage extracts by the subject's CCCD. */
export const civilStatusLookup = defineLookup({
  id: 'civil-status',
  upstream: { prefix: 'CIVIL_STATUS', label: 'civil status (hộ tịch)', auth: 'oauth2', nationalDatabase: 'CSDLHOTICH' },
  connector: createCivilStatusConnector,
  endpoints: (route) => [
    route({
      method: 'GET',
      url: '/v1/civil-status/:kind/:id',
      service: 'civil-status',
      action: 'civil-status.extract',
      summary: "A birth, death or marriage extract by the subject's CCCD",
      params: CivilStatusParams,
      reply: CivilStatusReply,
      prepare: ({ params }) => {
        const idNumber = requireValid('/params/id', validateCccd(params.id, new Date()))
        return {
          subjectId: idNumber,
          action: `civil-status.${params.kind}`,
          run: (civil, call) => civil.extract(params.kind, { idNumber }, { requestId: call.requestId }),
        }
      },
    }),
  ],
})
