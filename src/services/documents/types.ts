import type { Readable } from 'node:stream'
import type { BlobStore } from '../../documents/blob-store/index.js'
import { STATUS_CODES } from '../../edxml/index.js'

/** Business type of a document message (`Bussiness/BussinessDocType` 0–3). */
export type BusinessType = 'new' | 'revoke' | 'update' | 'replace'

/** Status codes a province may post for a received document (01 is sent by the hub itself). */
export const POSTABLE_STATUS_CODES = ['02', '03', '04', '05', '06', '13', '15', '16'] as const
/** Status code → name, as the edXML model defines them. */
export const STATUS_NAMES: Readonly<Record<string, string>> = STATUS_CODES

export interface Organ {
  organId: string
  organName?: string
  organizationInCharge?: string
  organAdd?: string
  email?: string
  telephone?: string
}

/** What the hub asks the edXML builder for: one document message. */
export interface OutgoingDocumentSpec {
  from: Organ
  to: Organ[]
  /** `<OrganId>,<yyyy/MM/dd>,<Code>`. */
  documentId: string
  codeNumber: string
  codeNotation?: string
  place?: string
  /** `yyyy/MM/dd`. */
  promulgationDate: string
  documentType?: { type?: string; typeDetail?: string; typeName?: string }
  subject: string
  content?: string
  signer?: { competence?: string; position?: string; fullName?: string }
  /** `yyyy/MM/dd`. */
  dueDate?: string
  steeringType?: string
  toPlaces?: string[]
  business: { docType: BusinessType; documentId?: string; reason?: string }
  /** `yyyy/MM/dd HH:mm:ss` of the trace header. */
  timestamp: string
  attachments: { name: string; contentType: string; size: number; sha256: string; description?: string }[]
}

/** What the hub asks the builder for: one status message. */
export interface OutgoingStatusSpec {
  from: Organ
  responseFor: { organId: string; code?: string; promulgationDate?: string; documentId: string }
  staff?: { department?: string; staff?: string; email?: string; mobile?: string }
  statusCode: string
  description?: string
  /** `yyyy/MM/dd HH:mm:ss`. */
  timestamp: string
}

/** The parts of a parsed message the hub stores. */
export type ParsedIncoming =
  | {
      kind: 'document'
      from: Organ
      to: string[]
      documentId: string
      code?: string
      subject?: string
      promulgationDate?: string
      business: { docType: BusinessType; documentId?: string; reason?: string }
      meta: Record<string, unknown>
      attachments: { name: string; contentType: string; size: number; sha256: string }[]
      signature: string
    }
  | {
      kind: 'status'
      from: Organ
      responseFor: { organId?: string; documentId?: string; code?: string }
      statusCode: string
      description?: string
      staff?: Record<string, string>
      timestamp: string
      signature: string
    }

/**
 * The edXML codec the capability uses (src/edxml behind it, see edxml-port.ts): building
 * the form central validators accept, and parsing with attachments streamed into the
 * blob store (their SHA-256 is the blob address). A refusal throws an error with a
 * `code` starting `HUB_ERR_EDXML_` (permanent: the message is acknowledged `fail`).
 */
export interface EdxmlCodec {
  buildDocument(spec: OutgoingDocumentSpec, body: (sha256: string) => Readable): Promise<Buffer>
  buildStatus(spec: OutgoingStatusSpec): Promise<Buffer>
  parse(bytes: Buffer, blobs: BlobStore): Promise<ParsedIncoming>
}

/** Is this a refusal of the message itself (never retried: acknowledged `fail`)? */
export function isEdxmlRefusal(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('HUB_ERR_EDXML_')
}

/** `yyyy/MM/dd` and `yyyy/MM/dd HH:mm:ss` in Vietnam time (UTC+7), the edXML forms. */
export function edxmlDay(ms: number): string {
  return edxmlTimestamp(ms).slice(0, 10)
}
export function edxmlTimestamp(ms: number): string {
  const d = new Date(ms + 7 * 3_600_000)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}
