import type { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { HubApp } from '../../app.js'
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
import { HubError, fieldError } from '../../errors.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }

/** The e-document warehouse for the one-stop desk: intake of local documents, the reuse query, files. */
export default async function warehouseRoutes(app: HubApp) {
  const warehouse = app.hub.services.warehouse
  // base64 grows a file by 4/3; the metadata is small.
  const bodyLimit = Math.ceil((app.hub.config.WAREHOUSE_MAX_FILE_BYTES * 4) / 3) + 65_536
  const who = (request: { client?: { id: string }; id: string }) => ({ clientId: request.client!.id, requestId: request.id })
  // multipart/form-data intake (this plugin's scope only): a `metadata` field holding the JSON
  // body without `file`, and one file part `file`. It is turned into the JSON form before
  // validation, so both forms meet the same schema and the same service call.
  await app.register(multipart, { limits: { files: 1, fields: 5, fileSize: app.hub.config.WAREHOUSE_MAX_FILE_BYTES, fieldSize: 1_048_576 } })
  const fromMultipart = async (request: FastifyRequest) => {
    if (!request.isMultipart()) return
    let metadata: Record<string, unknown> | undefined
    let file: { name: string; contentType: string; contentBase64: string } | undefined
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw fieldError('/body/file', `unexpected file part "${part.fieldname}"`, 'HUB_WAREHOUSE_MULTIPART')
        const bytes = await part.toBuffer()
        if (part.file.truncated) throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', `the file exceeds ${app.hub.config.WAREHOUSE_MAX_FILE_BYTES} bytes`)
        file = { name: part.filename, contentType: part.mimetype, contentBase64: bytes.toString('base64') }
      } else if (part.fieldname === 'metadata') {
        try {
          metadata = JSON.parse(String(part.value)) as Record<string, unknown>
        } catch {
          throw fieldError('/body/metadata', 'metadata is not JSON', 'HUB_WAREHOUSE_MULTIPART')
        }
      }
    }
    if (!metadata || typeof metadata !== 'object') throw fieldError('/body/metadata', 'a JSON "metadata" field is required', 'HUB_WAREHOUSE_MULTIPART')
    if (!file) throw fieldError('/body/file', 'a "file" part is required', 'HUB_WAREHOUSE_MULTIPART')
    const sha256 = typeof (metadata['file'] as { sha256?: unknown } | undefined)?.sha256 === 'string' ? (metadata['file'] as { sha256: string }).sha256 : undefined
    request.body = { ...metadata, file: { ...file, ...(sha256 ? { sha256 } : {}) } }
  }

  app.post(
    '/v1/warehouse/documents',
    {
      bodyLimit,
      preValidation: fromMultipart,
      config: { access: 'warehouse' },
      schema: {
        tags: ['warehouse'],
        summary: 'Store a locally digitised document (JSON with the file as base64, or multipart: `metadata` JSON + `file`) and queue its upload to the national warehouse',
        body: WarehouseDocumentBody,
        response: { 202: WarehouseDocumentAccepted, ...errors, 409: ProblemSchema, 413: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { replayed: _r, ...accepted } = await warehouse.accept(request.body, request.client!.id)
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
        params: OwnerParams,
        querystring: OwnerDocumentsQuery,
        response: { 200: OwnerDocumentsReply, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => warehouse.ownerDocuments(request.params.ownerId, request.query, who(request)),
  )
  app.get(
    '/v1/warehouse/documents/:id',
    {
      config: { access: 'warehouse' },
      schema: { tags: ['warehouse'], summary: 'One document: metadata, signature outcome, file link', params: DocumentIdParams, response: { 200: WarehouseDocument, ...errors, 404: ProblemSchema } },
    },
    async (request) => warehouse.document(request.params.id, who(request)),
  )
  app.get(
    '/v1/warehouse/documents/:id/content',
    {
      config: { access: 'warehouse' },
      schema: { tags: ['warehouse'], summary: 'The file of a document (streamed)', params: DocumentIdParams, response: { 200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'The file bytes' }), ...errors, 404: ProblemSchema, 409: ProblemSchema } },
    },
    async (request, reply) => {
      const file = await warehouse.content(request.params.id, who(request))
      reply.type(file.contentType).header('content-length', String(file.size)).header('etag', `"${file.sha256}"`).header('x-content-sha256', file.sha256)
      if (file.fileName) reply.header('content-disposition', `inline; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"`)
      return reply.send(file.stream)
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
    async (request) => warehouse.recordUsage(request.params.id, request.body, who(request)),
  )
}
