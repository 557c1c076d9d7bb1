import { TaxCodeParams } from '../../../schemas/v1/lookups.js'
import { BusinessReply } from '../../../schemas/v1/lookups/business-registry.js'
import { validateMst } from '../../validation/identifiers.js'
import { defineLookup, requireValid } from '../lookup-definition.js'
import { createBusinessRegistryConnector } from './index.js'

/** The business registry: an enterprise by its code (= MST). */
export const businessRegistryLookup = defineLookup({
  id: 'business-registry',
  upstream: { prefix: 'BUSINESS_REGISTRY', label: 'business registry', auth: 'vnpt', nationalDatabase: 'CSDLQGDKDN' },
  connector: createBusinessRegistryConnector,
  endpoints: (route) => [
    route({
      method: 'GET',
      url: '/v1/businesses/:taxCode',
      service: 'businesses',
      action: 'business.lookup',
      summary: 'An enterprise from the business registry (ChiTietDoanhNghiep)',
      params: TaxCodeParams,
      reply: BusinessReply,
      prepare: ({ params }) => {
        const mst = requireValid('/params/taxCode', validateMst(params.taxCode))
        return { subjectId: mst, run: (registry) => registry.enterprise(mst) }
      },
    }),
  ],
})
