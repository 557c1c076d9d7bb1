import { fromBhxhParticipation, type InsuranceParticipation } from '../../mappings/bhxh/from-bhxh.js'
import { toBhxhArgs, type BhxhLookupKey } from '../../mappings/bhxh/to-bhxh.js'
import { lookupUpstream, settle, type LookupAnswer, type LookupUpstream } from '../lookup-kit.js'
import { soapInvoker } from '../soap-kit.js'
import { timedCheck, type Connector, type ConnectorContext } from '../types.js'

export const BHXH_WSDL = new URL('./wsdl/bhxh.wsdl', import.meta.url)

export interface BhxhApi extends Connector {
  readonly upstream: LookupUpstream
  /** `TraCuuQuaTrinhThamGia` by BHXH number or CCCD. */
  participation(key: BhxhLookupKey, opts?: { requestId?: string; signal?: AbortSignal }): Promise<LookupAnswer<InsuranceParticipation>>
}

/** Social insurance (BHXH) participation over SOAP (docs/contracts/bhxh.md). */
export function createBhxhConnector(ctx: ConnectorContext): BhxhApi {
  const name = 'bhxh'
  const upstream = lookupUpstream(ctx, name, 'BHXH')
  const soap = soapInvoker(name, upstream.transport, BHXH_WSDL, ctx.config.BHXH_BASE_URL)
  const unit = ctx.config.DVCQG_UNIT_CODE
  const participation = (key: BhxhLookupKey, opts: { requestId?: string; signal?: AbortSignal } = {}) =>
    upstream.transport.execute({ operation: 'TraCuuQuaTrinhThamGia', idempotent: true, signal: opts.signal }, async (s) =>
      settle(name, fromBhxhParticipation(await soap.call('TraCuuQuaTrinhThamGia', toBhxhArgs(key, opts.requestId ?? 'hub-check', unit), s))),
    )
  return {
    id: name,
    upstream,
    participation,
    check: () => timedCheck(async () => (await participation({ bhxhNumber: '0100000000' })).kind),
  }
}
