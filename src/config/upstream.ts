import { Type, type TString, type TUnion, type TLiteral, type TOptional, type TProperties } from '@sinclair/typebox'

/**
 * Configuration variables of one upstream, generated per prefix so every connector
 * reads the same set (src/connectors/upstream-settings.ts): base URL (default: its
 * sandbox simulator), authentication style and credentials, and an optional client
 * certificate and CA for mutual TLS. Lookup connectors get the whole set from their
 * declaration (`lookupConfig`); DVCQG, whose login is its own, the TLS part.
 */
export const AUTH_STYLES = ['none', 'api-key', 'hashed-basic', 'oauth2', 'vnpt'] as const
export type AuthStyle = (typeof AUTH_STYLES)[number]

type Keys<P extends string> = `${P}_BASE_URL` | `${P}_USERNAME` | `${P}_AUTH_URL` | `${P}_TOKEN_URL` | `${P}_CLIENT_ID` | `${P}_API_KEY_HEADER`
type SecretKeys<P extends string> = `${P}_SECRET_KEY` | `${P}_CLIENT_SECRET` | `${P}_API_KEY`
type FileKeys<P extends string> = `${P}_CLIENT_CERT_FILE` | `${P}_CLIENT_KEY_FILE` | `${P}_CLIENT_PFX_FILE` | `${P}_CLIENT_CERT_PASSPHRASE` | `${P}_CA_FILE`

export type TlsVars<P extends string> = { [K in FileKeys<P>]: TOptional<TString> }

/** Mutual TLS and server trust of one upstream: client certificate (PEM pair or PKCS#12), its passphrase, a CA bundle. */
export function tlsVars<P extends string>(prefix: P, label: string): TlsVars<P> {
  const opt = (description: string, extra: Record<string, unknown> = {}) => Type.Optional(Type.String({ description: `${label}: ${description}`, ...extra }))
  const vars: Record<string, unknown> = {
    [`${prefix}_CLIENT_CERT_FILE`]: opt('PEM client certificate for mutual TLS (with _CLIENT_KEY_FILE)'),
    [`${prefix}_CLIENT_KEY_FILE`]: opt('PEM private key of the client certificate'),
    [`${prefix}_CLIENT_PFX_FILE`]: opt('PKCS#12 client certificate and key (instead of the PEM pair)'),
    [`${prefix}_CLIENT_CERT_PASSPHRASE`]: opt('passphrase of the client key or PKCS#12 bundle', { secret: true }),
    [`${prefix}_CA_FILE`]: opt('PEM CA bundle trusted for the upstream server'),
  }
  return vars as TlsVars<P>
}

export type UpstreamVars<P extends string> = { [K in Keys<P> | SecretKeys<P>]: TString } & TlsVars<P> & {
    [K in `${P}_AUTH`]: TUnion<TLiteral<AuthStyle>[]>
  }

export function upstreamVars<P extends string>(prefix: P, label: string, sim: string, auth: AuthStyle): UpstreamVars<P> {
  const s = (description: string, def: string, extra: Record<string, unknown> = {}) =>
    Type.String({ description: `${label}: ${description}`, default: def, ...extra })
  const vars: Record<string, unknown> = {
    [`${prefix}_BASE_URL`]: s('base URL (default: the sandbox simulator)', `http://127.0.0.1:8090/${sim}`, { pattern: '^https?://[^\\s]+$' }),
    [`${prefix}_AUTH`]: Type.Union(
      AUTH_STYLES.map((a) => Type.Literal(a)),
      {
        description: `${label}: outbound auth: none | api-key | hashed-basic (Timestamp + hashed Basic) | oauth2 (client credentials bearer) | vnpt (lgspaccesstoken + oauth2 bearer)`,
        default: auth,
      },
    ),
    [`${prefix}_USERNAME`]: s('user name (hashed-basic)', 'sandbox'),
    [`${prefix}_SECRET_KEY`]: s('secret key (hashed-basic)', 'sandbox', { secret: true }),
    [`${prefix}_AUTH_URL`]: s('URL hashed into the hashed-basic header (empty: the base URL)', ''),
    [`${prefix}_TOKEN_URL`]: s('OAuth2 token URL (empty: <base URL>/token)', ''),
    [`${prefix}_CLIENT_ID`]: s('OAuth2 client id', 'sandbox'),
    [`${prefix}_CLIENT_SECRET`]: s('OAuth2 client secret', 'sandbox', { secret: true }),
    [`${prefix}_API_KEY`]: s('API key (api-key)', 'sandbox-key', { secret: true }),
    [`${prefix}_API_KEY_HEADER`]: s('header carrying the API key', 'x-api-key'),
    ...tlsVars(prefix, label),
  }
  return vars as UpstreamVars<P>
}

/** What the configuration needs from a lookup connector's declaration (src/connectors/lookup-definition.ts). */
export interface LookupConfigSource<P extends string = string, X extends TProperties = TProperties> {
  id: string
  upstream: { prefix: P; label: string; auth: AuthStyle }
  settings: X
}
type ConfigOf<D> = D extends LookupConfigSource<infer P, infer X> ? UpstreamVars<P> & X : never
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never

/** The variables of every lookup connector: its upstream set (default base URL: `/<id>` on the sandbox) and its own settings. */
export function lookupConfig<const D extends readonly LookupConfigSource[]>(defs: D): Intersect<ConfigOf<D[number]>> {
  const out: Record<string, unknown> = {}
  for (const d of defs) Object.assign(out, upstreamVars(d.upstream.prefix, d.upstream.label, d.id, d.upstream.auth), d.settings)
  return out as Intersect<ConfigOf<D[number]>>
}
