import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { FastifySchema, RouteOptions } from 'fastify'
import { ERRORS } from '../errors.js'
import { ProblemSchema } from '../routes/problem.js'

/**
 * The OpenAPI document served at /docs/json: OpenAPI 3.1 (its schemas are JSON Schema
 * 2020-12, so the API's `if`/`then` rules are valid as they are), a relative server (the
 * hub that served it), an `operationId` on every operation (a route's own
 * `schema.operationId`, else derived from its method and URL: stable and camelCase), the
 * security each route declares in `config.access`, and every problem+json answer the edge
 * can give documented on every operation (one shared response per status, listing its
 * HUB_ERR_* codes). Pure functions over the route table and the document: tests call them.
 */

type Json = Record<string, unknown>
type Access = string | undefined

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' }
const problemContent = { 'application/problem+json': { schema: PROBLEM_REF } }

/** camelCase words of a path segment: `civil-status` → `CivilStatus`. */
const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')

/**
 * An operation id from a method and a route URL: the verb, the static segments (`v1`
 * dropped: it is every public route's prefix) and the parameters after `By`.
 * `GET /v1/citizens/:idNumber` → `getCitizensByIdNumber`,
 * `POST /admin/dossiers/:dossierCode/replay` → `postAdminDossiersReplayByDossierCode`.
 */
export function deriveOperationId(method: string, url: string): string {
  const segments = url.split('/').filter((s) => s !== '' && s !== 'v1')
  const words = segments.filter((s) => !s.startsWith(':')).map(pascal)
  const params = segments.filter((s) => s.startsWith(':')).map((s) => pascal(s.slice(1)))
  return method.toLowerCase() + words.join('') + (params.length ? `By${params.join('And')}` : '')
}

/** Problem statuses an operation can answer, from what it declares (access, inputs, body) and the edge every request crosses. */
export function problemStatuses(schema: FastifySchema, access: Access, url: string): number[] {
  const out = new Set<number>([408, 414, 431, 500])
  const probe = url.startsWith('/health/')
  if (!probe) out.add(429) // the per-address and per-client limits (probes are never limited)
  if (url !== '/health/live') out.add(503) // overload (and, per route, dependencies or national systems down)
  if (access !== 'public') out.add(401).add(403)
  if (schema.params || schema.querystring || schema.body || schema.headers) out.add(400)
  if (schema.body) out.add(413).add(415)
  for (const s of Object.keys((schema.response ?? {}) as Json)) if (Number(s) >= 400) out.add(Number(s))
  return [...out].sort((a, b) => a - b)
}

const SECURITY: Record<string, Json[]> = {
  public: [],
  // Operators' pages and endpoints also take HTTP Basic (the key as password) for browsers.
  operator: [{ apiKey: [] }, { bearer: [] }, { basic: [] }],
  service: [{ apiKey: [] }, { bearer: [] }],
}
const securityOf = (access: Access) =>
  access === 'public' ? SECURITY['public'] : access?.startsWith('admin') || access === 'metrics' ? SECURITY['operator'] : SECURITY['service']

/** swagger's per-route transform: operation id, security, and the problem answers as shared response references. */
export function transformRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): { schema: FastifySchema; url: string } {
  if (!schema || schema.hide) return { schema, url }
  const access = (route.config as { access?: string } | undefined)?.access
  const method = [route.method].flat()[0]!
  const response: Json = {}
  for (const [status, s] of Object.entries((schema.response ?? {}) as Json)) if (Number(status) < 400) response[status] = s
  const multipart = url === '/v1/warehouse/documents' && method === 'POST' && schema.body
  return {
    url,
    schema: {
      ...schema,
      operationId: schema.operationId ?? deriveOperationId(method, url),
      security: securityOf(access),
      response,
      // The one multipart route: the same metadata as the JSON form, the file as a binary part (src/routes/v1/warehouse.ts).
      ...(multipart ? { body: { content: { 'application/json': { schema: schema.body }, 'multipart/form-data': { schema: MULTIPART_UPLOAD } } } } : {}),
      // Kept for transformObject (removed there): which problem responses this operation gets.
      'x-hub-problems': problemStatuses(schema, access, url),
    } as FastifySchema,
  }
}

/** The multipart form of POST /v1/warehouse/documents. */
const MULTIPART_UPLOAD = {
  type: 'object',
  required: ['metadata', 'file'],
  properties: {
    metadata: {
      type: 'string',
      contentMediaType: 'application/json',
      description: 'The JSON body of the JSON form without `file` (its `file.sha256` and `file.contentType` may be given here)',
    },
    file: {
      type: 'string',
      contentMediaType: 'application/octet-stream',
      description: 'The file: PDF, a raster image or XML (checked against its first bytes)',
    },
  },
  additionalProperties: false,
}

const STATUS_TEXT: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'NotFound',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  414: 'UriTooLong',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  431: 'HeadersTooLarge',
  500: 'Internal',
  502: 'BadGateway',
  503: 'Unavailable',
  504: 'GatewayTimeout',
}
const responseName = (status: number) => STATUS_TEXT[status] ?? `Status${status}`

/** One shared problem response per status, describing every HUB_ERR_* code answered with it. */
export function problemResponses(statuses: Iterable<number>): Record<string, Json> {
  const out: Record<string, Json> = {}
  for (const status of [...new Set(statuses)].sort((a, b) => a - b)) {
    const codes = Object.entries(ERRORS).filter(([, e]) => e.status === status)
    const list = codes.map(([code, e]) => `\`${code}\` (${e.title})`).join('; ')
    const headers =
      status === 429 || status === 503 ? { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } } : undefined
    out[responseName(status)] = {
      description: `problem+json (RFC 9457)${list ? `: ${list}` : ''}`,
      ...(headers ? { headers } : {}),
      content: problemContent,
    }
  }
  return out
}

/** swagger's whole-document transform: shared Problem schema and responses, and each operation's references to them. */
export function transformDocument({ openapiObject }: { openapiObject: Json }): Json {
  const doc = openapiObject as Json & { paths?: Record<string, Record<string, Json>>; components?: Json }
  const used = new Set<number>()
  const seen = new Map<string, string>()
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const statuses = (op['x-hub-problems'] as number[] | undefined) ?? []
      delete op['x-hub-problems']
      const id = op['operationId'] as string
      if (seen.has(id)) throw new Error(`OpenAPI: operationId ${id} of ${method.toUpperCase()} ${path} is also ${seen.get(id)}`)
      seen.set(id, `${method.toUpperCase()} ${path}`)
      // A query parameter with a default is optional to the caller (the schema's `required` lists it for the handler's type).
      for (const p of (op['parameters'] ?? []) as Json[])
        if (p['in'] === 'query' && (p['schema'] as Json | undefined)?.['default'] !== undefined) delete p['required']
      const responses = (op['responses'] ?? {}) as Record<string, Json>
      for (const [status, r] of Object.entries(responses))
        if (r['description'] === 'Default Response') r['description'] = status.startsWith('2') ? 'Success' : status
      for (const s of statuses) {
        responses[String(s)] = { $ref: `#/components/responses/${responseName(s)}` }
        used.add(s)
      }
      op['responses'] = responses
    }
  }
  const components = (doc.components ?? {}) as Json
  doc.components = {
    ...components,
    schemas: { ...((components['schemas'] as Json) ?? {}), Problem: ProblemSchema },
    responses: { ...((components['responses'] as Json) ?? {}), ...problemResponses(used) },
  }
  return doc
}

/** The @fastify/swagger options of the hub. */
export function openapiOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'lgsp-hub',
        version: '1',
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          "The province's normalized API to the national systems (DVCQG, population, business registry, tax, BHXH, civil status). " +
          'JSON, camelCase, ISO-8601 timestamps with offset. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      // Relative: the hub that served this document (each province deploys its own).
      servers: [{ url: '/', description: 'This hub' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          bearer: { type: 'http', scheme: 'bearer', description: 'the API key as a bearer token' },
          basic: { type: 'http', scheme: 'basic', description: 'operators: any user name, the API key as password' },
        },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'dossiers', description: 'Dossier intake and status sync to DVCQG' },
        { name: 'lookups', description: 'Identity and registry lookups (population, business registry, tax, BHXH, civil status); audited' },
        { name: 'catalog', description: 'The national procedure catalog, synced from DVCQG' },
        { name: 'warehouse', description: 'The e-document warehouse (kho quản lý dữ liệu điện tử)' },
        { name: 'admin', description: 'Operators' },
        { name: 'health', description: 'Probes' },
      ],
    },
    transform: transformRoute as FastifyDynamicSwaggerOptions['transform'],
    transformObject: transformDocument as unknown as FastifyDynamicSwaggerOptions['transformObject'],
  }
}
