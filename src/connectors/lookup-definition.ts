import type { Static, TProperties, TSchema, TUnknown } from '@sinclair/typebox'
import type { AuthStyle } from '../config/upstream.js'
import { fieldError } from '../errors.js'
import type { IdResult } from '../validation/identifiers.js'
import type { LookupAnswer } from './lookup-kit.js'
import type { Connector, ConnectorContext } from './types.js'

/**
 * A national lookup system as the hub offers it, declared once in its connector folder
 * (`src/connectors/<id>/lookup.ts`) and listed in src/connectors/lookups.ts. Everything
 * generic reads it: the configuration schema (its `<PREFIX>_*` variables and own
 * settings), the connector registry, the API routes and their OpenAPI schemas, the
 * client grants (its service names) and the audited lookup facade.
 */

/** Who asks, and why (the `x-purpose` header), for one lookup. */
export interface LookupCall {
  clientId: string
  requestId: string
  purpose: string | undefined
}

/** A request that passed the edge checks: the audited subject and the typed operation to run. */
export interface PreparedLookup<C extends Connector> {
  /** The subject identifier, hashed into the audit row. */
  subjectId: string
  /** Audit action when it depends on the request (default: the endpoint's `action`). */
  action?: string
  /** Calls the connector's typed operation. */
  run(connector: C, call: LookupCall): Promise<AuditedAnswer<unknown>>
}

/** How a verification came out, as the audit trail records it (a verification is never just "found"). */
export type VerifyOutcome = 'match' | 'mismatch' | 'not_found'

/** A connector's answer, with the audit outcome when it is not plain `found` (verifications). */
export type AuditedAnswer<T> = LookupAnswer<T> & { auditOutcome?: VerifyOutcome }

/** One route of the normalized API answered by one connector. */
export interface LookupEndpoint<Sv extends string = string, C extends Connector = Connector> {
  method: 'GET' | 'POST'
  /** Fastify URL, e.g. `/v1/taxpayers/:taxCode`. */
  url: string
  /** The grant a client needs (src/inbound-auth), also the audit row's `service`. */
  service: Sv
  /** Audit action, e.g. `taxpayer.lookup`. */
  action: string
  /** OpenAPI summary. */
  summary: string
  params?: TSchema
  body?: TSchema
  /** Schema of the 200 answer (schemas/v1/lookups/<id>.ts; it also shapes the JSON sent). */
  reply: TSchema
  /**
   * Checks the request (identifiers: a 400 naming the rule, before anything leaves the
   * hub) and says what to run. Params and body were already validated by their schemas.
   */
  prepare(request: { params: unknown; body: unknown }): PreparedLookup<C>
}

/** The typed form of an endpoint, for `route()`: params and body typed by their schemas. */
export interface LookupEndpointSpec<C extends Connector, Sv extends string, P extends TSchema, B extends TSchema>
  extends Omit<LookupEndpoint<Sv, C>, 'params' | 'body' | 'prepare'> {
  params?: P
  body?: B
  prepare(request: { params: Static<P>; body: Static<B> }): PreparedLookup<C>
}

export interface LookupUpstreamSpec<P extends string> {
  /** Variable prefix: `<PREFIX>_BASE_URL`, `<PREFIX>_AUTH`, … (src/config/upstream.ts). */
  prefix: P
  /** How the README names the system. */
  label: string
  /** Default outbound auth style. */
  auth: AuthStyle
  /** `MaCSDL`: the national database's code in a dossier's `DSKetNoiCSDL` (docs/digitisation.md). */
  nationalDatabase: string
}

export interface LookupDefinition<P extends string = string, X extends TProperties = TProperties, Sv extends string = string> {
  /** Connector id: CONNECTORS_ENABLED entry, transport name, sandbox path, `source.upstream`. */
  readonly id: string
  readonly upstream: LookupUpstreamSpec<P>
  /** Settings of this connector beyond the shared upstream ones (TypeBox, keys are variable names). */
  readonly settings: X
  readonly connector: (ctx: ConnectorContext) => Connector
  readonly endpoints: readonly LookupEndpoint<Sv>[]
}

/** Declares a lookup connector; `route` types each endpoint's request by its schemas. */
export function defineLookup<const P extends string, C extends Connector, const Sv extends string, X extends TProperties = Record<never, never>>(d: {
  id: string
  upstream: LookupUpstreamSpec<P>
  settings?: X
  connector: (ctx: ConnectorContext) => C
  endpoints: (
    route: <const S2 extends string, P2 extends TSchema = TUnknown, B extends TSchema = TUnknown>(e: LookupEndpointSpec<C, S2, P2, B>) => LookupEndpoint<S2, C>,
  ) => LookupEndpoint<Sv, C>[]
}): LookupDefinition<P, X, Sv> {
  const endpoints = d.endpoints((e) => e as LookupEndpoint<never, C>)
  return { id: d.id, upstream: d.upstream, settings: d.settings ?? ({} as X), connector: d.connector, endpoints }
}

/** Identifier check at the edge: the value, or a 400 HUB_ERR_BAD_IDENTIFIER naming the rule. */
export function requireValid<I>(field: string, r: IdResult<I>): string {
  if (!r.ok) throw fieldError(field, r.message, r.rule, 'HUB_ERR_BAD_IDENTIFIER')
  return r.value
}
