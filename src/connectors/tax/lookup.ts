import { TaxCodeParams } from '../../../schemas/v1/lookups.js'
import { TaxpayerReply } from '../../../schemas/v1/lookups/tax.js'
import { validateMst } from '../../validation/identifiers.js'
import { defineLookup, requireValid } from '../lookup-definition.js'
import { createTaxConnector } from './index.js'

/** The tax authority: taxpayer status by MST. */
export const taxLookup = defineLookup({
  id: 'tax',
  upstream: { prefix: 'TAX', label: 'tax authority', auth: 'oauth2', nationalDatabase: 'CSDLTHUE' },
  connector: createTaxConnector,
  endpoints: (route) => [
    route({
      method: 'GET',
      url: '/v1/taxpayers/:taxCode',
      service: 'taxpayers',
      action: 'taxpayer.lookup',
      summary: 'Taxpayer status from the tax authority',
      params: TaxCodeParams,
      reply: TaxpayerReply,
      prepare: ({ params }) => {
        const mst = requireValid('/params/taxCode', validateMst(params.taxCode))
        return { subjectId: mst, run: (tax, call) => tax.taxpayer(mst, { requestId: call.requestId }) }
      },
    }),
  ],
})
