import { populationLookup } from './population/lookup.js'
import { businessRegistryLookup } from './business-registry/lookup.js'
import { taxLookup } from './tax/lookup.js'
import { bhxhLookup } from './bhxh/lookup.js'
import { civilStatusLookup } from './civil-status/lookup.js'
import type { LookupDefinition, LookupEndpoint } from './lookup-definition.js'

/**
 * The national lookup systems this hub ships, one line each (docs/adding-a-connector.md).
 * Their configuration, registration, routes, grants and audit all follow from this list.
 */
export const LOOKUP_CONNECTORS = [populationLookup, businessRegistryLookup, taxLookup, bhxhLookup, civilStatusLookup] as const

type Services<D> = D extends LookupDefinition<string, infer _X, infer S> ? S : never
/** Grants that lookup routes require (`citizens`, `businesses`, …), in route order. */
export type LookupServiceName = Services<(typeof LOOKUP_CONNECTORS)[number]>
export const LOOKUP_SERVICES = [...new Set(LOOKUP_CONNECTORS.flatMap((d): readonly LookupServiceName[] => d.endpoints.map((e) => e.service)))]
/** Every lookup route with the connector that answers it, in list order. */
export const LOOKUP_ENDPOINTS = LOOKUP_CONNECTORS.flatMap((def): { def: LookupDefinition; endpoint: LookupEndpoint<LookupServiceName> }[] =>
  def.endpoints.map((endpoint) => ({ def, endpoint })),
)

/** `MaCSDL` of the national database behind a lookup connector (its declaration), or undefined. */
export function nationalDatabaseOf(connectorId: string): string | undefined {
  return LOOKUP_CONNECTORS.find((d) => d.id === connectorId)?.upstream.nationalDatabase
}
