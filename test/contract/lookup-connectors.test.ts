import { createPopulationConnector } from '../../src/connectors/population/index.js'
import { createBusinessRegistryConnector } from '../../src/connectors/business-registry/index.js'
import { createTaxConnector } from '../../src/connectors/tax/index.js'
import { createBhxhConnector } from '../../src/connectors/bhxh/index.js'
import { createCivilStatusConnector } from '../../src/connectors/civil-status/index.js'
import { describeConnectorContract, oauthTokens } from './describe-connector-contract.js'

const person = (
  sb: { sims: { lookups: { seed: { people: { citizen: { idNumber: string }; bhxhNumber: string; insurance?: unknown }[] } } } },
  pred: (p: { insurance?: unknown }) => boolean = () => true,
) => sb.sims.lookups.seed.people.find(pred)!
const UNKNOWN_CCCD = '001099000000'

describeConnectorContract('population', {
  id: 'population',
  prefix: 'POPULATION',
  factory: createPopulationConnector,
  operation: 'TraCuuThongTinCongDan',
  found: (c, sb) => c.lookup({ requestId: 'r1', idNumber: person(sb).citizen.idNumber }),
  missing: (c) => c.lookup({ requestId: 'r2', idNumber: UNKNOWN_CCCD }),
  rejected: (c) => c.lookup({ requestId: 'r3', idNumber: '12AB' }),
})

describeConnectorContract('bhxh', {
  id: 'bhxh',
  prefix: 'BHXH',
  factory: createBhxhConnector,
  operation: 'TraCuuQuaTrinhThamGia',
  found: (c, sb) => c.participation({ bhxhNumber: person(sb, (p) => !!p.insurance).bhxhNumber }, { requestId: 'r1' }),
  missing: (c) => c.participation({ idNumber: UNKNOWN_CCCD }, { requestId: 'r2' }),
  rejected: (c) => c.participation({ bhxhNumber: 'x' }, { requestId: 'r3' }),
})

describeConnectorContract('business-registry', {
  id: 'business-registry',
  prefix: 'BUSINESS_REGISTRY',
  factory: createBusinessRegistryConnector,
  operation: 'ChiTietDoanhNghiep',
  found: (c, sb) => c.enterprise(sb.sims.lookups.seed.businesses[0]!.taxCode),
  missing: (c) => c.enterprise('0100109106'),
  rejected: (c) => c.enterprise('not-a-code'),
  ...oauthTokens((sb) => sb.sims.lookups.businessRegistry.tokens),
})

describeConnectorContract('tax', {
  id: 'tax',
  prefix: 'TAX',
  factory: createTaxConnector,
  operation: 'TraCuuTrangThaiNNT',
  found: (c, sb) => c.taxpayer(sb.sims.lookups.seed.businesses[1]!.taxCode, { requestId: 'r1' }),
  missing: (c) => c.taxpayer('0100109106', { requestId: 'r2' }),
  rejected: (c) => c.taxpayer('12', { requestId: 'r3' }),
  ...oauthTokens((sb) => sb.sims.lookups.tax.tokens),
})

describeConnectorContract('civil-status', {
  id: 'civil-status',
  prefix: 'CIVIL_STATUS',
  factory: createCivilStatusConnector,
  operation: 'TrichLucKS',
  found: (c, sb) => c.extract('birth', { idNumber: person(sb).citizen.idNumber }, { requestId: 'r1' }),
  missing: (c) => c.extract('birth', { idNumber: UNKNOWN_CCCD }, { requestId: 'r2' }),
  rejected: (c) => c.extract('birth', { idNumber: '1' }, { requestId: 'r3' }),
  ...oauthTokens((sb) => sb.sims.lookups.civilStatus.tokens),
})
