import type { Connector, ConnectorContext } from '../../src/connectors/types.js'
import { createDvcqgConnector } from '../../src/connectors/dvcqg/index.js'
import { createMetrics } from '../../src/metrics.js'
import { createLogger, type Logger } from '../../src/log.js'
import { createTransport, type Transport } from '../../src/http/transport.js'
import { testConfig } from './config.js'

/** A connector built outside a hub, on the real shared transport, with its transports to close. */
export function buildConnector<C extends Connector>(
  factory: (ctx: ConnectorContext) => C,
  env: Record<string, string | number | undefined>,
  logger: Logger = createLogger('silent'),
) {
  const config = testConfig(env)
  const metrics = createMetrics()
  const transports: Transport[] = []
  const connector = factory({
    config,
    logger,
    metrics,
    transport: (o) => {
      const t = createTransport({ ...o, logger, metrics })
      transports.push(t)
      return t
    },
  })
  return { connector, config, metrics, transports, close: () => transports.forEach((t) => t.close()) }
}

/** A DVCQG connector for nock tests: base URL, wire style, test credentials (u/p), a 500 ms timeout; `env` overrides. */
export function dvcqgTestConnector(baseUrl: string, style: 'adapter' | 'rest', env: Record<string, string | number> = {}) {
  return buildConnector(createDvcqgConnector, {
    DVCQG_BASE_URL: baseUrl,
    DVCQG_STYLE: style,
    DVCQG_USERNAME: 'u',
    DVCQG_PASSWORD: 'p',
    UPSTREAM_TIMEOUT_MS: 500,
    ...env,
  }).connector
}
