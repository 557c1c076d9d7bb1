import { createHash, type Hash } from 'node:crypto'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import type { BlobStore } from '../documents/blob-store/index.js'

/** What the parser knows of an attachment when its body starts. */
export interface AttachmentMeta {
  /** 0-based position in `AttachmentEncoded`. */
  readonly index: number
  readonly contentId?: string
  readonly name?: string
  readonly contentType?: string
}

/** Receives one attachment's decoded bytes, in order. */
export interface AttachmentWriter {
  /** Resolves when the sink can take more (backpressure). */
  write(chunk: Buffer): Promise<void>
  /** Every byte was written; resolves once they are durably stored. */
  end(): Promise<void>
  /** The message was refused midway: drop what was written. */
  abort(reason: Error): Promise<void>
}

/**
 * Where decoded attachment bodies go while the message streams through the parser (the blob
 * store in the hub). The parser hashes and counts the bytes itself; a sink only stores them.
 */
export interface AttachmentSink {
  open(meta: AttachmentMeta): AttachmentWriter
}

/** Stores nothing (the parser still reports size and SHA-256): the CLI and validation-only parses. */
export const discardSink: AttachmentSink = {
  open: () => ({ write: async () => undefined, end: async () => undefined, abort: async () => undefined }),
}

/**
 * Streams each attachment into the content-addressed blob store; the blob's address is the
 * SHA-256 the parser reports for the attachment. Nothing is buffered beyond the stream's window.
 */
export function blobStoreSink(store: BlobStore): AttachmentSink {
  return {
    open() {
      const pass = new PassThrough({ highWaterMark: 256 * 1024 })
      // The store attaches its own listeners only after an await: never let an error go unheard.
      pass.on('error', () => undefined)
      const stored = store.put(pass)
      let failed: unknown
      stored.catch((err: unknown) => {
        failed = err ?? new Error('blob store failed')
      })
      return {
        async write(chunk) {
          if (failed !== undefined) throw failed
          if (!pass.write(chunk)) await Promise.race([once(pass, 'drain'), stored.then(() => undefined)])
          if (failed !== undefined) throw failed
        },
        async end() {
          pass.end()
          await stored
        },
        async abort() {
          pass.destroy()
          await stored.catch(() => undefined)
        },
      }
    },
  }
}

/** Keeps bodies in memory by content id (tests, round trips of small messages). */
export class MemorySink implements AttachmentSink {
  readonly bodies = new Map<number, Buffer>()
  open(meta: AttachmentMeta): AttachmentWriter {
    const parts: Buffer[] = []
    return {
      write: async (chunk) => void parts.push(Buffer.from(chunk)),
      end: async () => void this.bodies.set(meta.index, Buffer.concat(parts)),
      abort: async () => undefined,
    }
  }
}

const B64_CHARS = /^[A-Za-z0-9+/=]*$/
const PAD_TAIL = /^=+$/
const XML_WS = /[ \t\r\n]+/g

/**
 * Streaming base64 decoder with SHA-256 and size of the decoded bytes. Whitespace anywhere is
 * ignored (wrapped lines, CRLF); any other non-alphabet character, or data after padding, is an error.
 */
export class Base64Decoder {
  private rest = ''
  private done = false
  private readonly hash: Hash = createHash('sha256')
  size = 0

  /** Decodes what can be; returns `null` when nothing complete yet. Throws `Error` on bad base64. */
  push(text: string): Buffer | null {
    const s = text.replace(XML_WS, '')
    if (s.length === 0) return null
    if (this.done) throw new Error('base64 data after padding')
    if (!B64_CHARS.test(s)) throw new Error('invalid base64 character')
    const all = this.rest + s
    const eq = all.indexOf('=')
    let whole: number
    if (eq < 0) whole = all.length - (all.length % 4)
    else {
      // Padding closes the last quantum: "xx==" or "xxx=", possibly split across pushes.
      const tail = all.slice(eq)
      if (eq % 4 < 2 || !PAD_TAIL.test(tail) || eq + tail.length > eq - (eq % 4) + 4) throw new Error('base64 padding in the middle of the data')
      whole = (eq + tail.length) % 4 === 0 ? all.length : eq - (eq % 4)
      if (whole === all.length) this.done = true
    }
    this.rest = all.slice(whole)
    if (whole === 0) return null
    return this.emit(Buffer.from(all.slice(0, whole), 'base64'))
  }

  /** End of the body: returns the decoded size and SHA-256. */
  finish(): { size: number; sha256: string } {
    if (this.rest.length > 0) throw new Error('base64 length is not a multiple of 4')
    return { size: this.size, sha256: this.hash.digest('hex') }
  }

  private emit(buf: Buffer): Buffer {
    this.size += buf.length
    this.hash.update(buf)
    return buf
  }
}
