/** Caps of the edXML parser. Every cap refuses the message with a `HUB_ERR_EDXML_*` error naming the element. */
export interface EdxmlLimits {
  /** Whole message, bytes as received (default 64 MiB). */
  readonly maxBytes: number
  /** Element nesting depth (default 64; real messages nest 7 deep). */
  readonly maxDepth: number
  /** Elements in the whole message (default 20,000). */
  readonly maxElements: number
  /** Attachments (`AttachmentEncoded/Attachment`) and manifest references, each (default 200). */
  readonly maxAttachments: number
  /** One attachment, decoded bytes (default 48 MiB). */
  readonly maxAttachmentBytes: number
  /** Text of any element other than an attachment body, or of an attribute, comment or name (characters, default 256 Ki). */
  readonly maxTextChars: number
  /** Stray bytes tolerated before the XML declaration (real SDK output carries four; default 64). */
  readonly maxLeadingBytes: number
  /**
   * Largest message whose signature is checked on a DOM (the enveloped signature covers the whole
   * message, attachments included, so the DOM holds them as text). Above it the signature is
   * reported `unverifiable` with that reason (default 8 MiB: the DOM check peaks at about 8× the
   * message size in memory, measured 119 MB for a 15.6 MB signed message).
   */
  readonly maxSignatureDomBytes: number
}

export const DEFAULT_EDXML_LIMITS: EdxmlLimits = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 20_000,
  maxAttachments: 200,
  maxAttachmentBytes: 48 * 1024 * 1024,
  maxTextChars: 256 * 1024,
  maxLeadingBytes: 64,
  maxSignatureDomBytes: 8 * 1024 * 1024,
})

export function resolveLimits(partial: Partial<EdxmlLimits> = {}): EdxmlLimits {
  const out = { ...DEFAULT_EDXML_LIMITS, ...partial }
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`edXML limit ${k} must be a non-negative integer`)
  }
  return out
}
