import type { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import { downloadHeaders } from '../documents/content-type.js'

/** A stored file on its way out: what the download answer needs. */
export interface OutgoingFile {
  contentType: string | null | undefined
  fileName?: string | null
  size: number
  sha256: string
  stream: Readable
}

/**
 * Streams a stored file: type, disposition, nosniff and CSP set here, explicitly (a global
 * security-header plugin must not relax them), with its length and hash (ETag and
 * `x-content-sha256`) so the caller can check what it received.
 */
export function sendFile(reply: FastifyReply, file: OutgoingFile) {
  reply
    .headers(downloadHeaders(file.contentType, file.fileName))
    .header('content-length', String(file.size))
    .header('etag', `"${file.sha256}"`)
    .header('x-content-sha256', file.sha256)
  return reply.send(file.stream)
}
