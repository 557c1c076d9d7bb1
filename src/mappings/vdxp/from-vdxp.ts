/**
 * Replies of the VDXP façade read into the hub's types (pure). Lists are found under
 * `data`, `result` or as the body itself; fields under the SDK's and the façade's names.
 * Anything unreadable is a MalformedVdxpReply (the connector turns it into a transient
 * `malformed` upstream error).
 */
export class MalformedVdxpReply extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MalformedVdxpReply'
  }
}

/** One row of `syncReceivedEdocList` / `getSentEdocList`. */
export interface VdxpListItem {
  docId: string
  from?: string
  to?: string
  status?: string
  statusDesc?: string
  createdTime?: string
  updatedTime?: string
}

/** `getEdoc`: the edXML message as bytes (attachments inside it, or listed apart by the façade). */
export interface VdxpEdoc {
  docId: string
  edxml: Buffer
  from?: string
  attachments: { fileName: string; content: Buffer }[]
}

export interface VdxpAgency {
  organId: string
  name: string
  parentId?: string
  /** False when the axis reports the agency locked (it cannot receive: error 23). */
  active: boolean
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)

function listOf(body: unknown, keys: string[]): unknown[] {
  if (Array.isArray(body)) return body
  const o = body as Record<string, unknown>
  for (const k of keys) if (Array.isArray(o?.[k])) return o[k] as unknown[]
  throw new MalformedVdxpReply(`the reply holds no list (${keys.join(', ')})`)
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/

function decodeBase64(v: string, what: string): Buffer {
  if (!BASE64.test(v)) throw new MalformedVdxpReply(`${what} is not base64`)
  return Buffer.from(v, 'base64')
}

export function readEdocList(body: unknown): VdxpListItem[] {
  return listOf(body, ['data', 'result', 'items']).map((x, i) => {
    const o = (x ?? {}) as Record<string, unknown>
    const docId = str(o['docId'] ?? o['DocId'] ?? o['id'])
    if (!docId) throw new MalformedVdxpReply(`list item ${i} has no docId`)
    return {
      docId,
      from: str(o['from']),
      to: str(o['to']),
      status: str(o['status']),
      statusDesc: str(o['statusDesc']),
      createdTime: str(o['createdTime']),
      updatedTime: str(o['updatedTime']),
    }
  })
}

/**
 * `getEdoc`: `{edxml, from, attachments[{fileName, fileContent}]}` under `data` or at the
 * top. `edxml` is the message text, or base64 when `edxmlEncoding` says so.
 */
export function readEdoc(docId: string, body: unknown): VdxpEdoc {
  const root = body as Record<string, unknown>
  const o = (root?.['data'] && typeof root['data'] === 'object' ? root['data'] : root) as Record<string, unknown>
  const edxml = str(o?.['edxml'] ?? o?.['content'])
  if (edxml === undefined || edxml === '') throw new MalformedVdxpReply(`document ${docId}: the reply carries no edxml`)
  // The façade sends the file as base64 (it may start with stray bytes); XML text always holds a '<'.
  const encoding = str(o['edxmlEncoding'])?.toLowerCase() ?? (edxml.includes('<') ? 'text' : 'base64')
  const attachments = Array.isArray(o['attachments'])
    ? (o['attachments'] as Record<string, unknown>[]).map((a, i) => ({
        fileName: str(a?.['fileName']) ?? `attachment-${i + 1}`,
        content: decodeBase64(str(a?.['fileContent']) ?? '', `attachment ${i + 1}`),
      }))
    : []
  return { docId, edxml: encoding === 'base64' ? decodeBase64(edxml, 'edxml') : Buffer.from(edxml, 'utf8'), from: str(o['from']), attachments }
}

/** `sendEdoc`: the new message's DocID (`docId`, `DocID`, or under `data`). */
export function readSentDocId(body: unknown): string {
  const o = body as Record<string, unknown>
  const d = (o?.['data'] ?? {}) as Record<string, unknown>
  const id = str(o?.['docId'] ?? o?.['DocID'] ?? o?.['docID'] ?? d['docId'] ?? d['DocID'])
  if (!id) throw new MalformedVdxpReply('sendEdoc answered no docId')
  return id
}

export function readAgencies(body: unknown): VdxpAgency[] {
  return listOf(body, ['data', 'result', 'agencies']).map((x, i) => {
    const o = (x ?? {}) as Record<string, unknown>
    const organId = str(o['organId'] ?? o['OrganId'] ?? o['code'])
    if (!organId) throw new MalformedVdxpReply(`agency ${i} has no organId`)
    const status = str(o['status'])?.toLowerCase()
    return {
      organId,
      name: str(o['name'] ?? o['organName'] ?? o['OrganName']) ?? organId,
      parentId: str(o['parentId'] ?? o['pid']),
      active: status !== 'locked',
    }
  })
}

/** The façade's date parameter: `YYYY/MM/DD` of a Vietnam-time day (UTC+7). */
export function facadeDay(epochMs: number): string {
  const d = new Date(epochMs + 7 * 3_600_000)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}`
}
