import { SaxesParser, type SaxesTagNS } from 'saxes'

/**
 * The axis's own reading of an edXML message (QCVN 102:2016, NATIONAL-ENDPOINTS §4),
 * written from the format and strict the way the central validator is: it answers
 * either the facts the axis routes on or the façade's error code (10 invalid file,
 * 22 edXML not in the required form) with a message naming the element at fault.
 */

export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016'
export const STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const

export const LIMITS = { bytes: 40 * 1024 * 1024, depth: 64, elements: 200_000, attachments: 1000, strayBytes: 16 }

export interface EdxmlAttachment {
  contentId: string
  name: string
  contentType: string
  /** Base64, whitespace removed. */
  base64: string
}

export interface CheckedEdxml {
  kind: 'edoc' | 'status'
  from: { organId: string; organName: string }
  /** Document: every `To/OrganId`; status: the `ResponseFor/OrganId` it answers. */
  to: string[]
  /** Document: `CodeNumber/CodeNotation`; status: `ResponseFor/Code`. */
  code: string
  subject: string
  /** Document: `DocumentId` (when given); status: `ResponseFor/DocumentId`. */
  documentId: string
  /** `Bussiness/BussinessDocType` (0 new when absent); status messages: undefined. */
  businessDocType?: 0 | 1 | 2 | 3
  statusCode?: string
  attachments: EdxmlAttachment[]
}

export type CheckResult = { ok: true; doc: CheckedEdxml } | { ok: false; code: 10 | 22; message: string }

interface El {
  local: string
  prefix: string
  uri: string
  children: El[]
  text: string
  inSignature: boolean
}

class Refused extends Error {
  constructor(
    readonly code: 10 | 22,
    message: string,
  ) {
    super(message)
  }
}

const bad = (message: string): never => {
  throw new Refused(22, message)
}

const DATE = /^(\d{4})\/(\d{2})\/(\d{2})$/
const DATETIME = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const DOCUMENT_ID = /^[^,\s]+,\d{4}\/\d{2}\/\d{2},\S.*$/

/** Base64 alphabet, length a multiple of 4, at most two `=` at the end (a loop: a regex costs ~6 ms on 300 KB). */
function isBase64(s: string): boolean {
  if (s.length === 0 || s.length % 4 !== 0) return false
  let pad = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 61) {
      if (i < s.length - 2) return false
      pad++
      continue
    }
    if (pad > 0) return false
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47
    if (!ok) return false
  }
  return true
}

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

function checkDate(value: string, where: string): void {
  const m = DATE.exec(value)
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) bad(`${where} "${value.slice(0, 40)}" is not a date yyyy/MM/dd`)
}

function checkDateTime(value: string, where: string): void {
  const m = DATETIME.exec(value)
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) {
    bad(`${where} "${value.slice(0, 40)}" is not a timestamp yyyy/MM/dd HH:mm:ss`)
  }
}

/**
 * Lifts the text of every `ContentTransferEncoded` out of the XML before the
 * character-by-character parse (a 300 KB attachment otherwise costs ~20 ms), leaving a
 * `#n` placeholder; the text up to the next `<` is what the parser would have read
 * (it cannot contain markup), and is checked as base64 afterwards.
 */
function liftAttachmentBodies(text: string): { xml: string; bodies: string[] } {
  const parts: string[] = []
  const bodies: string[] = []
  const open = /<(?:[A-Za-z_][\w.-]*:)?ContentTransferEncoded(?:\s[^<>]*)?>/g
  let pos = 0
  for (let m = open.exec(text); m; m = open.exec(text)) {
    if (m[0].endsWith('/>')) continue
    const from = m.index + m[0].length
    const to = text.indexOf('<', from)
    if (to < 0) break
    parts.push(text.slice(pos, from), `#${bodies.length}`)
    bodies.push(text.slice(from, to))
    pos = to
    open.lastIndex = to
  }
  parts.push(text.slice(pos))
  return { xml: bodies.length ? parts.join('') : text, bodies }
}

/** Reads the XML into a small tree; refuses (10) what is not a well-formed UTF-8 XML file. */
function readTree(bytes: Buffer): El {
  if (bytes.length === 0) throw new Refused(10, 'the file is empty')
  if (bytes.length > LIMITS.bytes) throw new Refused(10, `the file is larger than ${LIMITS.bytes} bytes`)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new Refused(10, 'the file is not UTF-8 text')
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  // Real SDK output carries a few stray bytes before the declaration; the axis takes it.
  const start = text.indexOf('<')
  if (start < 0 || start > LIMITS.strayBytes) throw new Refused(10, 'the file is not XML')
  text = text.slice(start)
  const lifted = liftAttachmentBodies(text)

  const parser = new SaxesParser({ xmlns: true, position: false })
  const stack: El[] = []
  let root: El | undefined
  let count = 0
  parser.on('doctype', () => {
    throw new Refused(10, 'a DOCTYPE is not allowed in an edXML file')
  })
  parser.on('opentag', (tag) => {
    const t = tag as SaxesTagNS
    if (++count > LIMITS.elements) throw new Refused(10, `more than ${LIMITS.elements} elements`)
    if (stack.length >= LIMITS.depth) throw new Refused(10, `elements nested deeper than ${LIMITS.depth}`)
    const parent = stack[stack.length - 1]
    const el: El = {
      local: t.local,
      prefix: t.prefix,
      uri: t.uri,
      children: [],
      text: '',
      inSignature: (parent?.inSignature ?? false) || t.local === 'Signature',
    }
    if (parent) parent.children.push(el)
    else root = el
    stack.push(el)
  })
  parser.on('closetag', () => {
    const el = stack.pop()
    if (el?.local === 'ContentTransferEncoded') {
      const m = /^#(\d+)$/.exec(el.text)
      if (m) el.text = lifted.bodies[Number(m[1])]!
    }
  })
  const onText = (s: string) => {
    const top = stack[stack.length - 1]
    if (top && top.children.length === 0) top.text += s
  }
  parser.on('text', onText)
  parser.on('cdata', onText)
  try {
    parser.write(lifted.xml).close()
  } catch (e) {
    if (e instanceof Refused) throw e
    throw new Refused(10, `the file is not well-formed XML: ${(e as Error).message.slice(0, 200)}`)
  }
  if (!root) throw new Refused(10, 'the file has no root element')
  return root
}

const kids = (el: El, local: string): El[] => el.children.filter((c) => c.local === local && c.uri === EDXML_NS)
function one(el: El, local: string, where: string, required: true): El
function one(el: El, local: string, where: string, required?: false): El | undefined
function one(el: El, local: string, where: string, required = false): El | undefined {
  const found = kids(el, local)
  if (found.length > 1) bad(`${where}/${local} appears ${found.length} times`)
  if (required && found.length === 0) bad(`${where}/${local} is missing`)
  return found[0]
}
const textOf = (el: El | undefined) => (el ? el.text.trim() : '')
function needText(el: El, local: string, where: string): string {
  const v = textOf(one(el, local, where, true))
  if (!v) bad(`${where}/${local} is empty`)
  return v
}

/** Every edXML element inside the envelope carries the `edXML:` prefix (central validators refuse it dropped). */
function checkPrefixes(el: El, path: string): void {
  if (el.inSignature) return
  if (el.uri !== EDXML_NS) bad(`${path}: element ${el.local} is not in the edXML namespace`)
  if (el.prefix !== 'edXML') bad(`${path}: element ${el.local} has no edXML: prefix`)
  for (const c of el.children) checkPrefixes(c, `${path}/${c.local}`)
}

/** Children may only be `allowed` ones, each at most once unless `repeatable`, in the order given when `ordered`. */
function checkChildren(el: El, where: string, allowed: readonly string[], opts: { repeatable?: readonly string[]; ordered?: boolean } = {}): void {
  let last = -1
  const seen = new Set<string>()
  for (const c of el.children) {
    if (c.inSignature && c.local === 'Signature') continue
    const i = allowed.indexOf(c.local)
    if (i < 0 || c.uri !== EDXML_NS) bad(`${where}: unexpected element ${c.local}`)
    if (seen.has(c.local) && !opts.repeatable?.includes(c.local)) bad(`${where}/${c.local} appears more than once`)
    if (opts.ordered && i < last) bad(`${where}/${c.local} is out of order (expected ${allowed.join(', ')})`)
    last = Math.max(last, i)
    seen.add(c.local)
  }
}

function organ(el: El, where: string): { organId: string; organName: string } {
  return { organId: needText(el, 'OrganId', where), organName: textOf(one(el, 'OrganName', where)) }
}

const STATUS_ORDER = ['From', 'ResponseFor', 'StaffInfo', 'StatusCode', 'Description', 'Timestamp'] as const
const DOCUMENT_CHILDREN = [
  'From',
  'To',
  'DocumentId',
  'Code',
  'PromulgationInfo',
  'DocumentType',
  'Subject',
  'Content',
  'SignerInfo',
  'DueDate',
  'OtherInfo',
  'SteeringType',
  'ToPlaces',
  'ResponseFor',
] as const

function checkStatus(mh: El): CheckedEdxml {
  const w = 'MessageHeader'
  checkChildren(mh, w, STATUS_ORDER, { ordered: true })
  const from = organ(one(mh, 'From', w, true), `${w}/From`)
  const rf = one(mh, 'ResponseFor', w, true)
  const statusCode = needText(mh, 'StatusCode', w)
  if (!(STATUS_CODES as readonly string[]).includes(statusCode)) bad(`${w}/StatusCode "${statusCode.slice(0, 10)}" is not one of ${STATUS_CODES.join(', ')}`)
  checkDateTime(needText(mh, 'Timestamp', w), `${w}/Timestamp`)
  const rfWhere = `${w}/ResponseFor`
  const to = needText(rf, 'OrganId', rfWhere)
  const documentId = needText(rf, 'DocumentId', rfWhere)
  const pd = textOf(one(rf, 'PromulgationDate', rfWhere))
  if (pd) checkDate(pd, `${rfWhere}/PromulgationDate`)
  return {
    kind: 'status',
    from,
    to: [to],
    code: textOf(one(rf, 'Code', rfWhere)),
    subject: textOf(one(mh, 'Description', w)),
    documentId,
    statusCode,
    attachments: [],
  }
}

function checkDocument(mh: El, header: El): CheckedEdxml {
  const w = 'MessageHeader'
  checkChildren(mh, w, DOCUMENT_CHILDREN, { repeatable: ['To'] })
  const firsts = mh.children.slice(0, 1 + kids(mh, 'To').length).map((c) => c.local)
  if (firsts[0] !== 'From' || firsts.slice(1).some((n) => n !== 'To')) bad(`${w}: From then every To come first`)
  const from = organ(one(mh, 'From', w, true), `${w}/From`)
  const tos = kids(mh, 'To')
  if (tos.length === 0) bad(`${w}/To is missing`)
  const to = tos.map((t, i) => organ(t, `${w}/To[${i + 1}]`).organId)
  const code = one(mh, 'Code', w, true)
  const codeText = `${needText(code, 'CodeNumber', `${w}/Code`)}/${needText(code, 'CodeNotation', `${w}/Code`)}`
  checkDate(needText(one(mh, 'PromulgationInfo', w, true), 'PromulgationDate', `${w}/PromulgationInfo`), `${w}/PromulgationInfo/PromulgationDate`)
  const type = needText(one(mh, 'DocumentType', w, true), 'Type', `${w}/DocumentType`)
  if (!/^\d{1,3}$/.test(type)) bad(`${w}/DocumentType/Type "${type.slice(0, 10)}" is not a number`)
  const subject = needText(mh, 'Subject', w)
  const due = textOf(one(mh, 'DueDate', w))
  if (due) checkDate(due, `${w}/DueDate`)
  const documentId = textOf(one(mh, 'DocumentId', w))
  if (documentId && !DOCUMENT_ID.test(documentId)) bad(`${w}/DocumentId "${documentId.slice(0, 60)}" is not <OrganId>,<yyyy/MM/dd>,<Code>`)
  const rf = one(mh, 'ResponseFor', w)
  if (rf) needText(rf, 'OrganId', `${w}/ResponseFor`)

  let businessDocType: 0 | 1 | 2 | 3 = 0
  const thl = one(header, 'TraceHeaderList', 'edXMLHeader')
  if (thl) {
    const tw = 'TraceHeaderList'
    checkChildren(thl, tw, ['TraceHeader', 'Bussiness'], { repeatable: ['TraceHeader'], ordered: true })
    for (const th of kids(thl, 'TraceHeader')) {
      needText(th, 'OrganId', `${tw}/TraceHeader`)
      checkDateTime(needText(th, 'Timestamp', `${tw}/TraceHeader`), `${tw}/TraceHeader/Timestamp`)
    }
    const b = one(thl, 'Bussiness', tw)
    if (b) {
      const bw = `${tw}/Bussiness`
      const t = needText(b, 'BussinessDocType', bw)
      if (!['0', '1', '2', '3'].includes(t)) bad(`${bw}/BussinessDocType "${t.slice(0, 10)}" is not 0 (new), 1 (revoke), 2 (update) or 3 (replace)`)
      businessDocType = Number(t) as 0 | 1 | 2 | 3
      if (businessDocType === 2) one(b, 'BussinessDocumentInfo', bw, true)
      if (businessDocType === 3) {
        const list = one(b, 'ReplacementInfoList', bw, true)
        const infos = kids(list, 'ReplacementInfo')
        if (infos.length === 0) bad(`${bw}/ReplacementInfoList/ReplacementInfo is missing`)
        for (const info of infos) needText(info, 'DocumentId', `${bw}/ReplacementInfoList/ReplacementInfo`)
      }
    }
  }
  return { kind: 'edoc', from, to, code: codeText, subject, documentId, businessDocType, attachments: [] }
}

/** Manifest references and encoded attachments match one to one; bodies are base64. */
function checkAttachments(body: El | undefined, encoded: El | undefined, kind: CheckedEdxml['kind']): EdxmlAttachment[] {
  if (!body) {
    if (kind === 'edoc') bad('edXMLEnvelope/edXMLBody is missing')
    if (encoded && kids(encoded, 'Attachment').length > 0) bad('AttachmentEncoded has attachments but there is no edXMLBody/edXMLManifest')
    return []
  }
  checkChildren(body, 'edXMLBody', ['edXMLManifest'])
  const manifest = one(body, 'edXMLManifest', 'edXMLBody', true)
  checkChildren(manifest, 'edXMLManifest', ['Reference'], { repeatable: ['Reference'] })
  const refs = new Map<string, { name: string; contentType: string }>()
  for (const r of kids(manifest, 'Reference')) {
    const rw = 'edXMLManifest/Reference'
    const cid = needText(r, 'ContentId', rw)
    if (!/^cid:\S+$/.test(cid)) bad(`${rw}/ContentId "${cid.slice(0, 40)}" does not start with cid:`)
    if (refs.has(cid)) bad(`${rw}/ContentId ${cid.slice(0, 40)} appears twice`)
    refs.set(cid, { name: needText(r, 'AttachmentName', rw), contentType: textOf(one(r, 'ContentType', rw)) })
  }
  const atts = encoded ? kids(encoded, 'Attachment') : []
  if (encoded) checkChildren(encoded, 'AttachmentEncoded', ['Attachment'], { repeatable: ['Attachment'] })
  if (atts.length > LIMITS.attachments) throw new Refused(10, `more than ${LIMITS.attachments} attachments`)
  const out: EdxmlAttachment[] = []
  for (const a of atts) {
    const aw = 'AttachmentEncoded/Attachment'
    const cid = needText(a, 'ContentId', aw)
    const ref = refs.get(cid)
    if (!ref) bad(`${aw} ${cid.slice(0, 40)} is not in edXMLManifest`)
    refs.delete(cid)
    const name = needText(a, 'AttachmentName', aw)
    const b64 = needText(a, 'ContentTransferEncoded', `${aw}[${cid.slice(0, 40)}]`)
      .replace(/&#(?:13|10|9|x[dDaA9]);/g, '')
      .replace(/\s+/g, '')
    if (!isBase64(b64)) bad(`${aw}[${cid.slice(0, 40)}]/ContentTransferEncoded is not base64`)
    out.push({ contentId: cid, name, contentType: textOf(one(a, 'ContentType', aw)) || ref!.contentType, base64: b64 })
  }
  for (const cid of refs.keys()) bad(`edXMLManifest/Reference ${cid.slice(0, 40)} has no AttachmentEncoded/Attachment`)
  return out
}

/** Checks one edXML file as the axis receives it. */
export function checkEdxml(bytes: Buffer): CheckResult {
  try {
    const root = readTree(bytes)
    if (root.local !== 'edXML' || root.uri !== EDXML_NS) bad(`the root element must be edXML in namespace ${EDXML_NS}`)
    checkChildren(root, 'edXML', ['edXMLEnvelope', 'AttachmentEncoded'], { ordered: true })
    const env = one(root, 'edXMLEnvelope', 'edXML', true)
    checkPrefixes(env, 'edXMLEnvelope')
    checkChildren(env, 'edXMLEnvelope', ['edXMLHeader', 'edXMLBody'], { ordered: true })
    const header = one(env, 'edXMLHeader', 'edXMLEnvelope', true)
    checkChildren(header, 'edXMLHeader', ['MessageHeader', 'TraceHeaderList'], { ordered: true })
    const mh = one(header, 'MessageHeader', 'edXMLHeader', true)
    const isStatus = kids(mh, 'StatusCode').length > 0
    const doc = isStatus ? checkStatus(mh) : checkDocument(mh, header)
    doc.attachments = checkAttachments(one(env, 'edXMLBody', 'edXMLEnvelope'), one(root, 'AttachmentEncoded', 'edXML'), doc.kind)
    return { ok: true, doc }
  } catch (e) {
    if (e instanceof Refused) return { ok: false, code: e.code, message: e.message }
    throw e
  }
}
