import type { HubConfig } from '../../config/schema.js'
import { parseCongDanReply, parseXacThucReply } from '../../mappings/population/from-population.js'
import { toTraCuuArgs, toXacMinhArgs, toXacThucArgs, type CitizenIdentityQuery, type CitizenLookupQuery, type CitizenVerifyQuery, type PopulationCaller } from '../../mappings/population/to-population-xml.js'
import type { Citizen } from '../../mappings/population/types.js'
import { lookupUpstream, settle, type LookupAnswer, type LookupUpstream } from '../lookup-kit.js'
import { soapInvoker } from '../soap-kit.js'
import { timedCheck, type Connector, type ConnectorContext } from '../types.js'

export const POPULATION_WSDL = new URL('./wsdl/dancu.wsdl', import.meta.url)

export interface PopulationApi extends Connector {
  readonly upstream: LookupUpstream
  /** `TraCuuThongTinCongDan`: the citizen(s) holding a personal id. */
  lookup(q: CitizenLookupQuery, signal?: AbortSignal): Promise<LookupAnswer<Citizen[]>>
  /** `XacThucThongTinCongDan`: does this id belong to this name? */
  verify(q: CitizenVerifyQuery, signal?: AbortSignal): Promise<LookupAnswer<{ exists: boolean }>>
  /** `XacMinhThongTinNhanThan`: the citizen matching id, name and birth date (not found when any differs). */
  identify(q: CitizenIdentityQuery, signal?: AbortSignal): Promise<LookupAnswer<Citizen[]>>
}

export function populationCaller(cfg: HubConfig): PopulationCaller {
  return {
    serviceCode: cfg.POPULATION_SERVICE_CODE,
    integrationCode: cfg.POPULATION_INTEGRATION_CODE,
    verifyServiceCode: cfg.POPULATION_VERIFY_SERVICE_CODE,
    officerCode: cfg.POPULATION_OFFICER_CODE,
    unitCode: cfg.DVCQG_UNIT_CODE,
  }
}

/** The population database (CSDLQG về dân cư) over SOAP, with the WSDL kept in the repository. */
export function createPopulationConnector(ctx: ConnectorContext): PopulationApi {
  const name = 'population'
  const upstream = lookupUpstream(ctx, name, 'POPULATION')
  const soap = soapInvoker(name, upstream.transport, POPULATION_WSDL, ctx.config.POPULATION_BASE_URL)
  const caller = populationCaller(ctx.config)
  const lookup = (q: CitizenLookupQuery, signal?: AbortSignal) =>
    upstream.transport.execute({ operation: 'TraCuuThongTinCongDan', idempotent: true, signal }, async (s) =>
      settle(name, parseCongDanReply(await soap.call('TraCuuThongTinCongDan', toTraCuuArgs(caller, q), s))),
    )
  const verify = (q: CitizenVerifyQuery, signal?: AbortSignal) =>
    upstream.transport.execute({ operation: 'XacThucThongTinCongDan', idempotent: true, signal }, async (s) =>
      settle(name, parseXacThucReply(await soap.call('XacThucThongTinCongDan', toXacThucArgs(caller, q), s))),
    )
  const identify = (q: CitizenIdentityQuery, signal?: AbortSignal) =>
    upstream.transport.execute({ operation: 'XacMinhThongTinNhanThan', idempotent: true, signal }, async (s) =>
      settle(name, parseCongDanReply(await soap.call('XacMinhThongTinNhanThan', toXacMinhArgs(caller, q), s))),
    )
  return {
    id: name,
    upstream,
    lookup,
    verify,
    identify,
    check: () => timedCheck(async () => (await lookup({ requestId: 'hub-check', idNumber: '001000000000' })).kind),
  }
}
