import { Readable } from 'node:stream'
import { buildEnvelope, contentIdOf, escapeXmlText, type AttachmentContent, type OutgoingAttachment, type OutgoingMessage } from './build.js'
import { EDXML_NS, type AttachmentInfo, type EdxmlMessage } from './model.js'

/** Base64 line length of attachment bodies (MIME style). */
export const BASE64_LINE = 76
/** Source bytes per base64 line. */
const LINE_BYTES = (BASE64_LINE / 4) * 3

async function* sourceOf(a: OutgoingAttachment): AsyncIterable<Uint8Array> {
  if (a.content instanceof Uint8Array) {
    yield a.content
    return
  }
  for await (const c of a.content()) yield typeof c === 'string' ? Buffer.from(c) : c
}

/** Base64 of a byte stream, wrapped at {@link BASE64_LINE} characters, without holding more than a line's carry. */
async function* base64Lines(src: AsyncIterable<Uint8Array>, indent: string): AsyncIterable<string> {
  let carry = Buffer.alloc(0)
  for await (const chunk of src) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const whole = buf.length - (buf.length % LINE_BYTES)
    const lines: string[] = []
    for (let off = 0; off < whole; off += LINE_BYTES) lines.push(`${indent}${buf.subarray(off, off + LINE_BYTES).toString('base64')}\n`)
    if (lines.length > 0) yield lines.join('')
    carry = Buffer.from(buf.subarray(whole))
  }
  if (carry.length > 0) yield `${indent}${carry.toString('base64')}\n`
}

async function* generate(m: OutgoingMessage, envelope: string): AsyncIterable<string> {
  yield envelope
  if (m.kind === 'document' && m.attachments.length > 0) {
    yield '  <AttachmentEncoded>\n'
    for (const [i, a] of m.attachments.entries()) {
      const at = `/edXML/AttachmentEncoded/Attachment${i > 0 ? `[${i + 1}]` : ''}`
      const leaf = (name: string, v: string | undefined) => (v === undefined ? '' : `      <${name}>${escapeXmlText(v, `${at}/${name}`)}</${name}>\n`)
      // The SDK's own form: Attachment children in the default namespace, the body prefixed.
      yield `    <Attachment>\n${leaf('ContentId', contentIdOf(a, i))}${leaf('AttachmentName', a.name)}${leaf('Description', a.description)}${leaf('ContentType', a.contentType)}`
      yield `      <edXML:ContentTransferEncoded xmlns:edXML="${EDXML_NS}">\n`
      yield* base64Lines(sourceOf(a), '')
      yield '      </edXML:ContentTransferEncoded>\n    </Attachment>\n'
    }
    yield '  </AttachmentEncoded>\n'
  }
  yield '</edXML>\n'
}

/**
 * Builds an edXML message as a stream, in the form central validators accept: `edXML:`-prefixed
 * elements under the envelope, QCVN 102 element order, `yyyy/MM/dd` dates and
 * `yyyy/MM/dd HH:mm:ss` timestamps, attachments base64-encoded while streamed, wrapped at 76.
 * The envelope is validated before the first byte is produced: a refused message throws
 * {@link EdxmlError} here, not in the middle of the stream.
 */
export function buildEdxml(m: OutgoingMessage): Readable {
  return Readable.from(generate(m, buildEnvelope(m)), { objectMode: false })
}

/**
 * The outgoing form of a parsed message, its attachment bodies given by position (e.g. read back
 * from the blob store by SHA-256): `build(toOutgoing(parse(x)))` parses into the same model.
 */
export function toOutgoing(m: EdxmlMessage, body: (index: number, attachment: AttachmentInfo) => AttachmentContent): OutgoingMessage {
  if (m.kind === 'status') return m
  const { attachments, ...rest } = m
  return {
    ...rest,
    attachments: attachments.map((a, i) => {
      const out: OutgoingAttachment = { name: a.name, content: body(i, a) }
      if (a.contentId !== undefined) out.contentId = a.contentId
      if (a.contentType !== undefined) out.contentType = a.contentType
      if (a.description !== undefined) out.description = a.description
      return out
    }),
  }
}

/** {@link buildEdxml} collected into one Buffer (small messages, tests). */
export async function buildEdxmlBuffer(m: OutgoingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of buildEdxml(m)) parts.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer))
  return Buffer.concat(parts)
}
