import type { HubConfig } from '../../config/schema.js'
import { parseCongDanReply, parseXacThucReply } from '../../mappings/population/from-population.js'
import {
  NS_DANCU_REQUEST,
  buildTraCuuRequestXml,
  buildXacMinhRequestXml,
  buildXacThucRequestXml,
  type CitizenIdentityQuery,
  type CitizenLookupQuery,
  type CitizenVerifyQuery,
  type PopulationCaller,
} from '../../mappings/population/to-population-xml.js'
import type { Citizen } from '../../mappings/population/types.js'
import { lookupUpstream, settle, type LookupAnswer, type LookupUpstream } from '../lookup-kit.js'
import { postSoapEnvelope } from '../soap-kit.js'
import { timedCheck, type Connector, type ConnectorContext } from '../types.js'

/** The service description kept in the repository (the requests themselves are built by the mapping, from its XSDs). */
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

/**
 * The population database (CSDLQG về dân cư) over SOAP 1.1: the envelopes the mapping
 * builds from the real XSDs are the bytes sent (`SOAPAction` per `dancu.wsdl`).
 */
export function createPopulationConnector(ctx: ConnectorContext): PopulationApi {
  const name = 'population'
  const upstream = lookupUpstream(ctx, name, 'POPULATION')
  const caller = populationCaller(ctx.config)
  const send = (operation: string, envelope: string, signal?: AbortSignal) =>
    postSoapEnvelope(name, upstream.transport, ctx.config.POPULATION_BASE_URL, operation, `${NS_DANCU_REQUEST}/${operation}`, envelope, signal)
  const lookup = (q: CitizenLookupQuery, signal?: AbortSignal) =>
    upstream.transport.execute({ operation: 'TraCuuThongTinCongDan', idempotent: true, signal }, async (s) =>
      settle(name, parseCongDanReply(await send('TraCuuThongTinCongDan', buildTraCuuRequestXml(caller, q), s))),
    )
  const verify = (q: CitizenVerifyQuery, signal?: AbortSignal) =>
    upstream.transport.execute({ operation: 'XacThucThongTinCongDan', idempotent: true, signal }, async (s) =>
      settle(name, parseXacThucReply(await send('XacThucThongTinCongDan', buildXacThucRequestXml(caller, q), s))),
    )
  const identify = (q: CitizenIdentityQuery, signal?: AbortSignal) =>
    upstream.transport.execute({ operation: 'XacMinhThongTinNhanThan', idempotent: true, signal }, async (s) =>
      settle(name, parseCongDanReply(await send('XacMinhThongTinNhanThan', buildXacMinhRequestXml(caller, q), s))),
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
