import type { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { HubApp } from '../types.js'
import {
  AckReply,
  AgencyList,
  AttachmentParams,
  DocumentAccepted,
  DocumentChangeBody,
  DocumentIdParams,
  DocumentSendBody,
  DocumentView,
  InboxQuery,
  InboxReply,
  StatusAccepted,
  StatusBody,
} from '../../../schemas/v1/documents.js'
import { ProblemSchema } from '../problem.js'
import { HubError, fieldError } from '../../errors.js'
import { sendFile } from '../download.js'
import { assertRequestText } from '../../plugins/input.js'

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema }
const MAX_ATTACHMENTS = 20

/** Document exchange through the national axis (VDXP): send, change, statuses, the inbox. */
export default async function documentRoutes(app: HubApp) {
  const documents = app.hub.services.documents
  const maxFile = app.hub.config.VDXP_MAX_ATTACHMENT_BYTES
  // base64 grows files by 4/3; up to MAX_ATTACHMENTS files of the maximum size would be unreasonable, four is the budget.
  const bodyLimit = Math.ceil((maxFile * 4 * 4) / 3) + 262_144
  await app.register(multipart, {
    limits: { files: MAX_ATTACHMENTS, fields: 5, parts: MAX_ATTACHMENTS + 5, headerPairs: 20, fieldNameSize: 100, fileSize: maxFile, fieldSize: 1_048_576 },
  })
  // The Idempotency-Key header stands in for body.idempotencyKey (the body's wins when both are given).
  const idempotencyFromHeader = async (request: FastifyRequest) => {
    const key = request.headers['idempotency-key']
    const body = request.body as Record<string, unknown> | undefined
    if (typeof key === 'string' && body && typeof body === 'object' && body['idempotencyKey'] === undefined) body['idempotencyKey'] = key
  }
  // multipart/form-data: a `metadata` JSON field (the body without attachments) and one file part per attachment.
  const fromMultipart = async (request: FastifyRequest) => {
    if (!request.isMultipart()) return idempotencyFromHeader(request)
    let metadata: unknown
    const attachments: { name: string; contentType: string; contentBase64: string }[] = []
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer()
          if (part.file.truncated) throw new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', `an attachment exceeds ${maxFile} bytes`)
          attachments.push({
            name: part.filename || `attachment-${attachments.length + 1}`,
            contentType: part.mimetype,
            contentBase64: bytes.toString('base64'),
          })
        } else if (part.fieldname === 'metadata') {
          try {
            metadata = JSON.parse(String(part.value))
          } catch {
            throw fieldError('/body/metadata', 'metadata is not JSON', 'HUB_DOCUMENT_MULTIPART')
          }
        }
      }
    } catch (e) {
      if (e instanceof HubError || (typeof (e as { statusCode?: unknown }).statusCode === 'number' && (e as { statusCode: number }).statusCode < 500)) throw e
      throw fieldError('/body', 'the multipart/form-data body is malformed', 'HUB_MULTIPART_FORMAT')
    }
    if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
      throw fieldError('/body/metadata', 'a JSON object "metadata" field is required', 'HUB_DOCUMENT_MULTIPART')
    const m = metadata as Record<string, unknown>
    request.body = { ...m, attachments: [...((m['attachments'] as unknown[]) ?? []), ...attachments] }
    assertRequestText(request)
    return idempotencyFromHeader(request)
  }
  const accepted = { 202: DocumentAccepted, ...errors, 404: ProblemSchema, 409: ProblemSchema, 413: ProblemSchema }

  app.post(
    '/v1/documents',
    {
      bodyLimit,
      preValidation: fromMultipart,
      config: { access: 'documents' },
      schema: {
        tags: ['documents'],
        summary: 'Send a document through the national axis (JSON with base64 attachments, or multipart: `metadata` + file parts); stored, then delivered',
        body: DocumentSendBody,
        response: accepted,
      },
    },
    async (request, reply) => {
      const { replayed: _r, ...out } = await documents.send(request.body, request.client!)
      return reply.code(202).send(out)
    },
  )
  for (const kind of ['revoke', 'update', 'replace'] as const) {
    app.post(
      `/v1/documents/:id/${kind}`,
      {
        bodyLimit,
        preValidation: idempotencyFromHeader,
        config: { access: 'documents' },
        schema: {
          tags: ['documents'],
          summary: `${kind[0]!.toUpperCase()}${kind.slice(1)} a sent document (a business message with BussinessDocType ${kind === 'revoke' ? 1 : kind === 'update' ? 2 : 3})`,
          params: DocumentIdParams,
          body: DocumentChangeBody,
          response: accepted,
        },
      },
      async (request, reply) => {
        const { replayed: _r, ...out } = await documents.change(request.params.id, kind, request.body, request.client!)
        return reply.code(202).send(out)
      },
    )
  }
  app.post(
    '/v1/documents/:id/status',
    {
      preValidation: idempotencyFromHeader,
      config: { access: 'documents' },
      schema: {
        tags: ['documents'],
        summary: 'Post a business status (02–06, 13, 15, 16) of a received document; the hub sends the status message to its sender',
        params: DocumentIdParams,
        body: StatusBody,
        response: { 202: StatusAccepted, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => reply.code(202).send(await documents.postStatus(request.params.id, request.body, request.client!)),
  )
  app.get(
    '/v1/documents/inbox',
    {
      config: { access: 'documents' },
      schema: {
        tags: ['documents'],
        summary: 'Received documents in arrival order after a cursor (`after` = the last inboxSeq seen)',
        querystring: InboxQuery,
        response: { 200: InboxReply, ...errors },
      },
    },
    async (request) => documents.inbox(request.query, request.client!),
  )
  app.get(
    '/v1/documents/agencies',
    {
      config: { access: 'documents' },
      schema: { tags: ['documents'], summary: 'Agencies connected to the axis (synced list)', response: { 200: AgencyList, ...errors } },
    },
    async () => documents.agencies(),
  )
  app.get(
    '/v1/documents/:id',
    {
      config: { access: 'documents' },
      schema: {
        tags: ['documents'],
        summary: 'One document with its attachments and its timeline of business statuses',
        params: DocumentIdParams,
        response: { 200: DocumentView, ...errors, 404: ProblemSchema },
      },
    },
    async (request) => documents.get(request.params.id, request.client!),
  )
  app.get(
    '/v1/documents/:id/attachments/:n',
    {
      config: { access: 'documents' },
      schema: {
        tags: ['documents'],
        summary: 'One attachment (streamed)',
        params: AttachmentParams,
        response: { 200: Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'The attachment bytes' }), ...errors, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const file = await documents.attachment(request.params.id, request.params.n, request.client!)
      return sendFile(reply, { ...file, fileName: file.name })
    },
  )
  app.post(
    '/v1/documents/:id/ack',
    {
      config: { access: 'documents' },
      schema: {
        tags: ['documents'],
        summary: 'The provincial system took a received document (idempotent)',
        params: DocumentIdParams,
        response: { 200: AckReply, ...errors, 404: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request) => documents.ack(request.params.id, request.client!),
  )
}
