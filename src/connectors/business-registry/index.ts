import { fromBusinessRegistry, type Business } from '../../mappings/business-registry/from-business-registry.js'
import { toBusinessRegistryRequest } from '../../mappings/business-registry/to-business-registry.js'
import { lookupUpstream, postJson, settle, type LookupAnswer, type LookupUpstream } from '../lookup-kit.js'
import { timedCheck, type Connector, type ConnectorContext } from '../types.js'

/** Path of `ChiTietDoanhNghiep` under the base URL (docs/contracts/business-registry.md). */
export const BUSINESS_REGISTRY_PATH = '/api/doanh-nghiep'
/** A well-formed code no registry holds: `check()` expects a clean "not found" or a record. */
export const PROBE_TAX_CODE = '0100109106'

export interface BusinessRegistryApi extends Connector {
  readonly upstream: LookupUpstream
  /** `ChiTietDoanhNghiep` by enterprise code (= MST, validated by the caller). */
  enterprise(taxCode: string, opts?: { signal?: AbortSignal }): Promise<LookupAnswer<Business>>
}

export function createBusinessRegistryConnector(ctx: ConnectorContext): BusinessRegistryApi {
  const name = 'business-registry'
  const upstream = lookupUpstream(ctx, name, 'BUSINESS_REGISTRY')
  const enterprise = (taxCode: string, opts: { signal?: AbortSignal } = {}) =>
    upstream.transport.execute({ operation: 'ChiTietDoanhNghiep', idempotent: true, signal: opts.signal }, async (signal) =>
      settle(
        name,
        fromBusinessRegistry(await postJson(upstream, name, 'ChiTietDoanhNghiep', BUSINESS_REGISTRY_PATH, toBusinessRegistryRequest(taxCode), signal)),
      ),
    )
  return {
    id: name,
    upstream,
    enterprise,
    check: () => timedCheck(async () => (await enterprise(PROBE_TAX_CODE)).kind),
  }
}
