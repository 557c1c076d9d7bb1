import { DEFAULT_BREAKER, type Transport } from '../../http/transport.js'
import { timedCheck, type CheckResult, type Connector, type ConnectorContext } from '../types.js'
import { upstreamTls } from '../upstream-settings.js'
import { dvcqgSessionAuth } from './session.js'
import { createDvcqgWire, type DvcqgStyle } from './wire.js'
import { dvcqgDossierOps, type DvcqgDossierOps } from './dossiers.js'
import { dvcqgCatalogOps, type DvcqgCatalogOps } from './catalog.js'
import { dvcqgWarehouseOps, type DvcqgWarehouseOps } from './warehouse.js'

export { dvcqgSessionAuth } from './session.js'
export type { DvcqgOk, DvcqgStyle } from './wire.js'

/** The national public-service portal: typed operations per capability, one wire underneath. */
export interface DvcqgApi extends Connector, DvcqgDossierOps, DvcqgCatalogOps, DvcqgWarehouseOps {
  readonly style: DvcqgStyle
}

export function createDvcqgConnector(ctx: ConnectorContext): DvcqgApi {
  const cfg = ctx.config
  const style: DvcqgStyle = cfg.DVCQG_STYLE
  // The login goes through the same transport it authenticates (auth is applied lazily).
  const ref: { transport?: Transport } = {}
  const auth = style === 'adapter' ? dvcqgSessionAuth(cfg, () => ref.transport!) : undefined
  const transport = ctx.transport({
    name: 'dvcqg',
    baseURL: cfg.DVCQG_BASE_URL,
    timeoutMs: cfg.UPSTREAM_TIMEOUT_MS,
    auth,
    // DVCQG_CLIENT_CERT_FILE / _CLIENT_PFX_FILE / _CA_FILE…: the same mutual-TLS path as every upstream.
    tls: upstreamTls(ctx, 'dvcqg', 'DVCQG'),
    breaker: DEFAULT_BREAKER,
    maxConcurrent: 64,
    readRetries: 2,
    // Warehouse downloads carry whole files: a limit of its own.
    maxReplyBytes: cfg.DVCQG_MAX_REPLY_BYTES,
    headers: { dstcode: cfg.DVCQG_DSTCODE, 'content-type': 'application/json' },
  })
  ref.transport = transport
  const wire = createDvcqgWire(cfg, style, transport)

  return {
    id: 'dvcqg',
    style,
    ...dvcqgDossierOps(wire),
    ...dvcqgCatalogOps(wire),
    ...dvcqgWarehouseOps(wire),
    check(): Promise<CheckResult> {
      // Adapter style: a fresh login proves reachability and credentials; REST: a cheap lookup.
      return timedCheck(async () => {
        await wire.send('TraCuuHoSo', 'TraCuuHoSo', { mahoso: '000.00.00.H56-000101-0000' }, { idempotent: true })
        return auth ? 'session ok' : 'reachable'
      })
    },
  }
}
