import type { Readable } from 'node:stream'
import { EdxmlError } from './errors.js'
import {
  BUSINESS_DOC_TYPES,
  EDXML_NS,
  STATUS_CODE_LIST,
  STATUS_CODES,
  type Business,
  type DocumentMessage,
  type ManifestReference,
  type Organization,
  type ResponseFor,
  type StaffInfo,
  type StatusMessage,
  type TraceHeader,
} from './model.js'

/** Bytes of an outgoing attachment: in memory, or a fresh stream per call (the builder may be retried). */
export type AttachmentContent = Buffer | Uint8Array | (() => Readable | AsyncIterable<Uint8Array>)

export interface OutgoingAttachment {
  /** `cid:…` (default `cid:<n>`, 1-based). */
  contentId?: string
  name: string
  contentType?: string
  description?: string
  content: AttachmentContent
}

/** A document to send: the model without what the builder derives (manifest, decoded sizes and hashes). */
export type OutgoingDocument = Omit<DocumentMessage, 'attachments' | 'manifest' | 'manifestVersion'> & {
  attachments: OutgoingAttachment[]
  /** Written as is when given (a parsed message's manifest); otherwise one Reference per attachment. */
  manifest?: ManifestReference[]
  /** Default `1.0`. */
  manifestVersion?: string
}

export type OutgoingMessage = OutgoingDocument | StatusMessage

const P = 'edXML:'
const HEADER = '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader'
// XML 1.0 Char production minus what we escape: refuse control characters a reader would reject.
const BAD_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/ // eslint-disable-line no-control-regex
const DATE = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])$/
const STAMP = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/

function refuse(path: string, message: string): never {
  throw new EdxmlError('HUB_ERR_EDXML_INVALID', path, message)
}

function esc(v: string, path: string): string {
  if (BAD_CHAR.test(v)) refuse(path, 'text holds a character XML 1.0 does not allow')
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Writes prefixed elements in QCVN 102 order, two-space indented. */
class Writer {
  readonly out: string[] = []
  constructor(private readonly base: string) {}
  leaf(depth: number, name: string, value: string | undefined, path = this.base, check?: RegExp, what?: string): void {
    if (value === undefined) return
    if (check && !check.test(value)) refuse(`${path}/${name}`, `${name} "${value.slice(0, 40)}" is not ${what}`)
    this.out.push(`${'  '.repeat(depth)}<${P}${name}>${esc(value, `${path}/${name}`)}</${P}${name}>\n`)
  }
  open(depth: number, name: string, attrs = ''): void {
    this.out.push(`${'  '.repeat(depth)}<${P}${name}${attrs}>\n`)
  }
  close(depth: number, name: string): void {
    this.out.push(`${'  '.repeat(depth)}</${P}${name}>\n`)
  }
}

function organization(w: Writer, d: number, name: 'From' | 'To', o: Organization, path: string): void {
  if (!o?.organId) refuse(`${path}/${name}/OrganId`, `${name} needs an OrganId`)
  w.open(d, name)
  w.leaf(d + 1, 'OrganId', o.organId)
  w.leaf(d + 1, 'OrganizationInCharge', o.organizationInCharge)
  w.leaf(d + 1, 'OrganName', o.organName)
  w.leaf(d + 1, 'OrganAdd', o.organAdd)
  w.leaf(d + 1, 'Email', o.email)
  w.leaf(d + 1, 'Telephone', o.telephone)
  w.leaf(d + 1, 'Fax', o.fax)
  w.leaf(d + 1, 'Website', o.website)
  w.close(d, name)
}

function responseFor(w: Writer, d: number, r: ResponseFor): void {
  w.open(d, 'ResponseFor')
  w.leaf(d + 1, 'OrganId', r.organId)
  w.leaf(d + 1, 'Code', r.code)
  w.leaf(d + 1, 'PromulgationDate', r.promulgationDate, `${HEADER}/ResponseFor`, DATE, 'a date yyyy/MM/dd')
  w.leaf(d + 1, 'DocumentId', r.documentId)
  w.close(d, 'ResponseFor')
}

function staffInfo(w: Writer, d: number, s: StaffInfo | undefined): void {
  if (!s) return
  w.open(d, 'StaffInfo')
  w.leaf(d + 1, 'Department', s.department)
  w.leaf(d + 1, 'Staff', s.staff)
  w.leaf(d + 1, 'Email', s.email)
  w.leaf(d + 1, 'Mobile', s.mobile)
  w.close(d, 'StaffInfo')
}

function list(w: Writer, d: number, name: string, item: string, values: string[] | undefined): void {
  if (values === undefined) return
  w.open(d, name)
  for (const v of values) w.leaf(d + 1, item, v)
  w.close(d, name)
}

function documentHeader(w: Writer, m: OutgoingDocument): void {
  const h = m.header
  const d = 4
  organization(w, d, 'From', h.from, HEADER)
  if (!h.to || h.to.length === 0) refuse(`${HEADER}/To`, 'a document needs at least one receiver (To)')
  for (const t of h.to) organization(w, d, 'To', t, HEADER)
  w.leaf(d, 'DocumentId', h.documentId)
  if (!h.code?.codeNumber) refuse(`${HEADER}/Code/CodeNumber`, 'a document needs Code/CodeNumber')
  w.open(d, 'Code')
  w.leaf(d + 1, 'CodeNumber', h.code.codeNumber)
  w.leaf(d + 1, 'CodeNotation', h.code.codeNotation)
  w.close(d, 'Code')
  if (h.promulgationInfo) {
    w.open(d, 'PromulgationInfo')
    w.leaf(d + 1, 'Place', h.promulgationInfo.place)
    w.leaf(d + 1, 'PromulgationDate', h.promulgationInfo.promulgationDate, `${HEADER}/PromulgationInfo`, DATE, 'a date yyyy/MM/dd')
    w.close(d, 'PromulgationInfo')
  }
  if (h.documentType) {
    w.open(d, 'DocumentType')
    w.leaf(d + 1, 'Type', h.documentType.type)
    w.leaf(d + 1, 'TypeDetail', h.documentType.typeDetail)
    w.leaf(d + 1, 'TypeName', h.documentType.typeName)
    w.close(d, 'DocumentType')
  }
  if (!h.subject) refuse(`${HEADER}/Subject`, 'a document needs a Subject')
  w.leaf(d, 'Subject', h.subject)
  w.leaf(d, 'Content', h.content)
  if (h.signerInfo) {
    w.open(d, 'SignerInfo')
    w.leaf(d + 1, 'Competence', h.signerInfo.competence)
    w.leaf(d + 1, 'Position', h.signerInfo.position)
    w.leaf(d + 1, 'FullName', h.signerInfo.fullName)
    w.close(d, 'SignerInfo')
  }
  w.leaf(d, 'DueDate', h.dueDate, HEADER, DATE, 'a date yyyy/MM/dd')
  const o = h.otherInfo
  if (o) {
    w.open(d, 'OtherInfo')
    w.leaf(d + 1, 'Priority', o.priority)
    w.leaf(d + 1, 'SphereOfPromulgation', o.sphereOfPromulgation)
    w.leaf(d + 1, 'TyperNotation', o.typerNotation)
    w.leaf(d + 1, 'PromulgationAmount', o.promulgationAmount)
    w.leaf(d + 1, 'PageAmount', o.pageAmount)
    w.leaf(d + 1, 'Direction', o.direction)
    list(w, d + 1, 'Appendixes', 'Appendix', o.appendixes)
    w.close(d, 'OtherInfo')
  }
  for (const r of h.responseFor ?? []) responseFor(w, d, r)
  w.leaf(d, 'SteeringType', h.steeringType)
  list(w, d, 'ToPlaces', 'Place', h.toPlaces)
}

function statusHeader(w: Writer, m: StatusMessage): void {
  const h = m.header
  const d = 4
  organization(w, d, 'From', h.from, HEADER)
  if (!h.responseFor) refuse(`${HEADER}/ResponseFor`, 'a status message needs ResponseFor')
  responseFor(w, d, h.responseFor)
  staffInfo(w, d, h.staffInfo)
  if (!(h.statusCode in STATUS_CODES))
    refuse(`${HEADER}/StatusCode`, `StatusCode "${String(h.statusCode).slice(0, 20)}" is not one of ${STATUS_CODE_LIST.join(', ')}`)
  w.leaf(d, 'StatusCode', h.statusCode)
  w.leaf(d, 'Description', h.description)
  w.leaf(d, 'Timestamp', h.timestamp ?? '', HEADER, STAMP, 'a timestamp yyyy/MM/dd HH:mm:ss')
}

const DOC_TYPE_CODES = Object.fromEntries(Object.entries(BUSINESS_DOC_TYPES).map(([code, name]) => [name, code])) as Record<string, string>

function traceList(w: Writer, traces: TraceHeader[], b: Business | undefined): void {
  if (traces.length === 0 && !b) return
  const path = '/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList'
  w.open(3, 'TraceHeaderList')
  for (const t of traces) {
    w.open(4, 'TraceHeader')
    w.leaf(5, 'OrganId', t.organId)
    w.leaf(5, 'Timestamp', t.timestamp, `${path}/TraceHeader`, STAMP, 'a timestamp yyyy/MM/dd HH:mm:ss')
    w.close(4, 'TraceHeader')
  }
  if (b) {
    const code = DOC_TYPE_CODES[b.docType]
    if (code === undefined)
      refuse(`${path}/Bussiness/BussinessDocType`, `business type "${String(b.docType).slice(0, 20)}" is not new, revoke, update or replace`)
    w.open(4, 'Bussiness')
    w.leaf(5, 'DocumentId', b.documentId)
    w.leaf(5, 'BussinessDocType', code)
    w.leaf(5, 'BussinessDocReason', b.reason)
    w.leaf(5, 'Paper', b.paper)
    if (b.documentInfo) {
      w.open(5, 'BussinessDocumentInfo')
      w.leaf(6, 'DocumentInfo', b.documentInfo.documentInfo)
      w.leaf(6, 'DocumentReceiver', b.documentInfo.documentReceiver)
      if (b.documentInfo.receivers) {
        w.open(6, 'ReceiverList')
        for (const r of b.documentInfo.receivers) {
          w.open(7, 'Receiver')
          w.leaf(8, 'OrganId', r.organId)
          w.leaf(8, 'ReceiverType', r.receiverType)
          w.close(7, 'Receiver')
        }
        w.close(6, 'ReceiverList')
      }
      w.close(5, 'BussinessDocumentInfo')
    }
    if (b.replacements) {
      w.open(5, 'ReplacementInfoList')
      for (const r of b.replacements) {
        w.open(6, 'ReplacementInfo')
        w.leaf(7, 'DocumentId', r.documentId)
        list(w, 7, 'OrganIdList', 'OrganId', r.organIds)
        w.close(6, 'ReplacementInfo')
      }
      w.close(5, 'ReplacementInfoList')
    }
    staffInfo(w, 5, b.staffInfo)
    w.close(4, 'Bussiness')
  }
  w.close(3, 'TraceHeaderList')
}

/** The envelope (everything before the attachment bodies) as text. Throws {@link EdxmlError} on a message it would not accept back. */
export function buildEnvelope(m: OutgoingMessage): string {
  const w = new Writer(HEADER)
  w.out.push(`<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${EDXML_NS}">\n`)
  w.open(1, 'edXMLEnvelope', ` xmlns:edXML="${EDXML_NS}"`)
  w.open(2, 'edXMLHeader')
  w.open(3, 'MessageHeader')
  if (m.kind === 'status') statusHeader(w, m)
  else documentHeader(w, m)
  w.close(3, 'MessageHeader')
  traceList(w, m.traces ?? [], m.kind === 'document' ? m.business : undefined)
  w.close(2, 'edXMLHeader')
  if (m.kind === 'document') {
    checkAttachments(m)
    const refs = m.manifest ?? m.attachments.map((a, i) => manifestRef(a, i))
    w.open(2, 'edXMLBody')
    w.open(3, 'edXMLManifest', ` version="${esc(m.manifestVersion ?? '1.0', '/edXML/edXMLEnvelope/edXMLBody/edXMLManifest')}"`)
    for (const r of refs) {
      w.open(4, 'Reference')
      w.leaf(5, 'ContentId', r.contentId)
      w.leaf(5, 'ContentType', r.contentType)
      w.leaf(5, 'Description', r.description)
      w.leaf(5, 'AttachmentName', r.attachmentName)
      w.close(4, 'Reference')
    }
    w.close(3, 'edXMLManifest')
    w.close(2, 'edXMLBody')
  }
  w.close(1, 'edXMLEnvelope')
  return w.out.join('')
}

const contentIdOf = (a: OutgoingAttachment, i: number) => a.contentId ?? `cid:${i + 1}`

/** What the parser would refuse in `AttachmentEncoded`, refused before the first byte is written. */
function checkAttachments(m: OutgoingDocument): void {
  const ids = m.manifest ? new Set(m.manifest.map((r) => r.contentId)) : undefined
  const seen = new Set<string>()
  m.attachments.forEach((a, i) => {
    const at = `/edXML/AttachmentEncoded/Attachment${i > 0 ? `[${i + 1}]` : ''}`
    if (!a.name || a.name.trim() === '') refuse(`${at}/AttachmentName`, 'an attachment needs a name')
    const cid = contentIdOf(a, i)
    for (const [name, v] of [
      ['AttachmentName', a.name],
      ['ContentId', cid],
      ['ContentType', a.contentType],
      ['Description', a.description],
    ] as const) {
      if (v !== undefined) esc(v, `${at}/${name}`)
    }
    if (seen.has(cid)) refuse(`${at}/ContentId`, `ContentId ${cid.slice(0, 80)} is used twice`)
    seen.add(cid)
    if (ids && !ids.has(cid)) refuse(`${at}/ContentId`, `attachment ${cid.slice(0, 80)} has no Reference in the given manifest`)
  })
}

function manifestRef(a: OutgoingAttachment, i: number): ManifestReference {
  const r: ManifestReference = { contentId: contentIdOf(a, i), attachmentName: a.name }
  if (a.contentType !== undefined) r.contentType = a.contentType
  if (a.description !== undefined) r.description = a.description
  return r
}

export { contentIdOf, esc as escapeXmlText }
