import { fromTaxpayerStatus, type Taxpayer } from '../../mappings/tax/from-tax.js'
import { toTaxpayerStatusRequest } from '../../mappings/tax/to-tax.js'
import { lookupUpstream, postJson, settle, type LookupAnswer, type LookupUpstream } from '../lookup-kit.js'
import { timedCheck, type Connector, type ConnectorContext } from '../types.js'

/** Path of the taxpayer-status lookup under the base URL (docs/contracts/tax.md). */
export const TAX_STATUS_PATH = '/api/nnt/trang-thai'

export interface TaxApi extends Connector {
  readonly upstream: LookupUpstream
  /** Taxpayer status by MST (validated by the caller). */
  taxpayer(taxCode: string, opts?: { requestId?: string; signal?: AbortSignal }): Promise<LookupAnswer<Taxpayer>>
}

export function createTaxConnector(ctx: ConnectorContext): TaxApi {
  const name = 'tax'
  const upstream = lookupUpstream(ctx, name, 'TAX')
  const unit = ctx.config.DVCQG_UNIT_CODE
  const taxpayer = (taxCode: string, opts: { requestId?: string; signal?: AbortSignal } = {}) =>
    upstream.transport.execute({ operation: 'TraCuuTrangThaiNNT', idempotent: true, signal: opts.signal }, async (signal) =>
      settle(
        name,
        fromTaxpayerStatus(
          await postJson(upstream, name, 'TraCuuTrangThaiNNT', TAX_STATUS_PATH, toTaxpayerStatusRequest(taxCode, opts.requestId ?? 'hub-check', unit), signal),
        ),
      ),
    )
  return {
    id: name,
    upstream,
    taxpayer,
    check: () => timedCheck(async () => (await taxpayer('0100109106')).kind),
  }
}
