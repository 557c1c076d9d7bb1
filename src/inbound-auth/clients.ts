import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { Type, type Static } from '@sinclair/typebox'
import { LOOKUP_SERVICES } from '../connectors/lookups.js'

/**
 * API clients of the hub (the provincial system, operators' tools). Keys are stored
 * only as SHA-256 hashes: API keys are long random strings, so a fast hash is
 * enough and keeps per-request checks cheap. Grants name services; '*' grants all
 * v1 services (never `admin`, which must be granted by name).
 */
export const ClientsDocument = Type.Object(
  {
    clients: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' }),
          keySha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
          services: Type.Array(Type.String({ pattern: '^(\\*|[a-z][a-z0-9-]*(:read)?)$' }), { uniqueItems: true }),
          agencies: Type.Optional(
            Type.Array(Type.String({ pattern: '^(\\*|\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2})$' }), {
              uniqueItems: true,
              description:
                "Agency codes whose dossiers and documents this client may create, change and read; '*' for the province's central one-stop system. None: no agency objects.",
            }),
          ),
          rateLimitPerMinute: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 10_000_000, description: "This client's own request budget per minute (default RATE_LIMIT_PER_MINUTE)" }),
          ),
          description: Type.Optional(Type.String()),
          dev: Type.Optional(Type.Boolean({ description: 'a development key shipped with the hub: refused in production' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type ClientsDoc = Static<typeof ClientsDocument>

export interface Client {
  id: string
  services: ReadonlySet<string>
  /** Agency codes this client acts for; `'*'` = every agency of the province. */
  agencies: ReadonlySet<string>
  /** Requests per minute (undefined: the configured default). */
  rateLimitPerMinute?: number
}

/**
 * Services a route can require. New capabilities add theirs here; lookup connectors
 * declare theirs in their `lookup.ts` (src/connectors/lookups.ts lists them). Operators
 * hold `admin:read` (viewers: read endpoints, dashboard read-only) or `admin` (also
 * state changes; implies `admin:read`); `metrics` is Prometheus scraping.
 */
export const SERVICES = ['dossiers', ...LOOKUP_SERVICES, 'catalog', 'warehouse', 'documents', 'admin', 'admin:read', 'metrics'] as const
export type ServiceName = (typeof SERVICES)[number]

const OPERATOR_SERVICES: ReadonlySet<string> = new Set(['admin', 'admin:read', 'metrics'])

const validate = new Ajv({ allErrors: false, strict: false }).compile<ClientsDoc>(ClientsDocument)

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

export class ClientRegistry {
  private readonly byHash = new Map<string, { hash: Buffer; client: Client }>()
  private readonly byClientId = new Map<string, Client>()

  constructor(doc: ClientsDoc) {
    for (const c of doc.clients) {
      const client: Client = {
        id: c.id,
        services: new Set(c.services),
        agencies: new Set(c.agencies ?? []),
        ...(c.rateLimitPerMinute ? { rateLimitPerMinute: c.rateLimitPerMinute } : {}),
      }
      this.byHash.set(c.keySha256, { hash: Buffer.from(c.keySha256, 'hex'), client })
      this.byClientId.set(c.id, client)
    }
  }

  /** The client holding `key`, or undefined. */
  authenticate(key: string): Client | undefined {
    const hex = sha256Hex(key)
    const hit = this.byHash.get(hex)
    // The map lookup is on a hash of the key; the final comparison is constant-time anyway.
    return hit && timingSafeEqual(hit.hash, Buffer.from(hex, 'hex')) ? hit.client : undefined
  }

  /** The client with id `id` (a console session names its client; a client removed since is gone). */
  byId(id: string): Client | undefined {
    return this.byClientId.get(id)
  }

  static allows(client: Client, service: string): boolean {
    if (client.services.has(service)) return true
    if (service === 'admin:read') return client.services.has('admin')
    // '*' is every provincial (v1) service, never an operator role nor metrics.
    return !OPERATOR_SERVICES.has(service) && client.services.has('*')
  }

  /**
   * Object-level access: may this client create, change or read objects of `agencyCode`?
   * An object with no agency belongs to the whole province: only a `*` client serves it.
   */
  static servesAgency(client: Client, agencyCode: string | null | undefined): boolean {
    return client.agencies.has('*') || (agencyCode !== null && agencyCode !== undefined && client.agencies.has(agencyCode))
  }

  /**
   * The agencies a client serves, as a SQL array parameter: `'*' = ANY($n) OR agency_code = ANY($n)`
   * decides object-level access inside the statement that reads or writes the object.
   */
  static agencyList(client: Client): string[] {
    return [...client.agencies]
  }

  get size() {
    return this.byHash.size
  }
}

/** Reads and validates the clients document; `production` refuses dev keys. */
export function loadClients(opts: { json?: string; file: string; production: boolean }): ClientRegistry {
  const source = opts.json !== undefined ? 'CLIENTS_JSON' : 'CLIENTS_FILE'
  let doc: unknown
  try {
    doc = JSON.parse(opts.json ?? readFileSync(opts.file, 'utf8'))
  } catch (e) {
    throw new Error(`${source}: cannot read the clients document (${(e as Error).message})`)
  }
  if (!validate(doc)) {
    const err = validate.errors?.[0]
    throw new Error(`${source}: invalid clients document at ${err?.instancePath || '/'}: ${err?.message ?? 'invalid'}`)
  }
  if (opts.production && doc.clients.some((c) => c.dev)) {
    throw new Error(`${source}: development API keys are refused when NODE_ENV=production; configure your own clients`)
  }
  return new ClientRegistry(doc)
}
