import { constants, createHash, privateEncrypt, type KeyObject } from 'node:crypto'
import forge from 'node-forge'
import { xrefEntry } from './pdf.js'
import type { TestSigner } from './test-pki.js'

/** Options of {@link signPdf}. */
export interface SignPdfOptions {
  /** Claimed signing time, written to the CMS `signingTime` attribute and the `/M` entry. */
  readonly signingTime: Date
  /** Bytes reserved for the DER signature in `/Contents` (default 8192). */
  readonly reserveBytes?: number
  /** `/Reason` of the signature dictionary. */
  readonly reason?: string
  /** Write `/Contents` before `/ByteRange` (as PDFBox does) instead of after (as Acrobat and iText do). */
  readonly contentsFirst?: boolean
  /**
   * `adbe.pkcs7.detached` (default): the CMS signs the byte ranges. `adbe.pkcs7.sha1` (legacy): the CMS
   * encapsulates the SHA-1 of the byte ranges and signs that.
   */
  readonly subFilter?: 'adbe.pkcs7.detached' | 'adbe.pkcs7.sha1'
  /** Digest of a detached signature (default sha256; sha1 as older government signers still write). */
  readonly digest?: Digest
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 /********** /********** /**********]'
const OID = {
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const

type Digest = 'sha1' | 'sha256'
const DIGEST_OID: Record<Digest, string> = { sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1' }
// DigestInfo prefixes (RFC 8017 §9.2 note 1): the native RSA primitive signs DigestInfo bytes.
const DIGEST_INFO_PREFIX: Record<Digest, Buffer> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
}

interface Ref {
  readonly num: number
  readonly gen: number
}

/** Finds the `<< … >>` dictionary starting at `start`, skipping strings; returns its end offset (exclusive). */
function dictEnd(s: string, start: number): number {
  if (!s.startsWith('<<', start)) throw new Error('signPdf: dictionary expected')
  let depth = 0
  let i = start
  while (i < s.length) {
    const ch = s[i]
    if (ch === '(') {
      // literal string: balanced parentheses, backslash escapes
      let level = 1
      i++
      while (i < s.length && level > 0) {
        if (s[i] === '\\') i++
        else if (s[i] === '(') level++
        else if (s[i] === ')') level--
        i++
      }
      continue
    }
    if (s.startsWith('<<', i)) {
      depth++
      i += 2
      continue
    }
    if (s.startsWith('>>', i)) {
      depth--
      i += 2
      if (depth === 0) return i
      continue
    }
    if (ch === '<') {
      const close = s.indexOf('>', i)
      if (close < 0) break
      i = close + 1
      continue
    }
    i++
  }
  throw new Error('signPdf: unterminated dictionary')
}

/** Returns the body (between `<<` and `>>`) of the latest revision of an indirect object. */
function objectDict(s: string, ref: Ref): string {
  const re = new RegExp(`(?:^|[\\s>])${ref.num}\\s+${ref.gen}\\s+obj\\s*`, 'g')
  let last: RegExpExecArray | null = null
  for (let m = re.exec(s); m; m = re.exec(s)) last = m
  if (!last) throw new Error(`signPdf: object ${ref.num} not found`)
  const start = last.index + last[0].length
  return s.slice(start + 2, dictEnd(s, start) - 2)
}

function refIn(dict: string, key: string): Ref | null {
  const m = new RegExp(`/${key}\\s+(\\d+)\\s+(\\d+)\\s+R`).exec(dict)
  return m ? { num: Number(m[1]), gen: Number(m[2]) } : null
}

function firstPage(s: string, pages: Ref): Ref {
  let node = pages
  for (let depth = 0; depth < 32; depth++) {
    const dict = objectDict(s, node)
    if (!/\/Type\s*\/Pages\b/.test(dict)) return node
    const kid = /\/Kids\s*\[\s*(\d+)\s+(\d+)\s+R/.exec(dict)
    if (!kid) throw new Error('signPdf: page tree without kids')
    node = { num: Number(kid[1]), gen: Number(kid[2]) }
  }
  throw new Error('signPdf: page tree too deep')
}

function pdfDate(d: Date): string {
  const iso = d.toISOString() // 2024-05-01T02:03:04.000Z
  return `D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
}

function pdfText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1')
}

/** A forge-compatible private key whose RSA operation runs natively (forge's JS RSA takes ~35 ms a signature). */
function nativeSigner(key: KeyObject, digestName: Digest): forge.pki.rsa.PrivateKey {
  const adapter = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary')
      const digestInfo = Buffer.concat([DIGEST_INFO_PREFIX[digestName], digest])
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary')
    },
  }
  return adapter as unknown as forge.pki.rsa.PrivateKey
}

/**
 * Builds a CMS SignedData (RFC 5652) over `content` the way PDF signers do (detached unless told otherwise):
 * SHA-256, signed attributes contentType, messageDigest and signingTime, signer certificate and chain included.
 */
export function createDetachedCms(
  content: Buffer,
  signer: TestSigner,
  signingTime: Date,
  { detached = true, digest = 'sha256' }: { detached?: boolean; digest?: Digest } = {},
): Buffer {
  const p7 = forge.pkcs7.createSignedData()
  p7.content = forge.util.createBuffer(content.toString('binary'))
  p7.addCertificate(signer.certificate)
  for (const cert of signer.chain) p7.addCertificate(cert)
  p7.addSigner({
    key: nativeSigner(signer.privateKey, digest),
    certificate: signer.certificate,
    digestAlgorithm: DIGEST_OID[digest],
    authenticatedAttributes: [
      { type: OID.contentType, value: OID.data },
      { type: OID.messageDigest },
      // forge parses an ISO string into UTCTime/GeneralizedTime
      { type: OID.signingTime, value: signingTime.toISOString() },
    ],
  })
  p7.sign({ detached })
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary')
}

/**
 * Signs a PDF with an incremental update (ISO 32000-1 §12.8): appends a signature dictionary
 * (`/Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached`), a signature field/widget, updated
 * catalog (`/AcroForm`) and page (`/Annots`), and a cross-reference section chained with `/Prev`.
 * The `/ByteRange` covers the whole file except the `/Contents <…>` hex string.
 *
 * Supports PDFs with a classic cross-reference table and no existing AcroForm (such as those from
 * `buildPdf`); throws on anything else, since it is sandbox tooling, not a general signer.
 */
export function signPdf(pdf: Buffer, signer: TestSigner, options: SignPdfOptions): Buffer {
  const reserve = options.reserveBytes ?? 8192
  const s = pdf.toString('latin1')
  const startxrefAt = s.lastIndexOf('startxref')
  const prevXref = /startxref\s+(\d+)/.exec(s.slice(startxrefAt))
  const trailerAt = s.lastIndexOf('trailer')
  if (startxrefAt < 0 || !prevXref || trailerAt < 0) throw new Error('signPdf: classic trailer not found')
  const dictStart = s.indexOf('<<', trailerAt)
  const trailer = s.slice(dictStart, dictEnd(s, dictStart))
  const size = /\/Size\s+(\d+)/.exec(trailer)
  const root = refIn(trailer, 'Root')
  if (!size || !root) throw new Error('signPdf: trailer lacks /Size or /Root')
  const id = /\/ID\s*\[[^\]]*\]/.exec(trailer)

  const catalog = objectDict(s, root)
  if (/\/AcroForm/.test(catalog)) throw new Error('signPdf: PDFs with an AcroForm are not supported')
  const pagesRef = refIn(catalog, 'Pages')
  if (!pagesRef) throw new Error('signPdf: catalog without /Pages')
  const page = firstPage(s, pagesRef)
  let pageDict = objectDict(s, page)

  const sigNum = Number(size[1])
  const fieldNum = sigNum + 1
  const fieldRef = `${fieldNum} 0 R`
  if (/\/Annots\s*\[/.test(pageDict)) pageDict = pageDict.replace(/\/Annots\s*\[/, `/Annots [${fieldRef} `)
  else if (/\/Annots/.test(pageDict)) throw new Error('signPdf: indirect /Annots not supported')
  else pageDict = `${pageDict} /Annots [${fieldRef}]`

  const placeholder = '0'.repeat(reserve * 2)
  const subFilter = options.subFilter ?? 'adbe.pkcs7.detached'
  const entries = [BYTE_RANGE_PLACEHOLDER, `/Contents <${placeholder}>`]
  if (options.contentsFirst) entries.reverse()
  const sigDict =
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /${subFilter} ${entries.join(' ')} ` +
    `/M (${pdfDate(options.signingTime)}) /Reason (${pdfText(options.reason ?? 'Digitised copy')}) >>`
  const objects: Array<{ ref: Ref; body: string }> = [
    { ref: root, body: `<<${catalog} /AcroForm << /Fields [${fieldRef}] /SigFlags 3 >> >>` },
    { ref: page, body: `<<${pageDict}>>` },
    { ref: { num: sigNum, gen: 0 }, body: sigDict },
    {
      ref: { num: fieldNum, gen: 0 },
      body: `<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature${fieldNum}) /V ${sigNum} 0 R /F 132 /Rect [0 0 0 0] /P ${page.num} ${page.gen} R >>`,
    },
  ].sort((a, b) => a.ref.num - b.ref.num)

  let tail = s.endsWith('\n') ? '' : '\n'
  const xref: string[] = []
  for (const obj of objects) {
    const offset = pdf.length + Buffer.byteLength(tail, 'latin1')
    xref.push(`${obj.ref.num} 1\n${xrefEntry(offset, obj.ref.gen)}`)
    tail += `${obj.ref.num} ${obj.ref.gen} obj\n${obj.body}\nendobj\n`
  }
  const xrefAt = pdf.length + Buffer.byteLength(tail, 'latin1')
  tail += `xref\n${xref.join('')}`
  tail += `trailer\n<< /Size ${fieldNum + 1} /Root ${root.num} ${root.gen} R /Prev ${prevXref[1]}${id ? ` ${id[0]}` : ''} >>\n`
  tail += `startxref\n${xrefAt}\n%%EOF\n`

  const out = Buffer.concat([pdf, Buffer.from(tail, 'latin1')])
  const contentsAt = out.indexOf(`/Contents <${placeholder}>`, pdf.length, 'latin1')
  const holeStart = contentsAt + '/Contents '.length
  const holeEnd = holeStart + placeholder.length + 2
  const ranges = `/ByteRange [0 ${holeStart} ${holeEnd} ${out.length - holeEnd}`
  const rangeAt = out.indexOf(BYTE_RANGE_PLACEHOLDER, pdf.length, 'latin1')
  out.write(ranges.padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']', rangeAt, 'latin1')

  const signed = Buffer.concat([out.subarray(0, holeStart), out.subarray(holeEnd)])
  const der =
    subFilter === 'adbe.pkcs7.sha1'
      ? // ISO 32000-1 §12.8.3.3.1: SHA-1 throughout for this legacy form
        createDetachedCms(createHash('sha1').update(signed).digest(), signer, options.signingTime, { detached: false, digest: 'sha1' })
      : createDetachedCms(signed, signer, options.signingTime, { digest: options.digest ?? 'sha256' })
  if (der.length > reserve) throw new Error(`signPdf: signature (${der.length} bytes) exceeds reserved ${reserve} bytes`)
  out.write(der.toString('hex'), holeStart + 1, 'latin1')
  return out
}

/** SHA-256 of a buffer, hex: handy for fixtures that pin a signed file's hash. */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
