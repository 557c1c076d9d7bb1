import { createHash } from 'node:crypto'
import forge from 'node-forge'

import type { SignatureInvalidReason, SignatureOutcome, SignatureUntrustedReason, SignerInfo, VerifyPdfOptions } from './types.js'
export type { SignatureInvalidReason, SignatureOutcome, SignatureUntrustedReason, SignerInfo, VerifyPdfOptions } from './types.js'

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const

const DIGESTS: Readonly<Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
}

// RSASSA-PKCS1-v1_5 only: rsaEncryption and the <hash>WithRSAEncryption family.
const RSA_SIGNATURE_OIDS = new Set(['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.5', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13'])

const HEX = /^[0-9a-fA-F]*$/

// Parts of node-forge 1.x that @types/node-forge does not declare.
const forgeX = forge as unknown as {
  asn1: {
    fromDer(bytes: string, options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean }): forge.asn1.Asn1
  }
  pki: {
    RDNAttributesAsArray(name: forge.asn1.Asn1): Array<{ type: string; shortName?: string; value: unknown; valueTagClass?: number }>
    certificateError: { unknown_ca: string; certificate_expired: string }
  }
}

class Outcome extends Error {
  constructor(readonly outcome: SignatureOutcome) {
    super(outcome.reason ?? outcome.status)
  }
}

function fail(reason: SignatureInvalidReason, extra: Partial<SignatureOutcome> = {}): never {
  throw new Outcome({ ...extra, status: 'invalid', reason })
}

const UTF8_STRING = 12
const BMP_STRING = 30

/** forge keeps name values as raw bytes: decode UTF8String and BMPString so Vietnamese names read right. */
function nameValue(attr: { value?: unknown; valueTagClass?: number }): string {
  const raw = String(attr.value ?? '')
  if (attr.valueTagClass === UTF8_STRING) return Buffer.from(raw, 'binary').toString('utf8')
  if (attr.valueTagClass === BMP_STRING) return Buffer.from(raw, 'binary').swap16().toString('utf16le')
  return raw
}

function formatAttributes(attrs: ReadonlyArray<{ type?: string; shortName?: string; value?: unknown; valueTagClass?: number }>): string {
  return attrs.map((a) => `${a.shortName ?? a.type ?? '?'}=${nameValue(a)}`).join(', ')
}

export function formatName(name: forge.pki.Certificate['subject']): string {
  return formatAttributes(name.attributes as Parameters<typeof formatAttributes>[0])
}

function signerInfo(cert: forge.pki.Certificate): SignerInfo {
  return {
    subject: formatName(cert.subject),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: cert.validity.notBefore.toISOString(),
    notAfter: cert.validity.notAfter.toISOString(),
  }
}

function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=.)/, '')
}

interface ByteRangeHole {
  readonly ranges: readonly [Buffer, Buffer]
  readonly contentsHex: string
}

/** Locates the last signature's `/ByteRange` and checks that it covers the whole file but the `/Contents` string. */
function readByteRange(pdf: Buffer): ByteRangeHole | null {
  const at = pdf.lastIndexOf('/ByteRange')
  if (at < 0) return null
  const m = /^\/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]/.exec(pdf.subarray(at, at + 120).toString('latin1'))
  if (!m) fail('byte_range_invalid')
  const [a, b, c, d] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]
  // The first range starts the file, the second ends it; the /ByteRange entry itself must be signed
  // (signers write /Contents before or after it, so only "not inside the hole" is required).
  if (a !== 0 || c < b + 2 || c + d !== pdf.length || (at >= b && at < c)) fail('byte_range_invalid')
  if (pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e) fail('byte_range_invalid')
  const before = pdf.subarray(Math.max(0, b - 20), b).toString('latin1')
  if (!/\/Contents\s*$/.test(before)) fail('byte_range_invalid')
  const contentsHex = pdf.subarray(b + 1, c - 1).toString('latin1')
  if (contentsHex.length % 2 !== 0 || !HEX.test(contentsHex)) fail('byte_range_invalid')
  return { ranges: [pdf.subarray(0, b), pdf.subarray(c, c + d)], contentsHex }
}

interface ParsedSignerInfo {
  readonly serialHex: string
  readonly issuer: string | null
  readonly digestOid: string
  readonly signedAttrs: forge.asn1.Asn1[] | null
  readonly signatureOid: string
  readonly signature: string
}

function asn1Children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  if (!node || !Array.isArray(node.value)) fail('malformed_signature')
  return node.value
}

function asn1Bytes(node: forge.asn1.Asn1 | undefined): string {
  if (!node || typeof node.value !== 'string') fail('malformed_signature')
  return node.value
}

function oidOf(node: forge.asn1.Asn1 | undefined): string {
  if (!node || node.type !== forge.asn1.Type.OID) fail('malformed_signature')
  return forge.asn1.derToOid(asn1Bytes(node))
}

/** SignerInfo (RFC 5652 §5.3), read by hand: forge parses the outer message but not its signers. */
function parseSignerInfo(node: forge.asn1.Asn1): ParsedSignerInfo {
  const parts = asn1Children(node)
  let i = 1 // skip version
  const sid = parts[i++]
  let serialHex = ''
  let issuer: string | null = null
  if (sid && sid.tagClass === forge.asn1.Class.UNIVERSAL && sid.type === forge.asn1.Type.SEQUENCE) {
    const [issuerNode, serialNode] = asn1Children(sid)
    if (!issuerNode) fail('malformed_signature')
    issuer = formatAttributes(forgeX.pki.RDNAttributesAsArray(issuerNode))
    serialHex = forge.util.bytesToHex(asn1Bytes(serialNode))
  } else {
    // subjectKeyIdentifier sid (version 3): matched by key id below
    serialHex = forge.util.bytesToHex(asn1Bytes(sid))
  }
  const digestOid = oidOf(asn1Children(parts[i++])[0])
  let signedAttrs: forge.asn1.Asn1[] | null = null
  const maybeAttrs = parts[i]
  if (maybeAttrs && maybeAttrs.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && maybeAttrs.type === 0) {
    signedAttrs = asn1Children(maybeAttrs)
    i++
  }
  const signatureOid = oidOf(asn1Children(parts[i++])[0])
  const signature = asn1Bytes(parts[i])
  return { serialHex, issuer, digestOid, signedAttrs, signatureOid, signature }
}

/** The encapsulated content (`eContent`), if the CMS is not detached; a constructed OCTET STRING is joined. */
function encapsulatedContent(wrapper: forge.asn1.Asn1 | undefined): Buffer | null {
  if (!wrapper) return null
  const octets = asn1Children(wrapper)[0]
  if (!octets) return null
  if (typeof octets.value === 'string') return Buffer.from(octets.value, 'binary')
  return Buffer.concat(asn1Children(octets).map((chunk) => Buffer.from(asn1Bytes(chunk), 'binary')))
}

function attributeValue(attrs: forge.asn1.Asn1[], oid: string): forge.asn1.Asn1 | undefined {
  for (const attr of attrs) {
    const [type, values] = asn1Children(attr)
    if (oidOf(type) === oid) {
      const first = asn1Children(values)[0]
      if (!first) fail('malformed_signature')
      return first
    }
  }
  return undefined
}

function readSigningTime(node: forge.asn1.Asn1 | undefined): Date | undefined {
  if (!node) return undefined
  const text = asn1Bytes(node)
  const date =
    node.type === forge.asn1.Type.UTCTIME
      ? forge.asn1.utcTimeToDate(text)
      : node.type === forge.asn1.Type.GENERALIZEDTIME
        ? forge.asn1.generalizedTimeToDate(text)
        : fail('malformed_signature')
  if (Number.isNaN(date.getTime())) fail('malformed_signature')
  return date
}

function findSignerCertificate(certs: forge.pki.Certificate[], info: ParsedSignerInfo): forge.pki.Certificate {
  const serial = normalizeSerial(info.serialHex)
  const found = certs.find((cert) => {
    if (info.issuer === null) {
      const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null
      return ski?.subjectKeyIdentifier?.toLowerCase() === info.serialHex.toLowerCase()
    }
    return normalizeSerial(cert.serialNumber) === serial && formatName(cert.issuer) === info.issuer
  })
  if (!found) fail('malformed_signature')
  return found
}

/** Orders the signer and the CMS certificates into a chain, signer first, following issuer links. */
function buildChain(signer: forge.pki.Certificate, pool: forge.pki.Certificate[]): forge.pki.Certificate[] {
  const chain = [signer]
  let current = signer
  while (chain.length < 10 && !current.isIssuer(current)) {
    const parent = pool.find((c) => !chain.includes(c) && c.issued(current))
    if (!parent) break
    chain.push(parent)
    current = parent
  }
  return chain
}

// Chain outcomes per trust store, keyed by the chain's certificates (signed part and signature) and, when
// the check date falls outside the window where every certificate is valid, by the date too.
// Verifying a chain costs several RSA operations in JavaScript; a warehouse sees few distinct chains.
const chainCache = new WeakMap<forge.pki.CAStore, Map<string, string | null>>()
const CHAIN_CACHE_MAX = 10_000

function verifyChainCached(store: forge.pki.CAStore, chain: forge.pki.Certificate[], at: Date): string | null {
  let cache = chainCache.get(store)
  if (!cache) chainCache.set(store, (cache = new Map()))
  const notBefore = Math.max(...chain.map((c) => c.validity.notBefore.getTime()))
  const notAfter = Math.min(...chain.map((c) => c.validity.notAfter.getTime()))
  const t = at.getTime()
  const fingerprint = createHash('sha256')
  // The whole signed part and the signature: a certificate with a borrowed signature cannot hit the cache.
  for (const c of chain)
    fingerprint
      .update(forge.asn1.toDer(c.tbsCertificate).getBytes(), 'binary')
      .update(c.signature as string, 'binary')
      .update('|')
  const key = `${fingerprint.digest('hex')}|${t >= notBefore && t <= notAfter ? 'in' : t}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  let code: string | null = null
  try {
    forge.pki.verifyCertificateChain(store, chain, { validityCheckDate: at })
  } catch (err) {
    code = (err as { error?: string } | null)?.error ?? 'chain_invalid'
  }
  if (cache.size >= CHAIN_CACHE_MAX) cache.clear()
  cache.set(key, code)
  return code
}

/** Parses trust anchors once; reuse the result when verifying many files. */
export function createTrustStore(trustAnchorsPem: readonly string[]): forge.pki.CAStore {
  // A bad anchor is a configuration error, not hostile input: let it throw.
  return forge.pki.createCaStore(trustAnchorsPem.map((pem) => forge.pki.certificateFromPem(pem)))
}

function verify(pdf: Buffer, store: forge.pki.CAStore, now: Date, sink?: VerifyDetails): SignatureOutcome {
  if (pdf.length < 8 || pdf.subarray(0, 1024).indexOf('%PDF-') < 0) fail('not_a_pdf')
  const hole = readByteRange(pdf)
  if (!hole) return { status: 'unsigned' }

  let msg: ReturnType<typeof forge.pkcs7.messageFromAsn1>
  try {
    const der = forge.util.hexToBytes(hole.contentsHex)
    const asn1 = forgeX.asn1.fromDer(der, { strict: true, parseAllBytes: false, decodeBitStrings: true })
    msg = forge.pkcs7.messageFromAsn1(asn1)
  } catch (err) {
    // forge only reads RSA certificates: anything else is a supported-algorithm problem, not garbage
    if (err instanceof Error && /OID is not RSA/.test(err.message)) fail('unsupported_algorithm')
    fail('malformed_signature')
  }
  if ((msg as unknown as { type?: string }).type !== OID.signedData || !('certificates' in msg)) fail('malformed_signature')
  const capture = (msg as { rawCapture?: { signerInfos?: unknown; content?: forge.asn1.Asn1 } }).rawCapture
  const infos = capture?.signerInfos
  if (!Array.isArray(infos) || infos.length !== 1) fail('malformed_signature')
  const info = parseSignerInfo(infos[0] as forge.asn1.Asn1)
  const certs = msg.certificates
  const cert = findSignerCertificate(certs, info)
  const signer = signerInfo(cert)
  if (sink) sink.chain = [cert]

  const digestAlgorithm = DIGESTS[info.digestOid]
  if (!digestAlgorithm || !RSA_SIGNATURE_OIDS.has(info.signatureOid)) fail('unsupported_algorithm', { signer })
  const hash = (data: Buffer): Buffer => createHash(digestAlgorithm).update(data).digest()
  let signedContent: Buffer = Buffer.concat([hole.ranges[0], hole.ranges[1]])
  const inner = encapsulatedContent(capture?.content)
  if (inner) {
    // adbe.pkcs7.sha1: the CMS signs an encapsulated SHA-1 of the byte ranges instead of the ranges themselves.
    if (!inner.equals(createHash('sha1').update(signedContent).digest())) fail('digest_mismatch', { signer, digestAlgorithm })
    signedContent = inner
  }
  const contentDigest = hash(signedContent)

  let signingTime: Date | undefined
  let signedDigest = contentDigest
  if (info.signedAttrs) {
    if (oidOf(attributeValue(info.signedAttrs, OID.contentType)) !== OID.data) fail('malformed_signature', { signer })
    const messageDigest = attributeValue(info.signedAttrs, OID.messageDigest)
    if (!messageDigest) fail('malformed_signature', { signer })
    signingTime = readSigningTime(attributeValue(info.signedAttrs, OID.signingTime))
    const base = { signer, digestAlgorithm, ...(signingTime ? { signingTime: signingTime.toISOString() } : {}) }
    if (!Buffer.from(asn1Bytes(messageDigest), 'binary').equals(contentDigest)) fail('digest_mismatch', base)
    // The signature covers the DER of the attributes as a SET OF (tag 0x31), not the [0] IMPLICIT form.
    const set = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, info.signedAttrs)
    signedDigest = hash(Buffer.from(forge.asn1.toDer(set).getBytes(), 'binary'))
  }
  const base = { signer, digestAlgorithm, ...(signingTime ? { signingTime: signingTime.toISOString() } : {}) }

  let good = false
  try {
    // forge checks the PKCS#1 v1.5 padding and compares the DigestInfo's digest
    good = (cert.publicKey as forge.pki.rsa.PublicKey).verify(signedDigest.toString('binary'), info.signature)
  } catch {
    good = false
  }
  if (!good) fail('bad_signature', base)

  const at = signingTime ?? now
  if (at.getTime() > cert.validity.notAfter.getTime()) fail('signer_expired_at_signing', base)
  if (at.getTime() < cert.validity.notBefore.getTime()) fail('signer_not_yet_valid_at_signing', base)

  const chain = buildChain(cert, certs)
  if (sink) {
    const last = chain[chain.length - 1]!
    const found = (store as unknown as { getIssuer(c: forge.pki.Certificate): forge.pki.Certificate | forge.pki.Certificate[] | null }).getIssuer(last)
    const anchor = last.isIssuer(last) ? undefined : (Array.isArray(found) ? found : found ? [found] : []).find((a) => a.issued(last))
    sink.chain = anchor ? [...chain, anchor] : chain
  }
  const code = verifyChainCached(store, chain, at)
  if (code !== null) {
    const reason: SignatureUntrustedReason =
      code === forgeX.pki.certificateError.unknown_ca
        ? 'unknown_issuer'
        : code === forgeX.pki.certificateError.certificate_expired
          ? 'issuer_not_valid_at_signing'
          : 'chain_invalid'
    return { status: 'untrusted', reason, ...base }
  }
  return { status: 'valid', ...base }
}

/** What a verification saw besides its outcome: the signer's chain, signer first (ending at the anchor when found). */
export interface VerifyDetails {
  chain?: forge.pki.Certificate[]
}

/** A reusable verifier bound to parsed trust anchors. */
export type PdfSignatureVerifier = (pdf: Buffer, now?: Date) => SignatureOutcome

/** Like {@link PdfSignatureVerifier}, filling `details` with the chain for revocation and evidence. */
export type DetailedPdfVerifier = (pdf: Buffer, details: VerifyDetails, now?: Date) => SignatureOutcome

/** Builds a detailed verifier with the trust anchors parsed once (throws if an anchor PEM is invalid). */
export function createDetailedPdfVerifier(trustAnchorsPem: readonly string[]): DetailedPdfVerifier {
  const store = createTrustStore(trustAnchorsPem)
  return (pdf, details, now) => verifyWithStore(pdf, store, now ?? new Date(), details)
}

/** Builds a verifier with the trust anchors parsed once (throws if an anchor PEM is invalid). */
export function createPdfSignatureVerifier(trustAnchorsPem: readonly string[]): PdfSignatureVerifier {
  const store = createTrustStore(trustAnchorsPem)
  return (pdf, now) => verifyWithStore(pdf, store, now ?? new Date())
}

function verifyWithStore(pdf: Buffer, store: forge.pki.CAStore, now: Date, sink?: VerifyDetails): SignatureOutcome {
  try {
    return verify(pdf, store, now, sink)
  } catch (err) {
    if (err instanceof Outcome) return err.outcome
    // Hostile input must never crash ingestion.
    return { status: 'invalid', reason: 'malformed_signature' }
  }
}

/**
 * Verifies the last (outermost) signature of a PDF: `/ByteRange` coverage, the digest of the
 * signed bytes against the CMS `messageDigest`, the RSA signature over the signed attributes,
 * the signer certificate's validity at the signing time, and the chain to a trust anchor.
 * Never throws on any `pdf` bytes; throws only if a trust anchor PEM is invalid.
 */
export function verifyPdfSignature(pdf: Buffer, opts: VerifyPdfOptions): SignatureOutcome {
  return verifyWithStore(pdf, createTrustStore(opts.trustAnchorsPem), opts.now ?? new Date())
}
