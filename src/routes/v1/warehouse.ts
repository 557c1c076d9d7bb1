import type { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { HubApp } from '../types.js'
import {
  DocumentIdParams,
  OwnerDocumentsQuery,
  OwnerDocumentsReply,
  OwnerParams,
  UsageBody,
  WarehouseDocument,
  WarehouseDocumentAccepted,
  WarehouseDocumentBody,
} from '../../../schemas/v1/warehouse.js'
import { ProblemSchema } from '../problem.js'
import { PurposeHeaders } from '../../../schemas/v1/lookups.js'
import { HubError, fieldError } from '../../errors.js'
import { sendFile } from '../download.js'
import { assertRequestText } from '../../plugins/input.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 503: ProblemSchema }
const PURPOSE_NOTE =
  'Requires the x-purpose header: a dossier code or a code of the purpose catalogue (AUDIT_PURPOSES); free text is refused with 400. ' +
  'Audited before the answer leaves; 503 HUB_ERR_AUDIT_UNAVAILABLE when the audit store cannot record it.'

/** The e-document warehouse for the one-stop desk: intake of local documents, the reuse query, files. */
export default async function warehouseRoutes(app: HubApp) {
  const { intake, reuse } = app.hub.services.warehouse
  // base64 grows a file by 4/3; the metadata is small.
  const bodyLimit = Math.ceil((app.hub.config.WAREHOUSE_MAX_FILE_BYTES * 4) / 3) + 65_536
  const who = (request: FastifyRequest) => {
    const purpose = request.headers['x-purpose']
    return { client: request.client!, clientId: request.client!.id, requestId: request.id, ...(typeof purpose === 'string' ? { purpose } : {}) }
  }
  // multipart/form-data intake (this plugin's scope only): a `metadata` field holding the JSON
  // body without `file`, and one file part `file`. It is turned into the JSON form before
  // validation, so both forms meet the same schema and the same service call.
  // Limits past which @fastify/multipart throws FST_*_LIMIT / FST_REQ_FILE_TOO_LARGE (413, src/plugins/errors.ts).
  await app.register(multipart, {
    limits: { files: 1, fields: 5, parts: 8, headerPairs: 20, fieldNameSize: 100, fileSize: app.hub.config.WAREHOUSE_MAX_FILE_BYTES, fieldSize: 1_048_576 },
  })
  const readParts = async (request: FastifyRequest) => {
    let metadata: unknown
    let file: { name: string; contentType: string; contentBase64: string } | undefined
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw fieldError('/body/file', 'unexpected file part: the one file part is named "file"', 'HUB_WAREHOUSE_MULTIPART')
        const bytes = await part.toBuffer()
        if (part.file.truncated) throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', `the file exceeds ${app.hub.config.WAREHOUSE_MAX_FILE_BYTES} bytes`)
        file = { name: part.filename, contentType: part.mimetype, contentBase64: bytes.toString('base64') }
      } else if (part.fieldname === 'metadata') {
        if (part.valueTruncated) throw fieldError('/body/metadata', 'the metadata field exceeds 1 MB', 'HUB_MULTIPART_LIMIT', 'HUB_ERR_PAYLOAD_TOO_LARGE')
        try {
          metadata = JSON.parse(String(part.value))
        } catch {
          throw fieldError('/body/metadata', 'metadata is not JSON', 'HUB_WAREHOUSE_MULTIPART')
        }
      }
    }
    return { metadata, file }
  }
  const fromMultipart = async (request: FastifyRequest) => {
    if (!request.isMultipart()) return
    let read: Awaited<ReturnType<typeof readParts>>
    try {
      read = await readParts(request)
    } catch (e) {
      // busboy reports a malformed body (no boundary, truncated part, bad header) as a bare Error.
      if (e instanceof HubError || (typeof (e as { statusCode?: unknown }).statusCode === 'number' && (e as { statusCode: number }).statusCode < 500)) throw e
      throw fieldError('/body', 'the multipart/form-data body is malformed', 'HUB_MULTIPART_FORMAT')
    }
    const { metadata: parsed, file } = read
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw fieldError('/body/metadata', 'a JSON object "metadata" field is required', 'HUB_WAREHOUSE_MULTIPART')
    const metadata = parsed as Record<string, unknown>
    if (!file) throw fieldError('/body/file', 'a "file" part is required', 'HUB_WAREHOUSE_MULTIPART')
    const declared = (metadata['file'] ?? {}) as { sha256?: unknown; contentType?: unknown }
    const sha256 = typeof declared.sha256 === 'string' ? declared.sha256 : undefined
    // The part's own type decides; metadata.file.contentType only stands in for a part sent without one
    // (busboy reports that as text/plain; clients that do not know the type send application/octet-stream).
    const untyped = file.contentType === 'application/octet-stream' || file.contentType === 'text/plain'
    const contentType = untyped && typeof declared.contentType === 'string' ? declared.contentType : file.contentType
    request.body = { ...metadata, file: { ...file, contentType, ...(sha256 ? { sha256 } : {}) } }
    // The global text walk ran before this hook rebuilt the body: walk what it holds now.
    assertRequestText(request)
  }

  app.post(
    '/v1/warehouse/documents',
    {
      bodyLimit,
      preValidation: fromMultipart,
      config: { access: 'warehouse' },
      schema: {
        tags: ['warehouse'],
        summary:
          'Store a locally digitised document (JSON with the file as base64, or multipart: `metadata` JSON + `file`) and queue its upload to the national warehouse',
        body: WarehouseDocumentBody,
        response: { 202: WarehouseDocumentAccepted, ...errors, 409: ProblemSchema, 413: ProblemSchema, 415: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { replayed: _r, ...accepted } = await intake.accept(request.body, request.client!)
      return reply.code(202).send(accepted)
    },
  )
  app.get(
    '/v1/warehouse/owners/:ownerId/documents',
    {
      config: { access: 'warehouse' },
      schema: {
        tags: ['warehouse'],
        summary: "An owner's stored documents: by document/result code, valid on a date, or what can replace the components of a procedure",
        description: PURPOSE_NOTE,
        headers: PurposeHeaders,
        params: OwnerParams,
        querystring: OwnerDocumentsQuery,
        response: { 200: OwnerDocumentsReply, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => reuse.ownerDocuments(request.params.ownerId, request.query, who(request)),
  )
  app.get(
    '/v1/warehouse/documents/:id',
    {
      config: { access: 'warehouse' },
      schema: {
        tags: ['warehouse'],
        summary: 'One document: metadata, signature outcome, file link',
        description: PURPOSE_NOTE,
        headers: PurposeHeaders,
        params: DocumentIdParams,
        response: { 200: WarehouseDocument, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => reuse.document(request.params.id, who(request)),
  )
  app.get(
    '/v1/warehouse/documents/:id/content',
    {
      config: { access: 'warehouse' },
      schema: {
        tags: ['warehouse'],
        summary: 'The file of a document (streamed)',
        description: PURPOSE_NOTE,
        headers: PurposeHeaders,
        params: DocumentIdParams,
        response: {
          200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'The file bytes' }),
          ...errors,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const file = await reuse.content(request.params.id, who(request))
      return sendFile(reply, file)
    },
  )
  app.post(
    '/v1/warehouse/documents/:id/usages',
    {
      config: { access: 'warehouse' },
      schema: {
        tags: ['warehouse'],
        summary: 'Record that the document replaced a component of a dossier (reuse statistics; idempotent)',
        params: DocumentIdParams,
        body: UsageBody,
        response: { 200: Type.Object({ recorded: Type.Boolean() }), ...errors, 404: ProblemSchema },
      },
    },
    async (request) => reuse.recordUsage(request.params.id, request.body, who(request)),
  )
}
