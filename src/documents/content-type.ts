import { fieldError } from '../errors.js'

/**
 * What a warehouse file may be, and how it is served back. The hub stores documents, not web
 * content: only PDF, raster images and the XML documents of the national warehouse are accepted
 * (never HTML or SVG, which a browser runs as script), their first bytes must match the declared
 * type, and a download is inline only for PDF and raster images.
 */
interface MediaTypeRule {
  /** Shown inline by a browser (else `attachment`). */
  readonly inline: boolean
  /** A `charset` parameter is meaningful (text formats only). */
  readonly charset: boolean
  /** Do the first bytes fit the type? */
  readonly sniff: (bytes: Buffer) => boolean
}

const startsWith = (bytes: Buffer, ...signature: number[]) => bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b)
const ascii = (bytes: Buffer, at: number, text: string) => bytes.subarray(at, at + text.length).toString('latin1') === text

/** XML: an optional byte order mark and white space, then `<`. UTF-16 (a BOM) is taken as is. */
function looksLikeXml(bytes: Buffer): boolean {
  if (startsWith(bytes, 0xfe, 0xff) || startsWith(bytes, 0xff, 0xfe)) return true
  let i = startsWith(bytes, 0xef, 0xbb, 0xbf) ? 3 : 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++
  return bytes[i] === 0x3c
}

const RULES: Readonly<Record<string, MediaTypeRule>> = {
  'application/pdf': { inline: true, charset: false, sniff: (b) => ascii(b, 0, '%PDF-') },
  'image/png': { inline: true, charset: false, sniff: (b) => startsWith(b, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
  'image/jpeg': { inline: true, charset: false, sniff: (b) => startsWith(b, 0xff, 0xd8, 0xff) },
  // Little- and big-endian TIFF and BigTIFF.
  'image/tiff': {
    inline: true,
    charset: false,
    sniff: (b) =>
      startsWith(b, 0x49, 0x49, 0x2a, 0x00) ||
      startsWith(b, 0x4d, 0x4d, 0x00, 0x2a) ||
      startsWith(b, 0x49, 0x49, 0x2b, 0x00) ||
      startsWith(b, 0x4d, 0x4d, 0x00, 0x2b),
  },
  'image/gif': { inline: true, charset: false, sniff: (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a') },
  'image/webp': { inline: true, charset: false, sniff: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP') },
  'application/xml': { inline: false, charset: true, sniff: looksLikeXml },
  'text/xml': { inline: false, charset: true, sniff: looksLikeXml },
}

/** The accepted media types (without parameters), for documentation and messages. */
export const ALLOWED_CONTENT_TYPES: readonly string[] = Object.keys(RULES)

const FIELD = '/body/file/contentType'
// RFC 9110 tokens, bounded; single character classes only, so matching is linear.
const ESSENCE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/
const PARAM_NAME = /^[a-z0-9!#$&^_.+-]{1,40}$/

export type ParsedContentType = { ok: true; type: string; value: string; rule: MediaTypeRule } | { ok: false; reason: string }

/**
 * Parses a declared content type against the allow-list: the type lower-cased, parameters allowed
 * only where meaningful (`charset` on XML, a label the WHATWG encoding standard knows), nothing else.
 * `value` is the normalised form that is stored and served (`text/xml; charset=utf-8`).
 */
export function parseContentType(declared: string): ParsedContentType {
  if (declared.length > 200) return { ok: false, reason: 'the content type is too long' }
  const [head = '', ...params] = declared.split(';')
  const type = head.trim().toLowerCase()
  if (!ESSENCE.test(type)) return { ok: false, reason: 'the content type is not a media type' }
  const rule = Object.hasOwn(RULES, type) ? RULES[type] : undefined
  if (!rule) return { ok: false, reason: `${type} is not accepted; send one of ${ALLOWED_CONTENT_TYPES.join(', ')}` }
  let charset: string | undefined
  for (const param of params) {
    if (!param.trim()) continue
    const eq = param.indexOf('=')
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase()
    let value = eq < 0 ? '' : param.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (!PARAM_NAME.test(name) || name !== 'charset' || !rule.charset || charset !== undefined) {
      return { ok: false, reason: `the parameter "${name.slice(0, 40)}" is not accepted on ${type}` }
    }
    if (!knownCharset(value)) return { ok: false, reason: 'the charset is not a known encoding' }
    charset = value.toLowerCase()
  }
  return { ok: true, type, value: charset ? `${type}; charset=${charset}` : type, rule }
}

function knownCharset(label: string): boolean {
  if (!PARAM_NAME.test(label.toLowerCase())) return false
  try {
    new TextDecoder(label)
    return true
  } catch {
    return false
  }
}

/** Upload, step 1 (before the file is decoded): the declared type, normalised, or a 415 naming the field. */
export function acceptContentType(declared: string | undefined): string {
  const parsed = parseContentType(declared ?? 'application/pdf')
  if (!parsed.ok) throw fieldError(FIELD, parsed.reason, 'HUB_WAREHOUSE_CONTENT_TYPE', 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE')
  return parsed.value
}

/** Upload, step 2: the first bytes of the file must fit its (accepted) type, else 415. */
export function checkFileSignature(contentType: string, bytes: Buffer): void {
  const parsed = parseContentType(contentType)
  if (!parsed.ok || !parsed.rule.sniff(bytes)) {
    throw fieldError(
      FIELD,
      `the file content is not ${parsed.ok ? parsed.type : 'of an accepted type'} (its first bytes do not match)`,
      'HUB_WAREHOUSE_CONTENT_MISMATCH',
      'HUB_ERR_UNSUPPORTED_MEDIA_TYPE',
    )
  }
}

/**
 * Download policy. Scripts never run: no sniffing, `default-src 'none'`, no framing by other sites.
 * Everything but PDF is also sandboxed (a unique origin, no script). PDFs are not, because
 * Chromium refuses to start its PDF viewer in a sandboxed document and Safari fails on some
 * files; a PDF is only served when its bytes start with `%PDF-`, and its own scripts run inside
 * the viewer, not in the hub's origin.
 */
export const DOWNLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
export const DOWNLOAD_CSP_PDF = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

/** Response headers of a file download, from the stored (possibly legacy, possibly hostile) content type. */
export function downloadHeaders(storedType: string | null | undefined, fileName?: string | null): Record<string, string> {
  const parsed = storedType ? parseContentType(storedType) : undefined
  const known = parsed?.ok ? parsed : undefined
  const inline = known?.rule.inline === true
  return {
    'content-type': known ? known.value : 'application/octet-stream',
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', fileName),
    'x-content-type-options': 'nosniff',
    'content-security-policy': known?.type === 'application/pdf' ? DOWNLOAD_CSP_PDF : DOWNLOAD_CSP,
  }
}

// Controls, DEL, C1, bidi and other format characters that would spoof or break a file name.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g
// An unpaired surrogate (a legacy row) would make encodeURIComponent throw.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const COMBINING = /[\u0300-\u036f]/g
const NOT_ASCII_SAFE = /[^A-Za-z0-9 ._()-]/g
const NOT_ATTR_CHAR = /['()*]/g

/**
 * `Content-Disposition` per RFC 6266: an ASCII `filename` (Vietnamese diacritics removed, anything
 * else replaced by `_`) and, when it differs, the exact name as `filename*=UTF-8''…` (RFC 8187).
 * Neither can carry a quote, a backslash or a line break.
 */
export function contentDisposition(kind: 'inline' | 'attachment', fileName?: string | null): string {
  // The tail keeps the extension; the cut may split a surrogate pair, which the next step repairs.
  const base = (fileName ?? '').slice(-1000).replace(LONE_SURROGATE, '\ufffd').replace(UNSAFE_NAME_CHARS, '')
  const name = [...base.slice(Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\')) + 1).trim()].slice(0, 200).join('')
  if (!name) return kind
  const fallback = name.normalize('NFD').replace(COMBINING, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(NOT_ASCII_SAFE, '_')
  if (fallback === name) return `${kind}; filename="${fallback}"`
  const encoded = encodeURIComponent(name).replace(NOT_ATTR_CHAR, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
