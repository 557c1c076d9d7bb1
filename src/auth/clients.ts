import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { Type, type Static } from '@sinclair/typebox'

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
          services: Type.Array(Type.String({ pattern: '^(\\*|[a-z][a-z0-9-]*)$' }), { uniqueItems: true }),
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
}

/** Services a route can require. New capabilities add theirs here. */
export const SERVICES = ['dossiers', 'citizens', 'businesses', 'taxpayers', 'insurance', 'civil-status', 'catalog', 'warehouse', 'documents', 'admin'] as const
export type ServiceName = (typeof SERVICES)[number]

const validate = new Ajv({ allErrors: false, strict: false }).compile<ClientsDoc>(ClientsDocument)

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

export class ClientRegistry {
  private readonly byHash = new Map<string, { hash: Buffer; client: Client }>()

  constructor(doc: ClientsDoc) {
    for (const c of doc.clients) {
      this.byHash.set(c.keySha256, { hash: Buffer.from(c.keySha256, 'hex'), client: { id: c.id, services: new Set(c.services) } })
    }
  }

  /** The client holding `key`, or undefined. */
  authenticate(key: string): Client | undefined {
    const hex = sha256Hex(key)
    const hit = this.byHash.get(hex)
    // The map lookup is on a hash of the key; the final comparison is constant-time anyway.
    return hit && timingSafeEqual(hit.hash, Buffer.from(hex, 'hex')) ? hit.client : undefined
  }

  static allows(client: Client, service: string): boolean {
    if (client.services.has(service)) return true
    return service !== 'admin' && client.services.has('*')
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
