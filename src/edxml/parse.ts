import { discardSink, type AttachmentSink } from './attachments.js'
import { resolveLimits, type EdxmlLimits } from './limits.js'
import type { ParsedEdxml, SignatureCheck } from './model.js'
import { readMessage } from './read.js'
import { checkSignature } from './signature.js'
import { EdxmlStream, type EdxmlInput } from './stream.js'

export interface ParseEdxmlOptions {
  /** Caps (defaults: {@link DEFAULT_EDXML_LIMITS}). */
  readonly limits?: Partial<EdxmlLimits>
  /** Where attachment bodies go while decoded (default: nowhere, only size and SHA-256 are computed). */
  readonly sink?: AttachmentSink
  /** Check the XML-DSig signature (default true). */
  readonly verifySignature?: boolean
}

/**
 * Parses an edXML message (document or status) from a Buffer or a stream.
 *
 * Accepts what real senders produce: `edXML:`-prefixed or default-namespace elements, a BOM and
 * a few stray bytes before the declaration, CRLF, tabs and spaces, children in any order.
 * Refuses with an {@link EdxmlError} (code `HUB_ERR_EDXML_*`, `element` = path of the element at
 * fault) anything malformed, any DTD, anything over a cap, and any element QCVN 102 does not
 * allow where it stands. Attachments are base64-decoded while they stream into `sink`; the
 * model reports their decoded size and SHA-256. An unverifiable signature does not refuse the
 * message: it is reported in `signature`.
 */
export async function parseEdxml(input: EdxmlInput, options: ParseEdxmlOptions = {}): Promise<ParsedEdxml> {
  const limits = resolveLimits(options.limits)
  const stream = await new EdxmlStream(limits, options.sink ?? discardSink).run(input)
  const { message, signature } = readMessage(stream.root)
  const check: SignatureCheck =
    options.verifySignature === false && signature
      ? { status: 'unverifiable', reason: 'signature check disabled' }
      : checkSignature(signature, stream.raw, stream.rawDropped)
  return { message, signature: check, quirks: stream.quirks, bytes: stream.bytes }
}
