/**
 * The edXML model (QCVN 102:2016), as exchanged on the national document-exchange axis (VDXP).
 * Field names follow the wire elements in camelCase (`Bussiness` keeps its double "s" on the
 * wire only). Dates are kept in the wire form: `yyyy/MM/dd`, timestamps `yyyy/MM/dd HH:mm:ss`
 * (the parser normalizes the ISO variants some senders use). Optional elements absent on the
 * wire are absent here (never empty strings), so a parse → build → parse round trip is exact.
 */

/** The edXML namespace. Readers accept it as a prefix (`edXML:`) or as the default namespace. */
export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016'
/** XML-DSig namespace (the SDK samples put `Signature` in the edXML default namespace instead). */
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#'

/** `From` / `To`: an agency. */
export interface Organization {
  /** Agency code (mã định danh), e.g. `000.00.00.H41`. */
  organId: string
  organizationInCharge?: string
  organName?: string
  organAdd?: string
  email?: string
  telephone?: string
  fax?: string
  website?: string
}

/** `Code`: the document's number and notation, e.g. 7816 / `VPCP-TTĐT`. */
export interface DocumentCode {
  codeNumber: string
  codeNotation?: string
}

export interface PromulgationInfo {
  place?: string
  /** `yyyy/MM/dd`. */
  promulgationDate?: string
}

export interface DocumentTypeInfo {
  type?: string
  typeDetail?: string
  typeName?: string
}

export interface SignerInfo {
  competence?: string
  position?: string
  fullName?: string
}

export interface OtherInfo {
  priority?: string
  sphereOfPromulgation?: string
  typerNotation?: string
  promulgationAmount?: string
  pageAmount?: string
  direction?: string
  /** `Appendixes/Appendix*`. */
  appendixes?: string[]
}

/** `ResponseFor`: the document an answer or a status refers to. */
export interface ResponseFor {
  organId?: string
  /** The referred document's code, e.g. `7816/VPCP-TTĐT`. */
  code?: string
  /** `yyyy/MM/dd`. */
  promulgationDate?: string
  /** `<OrganId>,<yyyy/MM/dd>,<Code>`. */
  documentId?: string
}

/** `StaffInfo`: the clerk who acted. */
export interface StaffInfo {
  department?: string
  staff?: string
  email?: string
  mobile?: string
}

/** `MessageHeader` of a document message. */
export interface DocumentHeader {
  from: Organization
  to: Organization[]
  /** `<OrganId>,<yyyy/MM/dd>,<Code>`. */
  documentId?: string
  code: DocumentCode
  promulgationInfo?: PromulgationInfo
  documentType?: DocumentTypeInfo
  subject: string
  content?: string
  signerInfo?: SignerInfo
  /** `yyyy/MM/dd`. */
  dueDate?: string
  otherInfo?: OtherInfo
  responseFor?: ResponseFor[]
  steeringType?: string
  /** `ToPlaces/Place*`. */
  toPlaces?: string[]
}

/**
 * The axis's document id, `<OrganId>,<yyyy/MM/dd>,<Code>` with Code = `<CodeNumber>/<CodeNotation>`
 * (e.g. `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`).
 */
export function documentIdOf(organId: string, promulgationDate: string, code: DocumentCode): string {
  return `${organId},${promulgationDate},${code.codeNotation ? `${code.codeNumber}/${code.codeNotation}` : code.codeNumber}`
}

/** Status codes of business status messages (NATIONAL-ENDPOINTS §4). */
export const STATUS_CODES = {
  '01': 'arrived',
  '02': 'rejected',
  '03': 'accepted',
  '04': 'assigned',
  '05': 'processing',
  '06': 'finished',
  '13': 'recall requested',
  '15': 'update/recall accepted',
  '16': 'update/recall rejected',
} as const
export type StatusCode = keyof typeof STATUS_CODES
/** The status codes in their order (object keys like "13" would enumerate before "01"). */
export const STATUS_CODE_LIST = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const satisfies readonly StatusCode[]

/** `MessageHeader` of a status message (wire order: From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp). */
export interface StatusHeader {
  from: Organization
  responseFor: ResponseFor
  staffInfo?: StaffInfo
  statusCode: StatusCode
  description?: string
  /** `yyyy/MM/dd HH:mm:ss`. */
  timestamp: string
}

export interface TraceHeader {
  organId: string
  /** `yyyy/MM/dd HH:mm:ss`. */
  timestamp: string
}

/** `BussinessDocType` on the wire: 0 new, 1 revoke, 2 update, 3 replace. */
export const BUSINESS_DOC_TYPES = { '0': 'new', '1': 'revoke', '2': 'update', '3': 'replace' } as const
export type BusinessDocType = (typeof BUSINESS_DOC_TYPES)[keyof typeof BUSINESS_DOC_TYPES]

export interface BusinessReceiver {
  organId: string
  receiverType?: string
}

export interface BusinessDocumentInfo {
  documentInfo?: string
  documentReceiver?: string
  receivers?: BusinessReceiver[]
}

export interface ReplacementInfo {
  documentId: string
  organIds: string[]
}

/** `TraceHeaderList/Bussiness`: what this document does to a previous one. */
export interface Business {
  documentId?: string
  docType: BusinessDocType
  reason?: string
  paper?: string
  documentInfo?: BusinessDocumentInfo
  replacements?: ReplacementInfo[]
  staffInfo?: StaffInfo
}

/** `edXMLManifest/Reference`. */
export interface ManifestReference {
  /** `cid:…`. */
  contentId: string
  contentType?: string
  description?: string
  attachmentName?: string
}

/** One attachment after streaming decode: its metadata, decoded size and hash (never its bytes). */
export interface AttachmentInfo {
  contentId?: string
  name: string
  description?: string
  contentType?: string
  /** Decoded size in bytes. */
  size: number
  /** Lower-case hex SHA-256 of the decoded bytes. */
  sha256: string
}

export interface DocumentMessage {
  kind: 'document'
  header: DocumentHeader
  traces: TraceHeader[]
  business?: Business
  /** `version` attribute of `edXMLManifest`, when present. */
  manifestVersion?: string
  manifest: ManifestReference[]
  attachments: AttachmentInfo[]
}

export interface StatusMessage {
  kind: 'status'
  header: StatusHeader
  traces: TraceHeader[]
}

export type EdxmlMessage = DocumentMessage | StatusMessage

/** The XML-DSig check of the header's `Signature`. */
export type SignatureCheck =
  | { status: 'absent' }
  | { status: 'valid'; subject?: string }
  | { status: 'invalid'; reason: string }
  /** It could not be checked (truncated certificate, message too large for the DOM check, …): parsing goes on. */
  | { status: 'unverifiable'; reason: string }

/** What the parser returns. */
export interface ParsedEdxml {
  message: EdxmlMessage
  signature: SignatureCheck
  /** Tolerated deviations of the input (stray bytes before the declaration, …), for operators. */
  quirks: string[]
  /** Bytes read. */
  bytes: number
}

/** Human text for a signature check, as recorded by the hub. */
export function describeSignature(check: SignatureCheck): string {
  switch (check.status) {
    case 'absent':
      return 'no signature'
    case 'valid':
      return 'signature valid'
    case 'invalid':
      return `signature invalid: ${check.reason}`
    case 'unverifiable':
      return `signature cannot be verified: ${check.reason}`
  }
}
