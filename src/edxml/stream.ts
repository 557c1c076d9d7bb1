import { SaxesParser, type SaxesTagNS } from 'saxes'
import { Base64Decoder, type AttachmentSink, type AttachmentWriter } from './attachments.js'
import { EdxmlError, type EdxmlErrorCode } from './errors.js'
import type { EdxmlLimits } from './limits.js'

/** One element of the message as read (attachment bodies excepted: they go to the sink). */
export interface XNode {
  readonly local: string
  readonly ns: string
  /** `/edXML/edXMLEnvelope/…/To[2]`: names the element in errors. */
  readonly path: string
  readonly line: number
  readonly attrs: Record<string, string>
  readonly children: XNode[]
  text: string
  /** Set on an attachment's `ContentTransferEncoded` once its body was decoded. */
  body?: { size: number; sha256: string }
}

/** What the streaming pass produced. */
export interface StreamResult {
  root: XNode
  quirks: string[]
  bytes: number
  /** The message text (stray bytes removed) when it carries a `Signature` and is small enough for the DOM check. */
  raw?: string
  /** Why `raw` was not kept although a `Signature` was seen. */
  rawDropped?: string
}

export type EdxmlInput = Buffer | Uint8Array | AsyncIterable<Uint8Array | string>

/** Bytes handed to saxes at once: bounds what saxes accumulates between two checks. */
const PIECE = 64 * 1024
const WS_ONLY = /^[ \t\r\n]*$/
const BOM = [0xef, 0xbb, 0xbf]

type Op = { writer: AttachmentWriter; buf?: Buffer }

/** saxes keeps the text it is reading in a private field until the next markup; we drain it between pieces. */
interface SaxesInternals {
  text: string
  name: string
  state: number
}

/** saxes's "in character data" state, calibrated once rather than hard-coding a private constant. */
const SAXES_TEXT_STATE = (() => {
  const p = new SaxesParser()
  p.write('<a>x')
  return (p as unknown as SaxesInternals).state
})()

function countNewlines(s: string): number {
  let n = 0
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++
  return n
}

/**
 * The streaming pass: bytes → saxes (namespaces on, no DTD, no entity expansion beyond the five
 * predefined) → a bounded element tree, with attachment bodies base64-decoded into the sink while
 * they stream. Every cap of {@link EdxmlLimits} is checked here.
 */
export class EdxmlStream {
  private readonly parser = new SaxesParser({ xmlns: true, position: true })
  private readonly stack: XNode[] = []
  private root?: XNode
  private elements = 0
  private keptChars = 0
  private attachments = 0
  private references = 0
  private readonly ops: Op[] = []
  /** Writers opened and not yet ended: aborted when the message is refused. */
  private readonly open = new Set<AttachmentWriter>()
  private cte?: { node: XNode; decoder: Base64Decoder; writer: AttachmentWriter }
  /** Lines of attachment bodies that bypassed saxes (for error line numbers). */
  private lineOffset = 0
  private raw: string[] | null = []
  private rawChars = 0
  private rawDropped?: string
  private sawSignature = false
  private readonly quirks: string[] = []
  private bytes = 0
  private prolog: number[] | null = []
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private doctypeCarry = ''

  constructor(
    private readonly limits: EdxmlLimits,
    private readonly sink: AttachmentSink,
  ) {
    const p = this.parser
    p.on('xmldecl', (d) => {
      if (d.encoding !== undefined && !/^utf-?8$/i.test(d.encoding))
        this.fail('HUB_ERR_EDXML_INVALID', `encoding "${d.encoding.slice(0, 40)}" is not supported (UTF-8 only)`)
    })
    p.on('doctype', () => this.fail('HUB_ERR_EDXML_DTD_FORBIDDEN', 'a DOCTYPE (DTD) is not allowed in an edXML message'))
    p.on('opentagstart', (tag) => this.onOpenStart(tag.name))
    p.on('opentag', (tag) => this.onOpen(tag))
    p.on('text', (t) => this.onText(t))
    p.on('cdata', (t) => this.onText(t))
    p.on('closetag', () => this.onClose())
    p.on('error', (e) => this.fail('HUB_ERR_EDXML_MALFORMED', `not well-formed XML: ${e.message.replace(/^(?:[^:\n]*:)?\d+:\d+: /, '')}`))
  }

  /** Runs the pass over the whole input. On a refusal the open attachment writer is aborted. */
  async run(input: EdxmlInput): Promise<StreamResult> {
    try {
      for await (const chunk of toChunks(input)) {
        for (let off = 0; off < chunk.length; off += PIECE) await this.feed(chunk.subarray(off, Math.min(chunk.length, off + PIECE)))
      }
      if (this.prolog !== null) this.fail('HUB_ERR_EDXML_MALFORMED', 'no XML content')
      let tail: string
      try {
        tail = this.decoder.decode()
      } catch {
        this.fail('HUB_ERR_EDXML_MALFORMED', 'the message is not valid UTF-8')
      }
      if (tail.length > 0) this.write(tail)
      this.parser.close()
      await this.flush()
      if (this.root === undefined) this.fail('HUB_ERR_EDXML_MALFORMED', 'no root element')
      const signed = this.sawSignature && this.raw !== null
      return {
        root: this.root,
        quirks: this.quirks,
        bytes: this.bytes,
        ...(signed ? { raw: this.raw!.join('') } : {}),
        ...(this.sawSignature && this.rawDropped ? { rawDropped: this.rawDropped } : {}),
      }
    } catch (err) {
      for (const w of this.open) await w.abort(err as Error).catch(() => undefined)
      this.raw = null
      throw err
    }
  }

  private async feed(bytes: Uint8Array): Promise<void> {
    this.bytes += bytes.length
    if (this.bytes > this.limits.maxBytes) this.fail('HUB_ERR_EDXML_TOO_LARGE', `message larger than ${this.limits.maxBytes} bytes`)
    if (this.prolog !== null) {
      bytes = this.skipLeading(bytes)
      if (bytes.length === 0) return
    }
    let text: string
    try {
      text = this.decoder.decode(bytes, { stream: true })
    } catch {
      this.fail('HUB_ERR_EDXML_MALFORMED', 'the message is not valid UTF-8')
    }
    this.write(text)
    await this.flush()
  }

  /** Tolerates a BOM and a few stray bytes before the first `<` (the SDK writes four). */
  private skipLeading(bytes: Uint8Array): Uint8Array {
    const lt = bytes.indexOf(0x3c)
    const seen = this.prolog!
    const upto = lt < 0 ? bytes.length : lt
    for (let i = 0; i < upto && seen.length <= this.limits.maxLeadingBytes; i++) seen.push(bytes[i]!)
    if (seen.length > this.limits.maxLeadingBytes) this.fail('HUB_ERR_EDXML_MALFORMED', `no XML in the first ${this.limits.maxLeadingBytes} bytes`)
    if (lt < 0) return bytes.subarray(bytes.length)
    const bom = seen.length >= 3 && BOM.every((b, i) => seen[i] === b) ? 3 : 0
    if (bom) this.quirks.push('byte order mark before the XML declaration')
    if (seen.length > bom) this.quirks.push(`${seen.length - bom} stray byte(s) before the XML declaration skipped`)
    this.prolog = null
    return bytes.subarray(lt)
  }

  private write(text: string): void {
    if (this.root === undefined) {
      // Refuse a DTD as soon as it starts, before saxes reads (and holds) all of it.
      const scan = this.doctypeCarry + text
      if (scan.includes('<!DOCTYPE') || scan.includes('<!ENTITY'))
        this.fail('HUB_ERR_EDXML_DTD_FORBIDDEN', 'a DOCTYPE (DTD) is not allowed in an edXML message')
      this.doctypeCarry = scan.slice(-9)
    }
    if (this.raw !== null) {
      this.rawChars += text.length
      if (this.rawChars > this.limits.maxSignatureDomBytes) {
        this.raw = null
        this.rawDropped = `message larger than ${this.limits.maxSignatureDomBytes} bytes, the DOM signature check was skipped`
      } else this.raw.push(text)
    }
    const internals = this.parser as unknown as SaxesInternals
    // Fast path: inside an attachment body, with saxes at rest in its text state, the base64 up to
    // the next markup goes straight to the decoder (saxes scans text one character at a time).
    // Anything with '&' (a character reference) takes the normal path.
    if (this.cte && internals.state === SAXES_TEXT_STATE && internals.text === '') {
      const lt = text.indexOf('<')
      const body = lt < 0 ? text : text.slice(0, lt)
      if (!body.includes('&')) {
        this.lineOffset += countNewlines(body)
        this.onBody(body)
        text = lt < 0 ? '' : text.slice(lt)
      }
    }
    if (text.length > 0) this.parser.write(text)
    if (this.cte && internals.state === SAXES_TEXT_STATE) {
      // An attachment body arrives as one text run: decode it piece by piece instead of letting saxes hold it
      // (only in the text state: in a comment or a character reference, `text` holds something else).
      const pending = internals.text
      if (pending.length > 0) {
        internals.text = ''
        this.onBody(pending)
      }
    } else if (internals.text.length > this.limits.maxTextChars || internals.name.length > this.limits.maxTextChars) {
      this.fail('HUB_ERR_EDXML_TOO_LARGE', `text, name or attribute longer than ${this.limits.maxTextChars} characters`)
    }
  }

  private async flush(): Promise<void> {
    while (this.ops.length > 0) {
      const op = this.ops.shift()!
      if (op.buf) await op.writer.write(op.buf)
      else {
        await op.writer.end()
        this.open.delete(op.writer)
      }
    }
  }

  private onOpenStart(name: string): void {
    if (++this.elements > this.limits.maxElements) this.fail('HUB_ERR_EDXML_TOO_MANY_ELEMENTS', `more than ${this.limits.maxElements} elements`)
    if (this.stack.length + 1 > this.limits.maxDepth)
      this.fail('HUB_ERR_EDXML_TOO_DEEP', `elements nested deeper than ${this.limits.maxDepth} (at <${name.slice(0, 60)}>)`)
  }

  private onOpen(tag: SaxesTagNS): void {
    const parent = this.stack.at(-1)
    if (parent?.body !== undefined || (this.cte && parent === this.cte.node)) {
      this.fail('HUB_ERR_EDXML_INVALID', 'ContentTransferEncoded must hold base64 text, not elements')
    }
    const local = tag.local
    const same = parent ? parent.children.filter((c) => c.local === local).length : 0
    const path = `${parent ? parent.path : ''}/${local}${same > 0 ? `[${same + 1}]` : ''}`
    const attrs: Record<string, string> = {}
    for (const a of Object.values(tag.attributes)) if (a.prefix !== 'xmlns' && a.name !== 'xmlns') attrs[a.local] = a.value
    const node: XNode = { local, ns: tag.uri, path, line: this.parser.line + this.lineOffset, attrs, children: [], text: '' }
    if (parent) parent.children.push(node)
    else this.root = node
    this.stack.push(node)
    if (local === 'Signature') this.sawSignature = true
    if (local === 'Reference' && parent?.local === 'edXMLManifest' && ++this.references > this.limits.maxAttachments) {
      this.fail('HUB_ERR_EDXML_TOO_MANY_ATTACHMENTS', `more than ${this.limits.maxAttachments} manifest references`)
    }
    if (local === 'Attachment' && parent?.local === 'AttachmentEncoded' && ++this.attachments > this.limits.maxAttachments) {
      this.fail('HUB_ERR_EDXML_TOO_MANY_ATTACHMENTS', `more than ${this.limits.maxAttachments} attachments`)
    }
    if (local === 'ContentTransferEncoded' && parent?.local === 'Attachment') this.openBody(node, parent)
  }

  private openBody(node: XNode, attachment: XNode): void {
    const field = (name: string) => attachment.children.find((c) => c.local === name)?.text.trim()
    const writer = this.sink.open({
      index: this.attachments - 1,
      contentId: field('ContentId'),
      name: field('AttachmentName'),
      contentType: field('ContentType'),
    })
    this.open.add(writer)
    this.cte = { node, decoder: new Base64Decoder(), writer }
  }

  private onBody(text: string): void {
    const cte = this.cte!
    let buf: Buffer | null
    try {
      buf = cte.decoder.push(text)
    } catch (e) {
      this.fail('HUB_ERR_EDXML_INVALID', `attachment body is not valid base64 (${(e as Error).message})`)
    }
    if (cte.decoder.size > this.limits.maxAttachmentBytes)
      this.fail('HUB_ERR_EDXML_ATTACHMENT_TOO_LARGE', `attachment larger than ${this.limits.maxAttachmentBytes} bytes decoded`)
    if (buf) this.ops.push({ writer: cte.writer, buf })
  }

  private onText(text: string): void {
    if (this.cte && this.stack.at(-1) === this.cte.node) return this.onBody(text)
    const node = this.stack.at(-1)
    if (!node || WS_ONLY.test(text)) return
    this.keptChars += text.length
    if (this.keptChars > this.limits.maxTextChars)
      this.fail('HUB_ERR_EDXML_TOO_LARGE', `text outside attachment bodies longer than ${this.limits.maxTextChars} characters`)
    node.text += text
  }

  private onClose(): void {
    const node = this.stack.pop()
    if (!node) return
    if (this.cte && node === this.cte.node) {
      const { decoder, writer } = this.cte
      try {
        node.body = decoder.finish()
      } catch (e) {
        this.fail('HUB_ERR_EDXML_INVALID', `attachment body is not valid base64 (${(e as Error).message})`)
      }
      this.ops.push({ writer })
      this.cte = undefined
    }
    if (node.local === 'edXMLHeader' && !this.sawSignature) this.raw = null
  }

  private fail(code: EdxmlErrorCode, message: string): never {
    const at = this.stack.at(-1)?.path ?? '/'
    throw new EdxmlError(code, at, message, { line: this.parser.line + this.lineOffset })
  }
}

async function* toChunks(input: EdxmlInput): AsyncIterable<Uint8Array> {
  if (input instanceof Uint8Array) {
    yield input
    return
  }
  for await (const c of input) yield typeof c === 'string' ? Buffer.from(c) : c
}
