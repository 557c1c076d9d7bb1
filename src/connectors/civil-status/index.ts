import { CIVIL_STATUS_MODULES, fromCivilStatus, type CivilStatusKind, type CivilStatusRecord } from '../../mappings/civil-status/from-civil-status.js'
import { toCivilStatusRequest } from '../../mappings/civil-status/to-civil-status.js'
import { lookupUpstream, postJson, settle, type LookupAnswer, type LookupUpstream } from '../lookup-kit.js'
import { timedCheck, type Connector, type ConnectorContext } from '../types.js'

/** Path of the extract lookup under the base URL (docs/contracts/civil-status.md). */
export const CIVIL_STATUS_PATH = '/api/ho-tich/trich-luc'

export type CivilStatusKey = { readonly idNumber: string } | { readonly registrationNumber: string; readonly registrarCode: string }

export interface CivilStatusApi extends Connector {
  readonly upstream: LookupUpstream
  /** A birth (KS), death (KT) or marriage (KH) extract by personal id or registration. */
  extract(kind: CivilStatusKind, key: CivilStatusKey, opts?: { requestId?: string; signal?: AbortSignal }): Promise<LookupAnswer<CivilStatusRecord>>
}

export function createCivilStatusConnector(ctx: ConnectorContext): CivilStatusApi {
  const name = 'civil-status'
  const upstream = lookupUpstream(ctx, name, 'CIVIL_STATUS')
  const extract = (kind: CivilStatusKind, key: CivilStatusKey, opts: { requestId?: string; signal?: AbortSignal } = {}) => {
    const module = CIVIL_STATUS_MODULES[kind]
    return upstream.transport.execute({ operation: `TrichLuc${module}`, idempotent: true, signal: opts.signal }, async (signal) =>
      settle(
        name,
        fromCivilStatus(
          module,
          await postJson(upstream, name, `TrichLuc${module}`, CIVIL_STATUS_PATH, toCivilStatusRequest(module, key, opts.requestId ?? 'hub-check'), signal),
        ),
      ),
    )
  }
  return {
    id: name,
    upstream,
    extract,
    check: () => timedCheck(async () => (await extract('birth', { idNumber: '001000000000' })).kind),
  }
}
