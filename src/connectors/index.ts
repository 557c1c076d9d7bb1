import { ConfigError } from '../config/load.js'
import type { Connector, ConnectorContext, ConnectorFactory } from './types.js'

/**
 * The connector registry: adding a national system is one folder plus one line here.
 * Connectors are created for the names in CONNECTORS_ENABLED.
 */
export const CONNECTOR_FACTORIES: Record<string, ConnectorFactory> = {}

export function registerConnector(id: string, factory: ConnectorFactory): void {
  CONNECTOR_FACTORIES[id] = factory
}

export function createConnectors(ctx: ConnectorContext, enabled: string[]): Map<string, Connector> {
  const out = new Map<string, Connector>()
  for (const id of enabled) {
    const factory = CONNECTOR_FACTORIES[id]
    if (!factory)
      throw new ConfigError(
        'CONNECTORS_ENABLED',
        `config error: CONNECTORS_ENABLED names an unknown connector "${id}" (known: ${Object.keys(CONNECTOR_FACTORIES).join(', ') || 'none'})`,
      )
    out.set(id, factory(ctx))
  }
  return out
}
