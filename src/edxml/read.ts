import { EdxmlError } from './errors.js'
import {
  BUSINESS_DOC_TYPES,
  EDXML_NS,
  STATUS_CODE_LIST,
  STATUS_CODES,
  XMLDSIG_NS,
  type AttachmentInfo,
  type Business,
  type DocumentHeader,
  type DocumentMessage,
  type EdxmlMessage,
  type ManifestReference,
  type Organization,
  type ResponseFor,
  type StaffInfo,
  type StatusCode,
  type StatusHeader,
  type TraceHeader,
} from './model.js'
import type { XNode } from './stream.js'

/** How often a child may appear: exactly once, at most once, any number. */
type Card = 'one' | 'opt' | 'many'
type Children = Map<string, XNode[]>

const WS_ONLY = /^[ \t\r\n]*$/
const XML_TRIM = /^[ \t\r\n]+|[ \t\r\n]+$/g

function invalid(node: XNode, message: string): never {
  throw new EdxmlError('HUB_ERR_EDXML_INVALID', node.path, message, { line: node.line })
}

/** Checks a container's children against what QCVN 102 allows there (any order: real senders vary it). */
function kids(node: XNode, spec: Record<string, Card>): Children {
  if (!WS_ONLY.test(node.text)) invalid(node, `unexpected text in <${node.local}>`)
  const out: Children = new Map()
  for (const c of node.children) {
    const nsOk = c.ns === EDXML_NS || c.ns === '' || (c.local === 'Signature' && c.ns === XMLDSIG_NS)
    if (!nsOk) invalid(c, `element <${c.local}> in namespace "${c.ns.slice(0, 100)}" is not allowed in <${node.local}>`)
    if (!(c.local in spec)) invalid(c, `unexpected element <${c.local}> in <${node.local}>`)
    const list = out.get(c.local) ?? []
    list.push(c)
    out.set(c.local, list)
  }
  for (const [name, card] of Object.entries(spec)) {
    const n = out.get(name)?.length ?? 0
    if (card === 'one' && n === 0) invalid(node, `missing element <${name}> in <${node.local}>`)
    if (card !== 'many' && n > 1) invalid(out.get(name)![1]!, `element <${name}> repeated in <${node.local}>`)
  }
  return out
}

function leafText(node: XNode): string {
  if (node.children.length > 0) invalid(node.children[0]!, `<${node.local}> must hold text, not elements`)
  return node.text.replace(XML_TRIM, '')
}

/** Text of an optional leaf; absent when the element is absent. */
function opt(c: Children, name: string): string | undefined {
  const n = c.get(name)?.[0]
  return n === undefined ? undefined : leafText(n)
}

/** Text of a required leaf, which must not be empty. */
function req(c: Children, name: string, parent: XNode): string {
  const n = c.get(name)?.[0]
  if (n === undefined) invalid(parent, `missing element <${name}> in <${parent.local}>`)
  const v = leafText(n)
  if (v === '') invalid(n, `<${name}> is empty`)
  return v
}

const list = (c: Children, name: string) => c.get(name) ?? []

/** Drops keys whose value is undefined, so absent elements stay absent in the model. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}

const DATE = /^(\d{4})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])$/
const STAMP = /^(\d{4})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])[ T]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/

/** `yyyy/MM/dd` (the wire form); `yyyy-MM-dd` is accepted and normalized. */
function date(c: Children, name: string): string | undefined {
  const v = opt(c, name)
  if (v === undefined || v === '') return v
  const m = DATE.exec(v)
  if (!m) invalid(c.get(name)![0]!, `<${name}> "${v.slice(0, 40)}" is not a date yyyy/MM/dd`)
  return `${m[1]}/${m[2]}/${m[3]}`
}

/** `yyyy/MM/dd HH:mm:ss` (the wire form); `yyyy-MM-dd[T ]HH:mm:ss` is accepted and normalized. */
function stamp(node: XNode): string {
  const v = leafText(node)
  const m = STAMP.exec(v)
  if (!m) invalid(node, `<${node.local}> "${v.slice(0, 40)}" is not a timestamp yyyy/MM/dd HH:mm:ss`)
  return `${m[1]}/${m[2]}/${m[3]} ${m[4]}:${m[5]}:${m[6]}`
}

const ORG: Record<string, Card> = {
  OrganId: 'one',
  OrganizationInCharge: 'opt',
  OrganName: 'opt',
  OrganAdd: 'opt',
  Email: 'opt',
  Telephone: 'opt',
  Fax: 'opt',
  Website: 'opt',
}

function organization(node: XNode): Organization {
  const c = kids(node, ORG)
  return compact({
    organId: req(c, 'OrganId', node),
    organizationInCharge: opt(c, 'OrganizationInCharge'),
    organName: opt(c, 'OrganName'),
    organAdd: opt(c, 'OrganAdd'),
    email: opt(c, 'Email'),
    telephone: opt(c, 'Telephone'),
    fax: opt(c, 'Fax'),
    website: opt(c, 'Website'),
  })
}

function responseFor(node: XNode): ResponseFor {
  const c = kids(node, { OrganId: 'opt', Code: 'opt', PromulgationDate: 'opt', DocumentId: 'opt' })
  return compact({ organId: opt(c, 'OrganId'), code: opt(c, 'Code'), promulgationDate: date(c, 'PromulgationDate'), documentId: opt(c, 'DocumentId') })
}

function staffInfo(node: XNode): StaffInfo {
  const c = kids(node, { Department: 'opt', Staff: 'opt', Email: 'opt', Mobile: 'opt' })
  return compact({ department: opt(c, 'Department'), staff: opt(c, 'Staff'), email: opt(c, 'Email'), mobile: opt(c, 'Mobile') })
}

function optNode<T>(c: Children, name: string, read: (n: XNode) => T): T | undefined {
  const n = c.get(name)?.[0]
  return n === undefined ? undefined : read(n)
}

const places = (node: XNode, child: string): string[] => list(kids(node, { [child]: 'many' }), child).map(leafText)

function documentHeader(node: XNode): DocumentHeader {
  const c = kids(node, {
    From: 'one',
    To: 'many',
    DocumentId: 'opt',
    Code: 'one',
    PromulgationInfo: 'opt',
    DocumentType: 'opt',
    Subject: 'one',
    Content: 'opt',
    SignerInfo: 'opt',
    DueDate: 'opt',
    OtherInfo: 'opt',
    ResponseFor: 'many',
    SteeringType: 'opt',
    ToPlaces: 'opt',
  })
  const to = list(c, 'To').map(organization)
  if (to.length === 0) invalid(node, 'missing element <To> in <MessageHeader>: a document needs at least one receiver')
  const codeNode = c.get('Code')![0]!
  const code = kids(codeNode, { CodeNumber: 'one', CodeNotation: 'opt' })
  const responses = list(c, 'ResponseFor').map(responseFor)
  return compact({
    from: organization(c.get('From')![0]!),
    to,
    documentId: opt(c, 'DocumentId'),
    code: compact({ codeNumber: req(code, 'CodeNumber', codeNode), codeNotation: opt(code, 'CodeNotation') }),
    promulgationInfo: optNode(c, 'PromulgationInfo', (n) => {
      const p = kids(n, { Place: 'opt', PromulgationDate: 'opt' })
      return compact({ place: opt(p, 'Place'), promulgationDate: date(p, 'PromulgationDate') })
    }),
    documentType: optNode(c, 'DocumentType', (n) => {
      const t = kids(n, { Type: 'opt', TypeDetail: 'opt', TypeName: 'opt' })
      return compact({ type: opt(t, 'Type'), typeDetail: opt(t, 'TypeDetail'), typeName: opt(t, 'TypeName') })
    }),
    subject: req(c, 'Subject', node),
    content: opt(c, 'Content'),
    signerInfo: optNode(c, 'SignerInfo', (n) => {
      const s = kids(n, { Competence: 'opt', Position: 'opt', FullName: 'opt' })
      return compact({ competence: opt(s, 'Competence'), position: opt(s, 'Position'), fullName: opt(s, 'FullName') })
    }),
    dueDate: date(c, 'DueDate'),
    otherInfo: optNode(c, 'OtherInfo', (n) => {
      const o = kids(n, {
        Priority: 'opt',
        SphereOfPromulgation: 'opt',
        TyperNotation: 'opt',
        PromulgationAmount: 'opt',
        PageAmount: 'opt',
        Direction: 'opt',
        Appendixes: 'opt',
      })
      return compact({
        priority: opt(o, 'Priority'),
        sphereOfPromulgation: opt(o, 'SphereOfPromulgation'),
        typerNotation: opt(o, 'TyperNotation'),
        promulgationAmount: opt(o, 'PromulgationAmount'),
        pageAmount: opt(o, 'PageAmount'),
        direction: opt(o, 'Direction'),
        appendixes: optNode(o, 'Appendixes', (a) => places(a, 'Appendix')),
      })
    }),
    responseFor: responses.length > 0 ? responses : undefined,
    steeringType: opt(c, 'SteeringType'),
    toPlaces: optNode(c, 'ToPlaces', (n) => places(n, 'Place')),
  })
}

function statusHeader(node: XNode): StatusHeader {
  const c = kids(node, { From: 'one', ResponseFor: 'one', StaffInfo: 'opt', StatusCode: 'one', Description: 'opt', Timestamp: 'one' })
  const codeNode = c.get('StatusCode')![0]!
  const raw = leafText(codeNode)
  const code = /^\d$/.test(raw) ? `0${raw}` : raw
  if (!(code in STATUS_CODES)) invalid(codeNode, `<StatusCode> "${raw.slice(0, 20)}" is not one of ${STATUS_CODE_LIST.join(', ')}`)
  return compact({
    from: organization(c.get('From')![0]!),
    responseFor: responseFor(c.get('ResponseFor')![0]!),
    staffInfo: optNode(c, 'StaffInfo', staffInfo),
    statusCode: code as StatusCode,
    description: opt(c, 'Description'),
    timestamp: stamp(c.get('Timestamp')![0]!),
  })
}

function business(node: XNode): Business {
  const c = kids(node, {
    DocumentId: 'opt',
    BussinessDocType: 'one',
    BussinessDocReason: 'opt',
    Paper: 'opt',
    BussinessDocumentInfo: 'opt',
    ReplacementInfoList: 'opt',
    StaffInfo: 'opt',
  })
  const typeNode = c.get('BussinessDocType')![0]!
  const t = leafText(typeNode)
  if (!(t in BUSINESS_DOC_TYPES)) invalid(typeNode, `<BussinessDocType> "${t.slice(0, 20)}" is not 0 (new), 1 (revoke), 2 (update) or 3 (replace)`)
  return compact({
    documentId: opt(c, 'DocumentId'),
    docType: BUSINESS_DOC_TYPES[t as keyof typeof BUSINESS_DOC_TYPES],
    reason: opt(c, 'BussinessDocReason'),
    paper: opt(c, 'Paper'),
    documentInfo: optNode(c, 'BussinessDocumentInfo', (n) => {
      const d = kids(n, { DocumentInfo: 'opt', DocumentReceiver: 'opt', ReceiverList: 'opt' })
      return compact({
        documentInfo: opt(d, 'DocumentInfo'),
        documentReceiver: opt(d, 'DocumentReceiver'),
        receivers: optNode(d, 'ReceiverList', (l) =>
          list(kids(l, { Receiver: 'many' }), 'Receiver').map((r) => {
            const rc = kids(r, { OrganId: 'one', ReceiverType: 'opt' })
            return compact({ organId: req(rc, 'OrganId', r), receiverType: opt(rc, 'ReceiverType') })
          }),
        ),
      })
    }),
    replacements: optNode(c, 'ReplacementInfoList', (l) =>
      list(kids(l, { ReplacementInfo: 'many' }), 'ReplacementInfo').map((r) => {
        const rc = kids(r, { DocumentId: 'one', OrganIdList: 'opt' })
        return { documentId: req(rc, 'DocumentId', r), organIds: optNode(rc, 'OrganIdList', (o) => places(o, 'OrganId')) ?? [] }
      }),
    ),
    staffInfo: optNode(c, 'StaffInfo', staffInfo),
  })
}

function traceHeaderList(node: XNode | undefined): { traces: TraceHeader[]; business?: Business } {
  if (!node) return { traces: [] }
  const c = kids(node, { TraceHeader: 'many', Bussiness: 'opt' })
  const traces = list(c, 'TraceHeader').map((t) => {
    const tc = kids(t, { OrganId: 'one', Timestamp: 'one' })
    return { organId: req(tc, 'OrganId', t), timestamp: stamp(tc.get('Timestamp')![0]!) }
  })
  const b = c.get('Bussiness')?.[0]
  return b ? { traces, business: business(b) } : { traces }
}

function manifest(body: XNode | undefined): { version?: string; refs: ManifestReference[] } {
  if (!body) return { refs: [] }
  const m = kids(body, { edXMLManifest: 'opt' }).get('edXMLManifest')?.[0]
  if (!m) return { refs: [] }
  const refs = list(kids(m, { Reference: 'many' }), 'Reference').map((r) => {
    const c = kids(r, { ContentId: 'one', ContentType: 'opt', Description: 'opt', AttachmentName: 'opt' })
    return compact({
      contentId: req(c, 'ContentId', r),
      contentType: opt(c, 'ContentType'),
      description: opt(c, 'Description'),
      attachmentName: opt(c, 'AttachmentName'),
    })
  })
  return m.attrs.version === undefined ? { refs } : { version: m.attrs.version, refs }
}

function attachments(node: XNode | undefined, refs: ManifestReference[]): AttachmentInfo[] {
  if (!node) return []
  const ids = new Set(refs.map((r) => r.contentId))
  return list(kids(node, { Attachment: 'many' }), 'Attachment').map((a) => {
    const c = kids(a, { ContentId: 'opt', AttachmentName: 'one', Description: 'opt', ContentType: 'opt', ContentTransferEncoded: 'one' })
    const contentId = opt(c, 'ContentId')
    if (contentId !== undefined && refs.length > 0 && !ids.has(contentId)) invalid(a, `attachment ${contentId.slice(0, 80)} has no <Reference> in the manifest`)
    const body = c.get('ContentTransferEncoded')![0]!.body
    if (!body) invalid(a, '<ContentTransferEncoded> is not an attachment body')
    return compact({
      contentId,
      name: req(c, 'AttachmentName', a),
      description: opt(c, 'Description'),
      contentType: opt(c, 'ContentType'),
      size: body.size,
      sha256: body.sha256,
    })
  })
}

/** Maps the element tree to the model, refusing anything QCVN 102 does not allow with the element's path. */
export function readMessage(root: XNode): { message: EdxmlMessage; signature?: XNode } {
  if (root.local !== 'edXML' || (root.ns !== EDXML_NS && root.ns !== '')) invalid(root, `the root element must be <edXML> in ${EDXML_NS}, not <${root.local}>`)
  const top = kids(root, { edXMLEnvelope: 'one', AttachmentEncoded: 'opt' })
  const env = kids(top.get('edXMLEnvelope')![0]!, { edXMLHeader: 'one', edXMLBody: 'opt' })
  const headerNode = env.get('edXMLHeader')![0]!
  const header = kids(headerNode, { MessageHeader: 'one', TraceHeaderList: 'opt', Signature: 'opt' })
  const mh = header.get('MessageHeader')![0]!
  const signature = header.get('Signature')?.[0]
  const trace = traceHeaderList(header.get('TraceHeaderList')?.[0])
  const isStatus = mh.children.some((c) => c.local === 'StatusCode')
  if (isStatus) {
    const bodyNode = env.get('edXMLBody')?.[0]
    if (bodyNode && bodyNode.children.length > 0) invalid(bodyNode, 'a status message carries no manifest')
    if (top.get('AttachmentEncoded')) invalid(top.get('AttachmentEncoded')![0]!, 'a status message carries no attachments')
    if (trace.business) invalid(header.get('TraceHeaderList')![0]!, 'a status message carries no <Bussiness>')
    const message: EdxmlMessage = { kind: 'status', header: statusHeader(mh), traces: trace.traces }
    return { message, signature }
  }
  const m = manifest(env.get('edXMLBody')?.[0])
  const message: DocumentMessage = compact({
    kind: 'document' as const,
    header: documentHeader(mh),
    traces: trace.traces,
    business: trace.business,
    manifestVersion: m.version,
    manifest: m.refs,
    attachments: attachments(top.get('AttachmentEncoded')?.[0], m.refs),
  })
  return { message, signature }
}
