import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'

/**
 * Pure parsing and checking of revocation data (RFC 5280 CRLs, RFC 6960 OCSP) with pkijs:
 * no I/O here. Signatures are checked with node:crypto over the DER the CA signed.
 */

const OID = {
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  extKeyUsage: '2.5.29.37',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
} as const

const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
}

/** RFC 5280 §5.3.1 CRLReason names. */
export const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const

export class RevocationDataError extends Error {}

const view = (b: Uint8Array | Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength)
export const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex')
/** An INTEGER's bytes as lower-case hex without leading zero bytes (certificate serials). */
export const serialHex = (i: asn1js.Integer) => hex(i.valueBlock.valueHexView).replace(/^(00)+(?=.)/, '')

export function parseCertificate(der: Uint8Array | Buffer): pkijs.Certificate {
  return pkijs.Certificate.fromBER(view(der))
}

/** The http(s) URLs of a certificate's OCSP responders (AIA) and CRL distribution points. */
export function revocationPointers(cert: pkijs.Certificate): { ocsp: string[]; crl: string[] } {
  const ocsp: string[] = []
  const crl: string[] = []
  for (const ext of cert.extensions ?? []) {
    if (ext.extnID === OID.authorityInfoAccess && ext.parsedValue instanceof pkijs.InfoAccess) {
      for (const d of ext.parsedValue.accessDescriptions)
        if (d.accessMethod === OID.ocsp && d.accessLocation.type === 6) ocsp.push(String(d.accessLocation.value))
    } else if (ext.extnID === OID.crlDistributionPoints && ext.parsedValue instanceof pkijs.CRLDistributionPoints) {
      for (const p of ext.parsedValue.distributionPoints) {
        const names = Array.isArray(p.distributionPoint) ? p.distributionPoint : []
        for (const n of names) if (n.type === 6) crl.push(String(n.value))
      }
    }
  }
  const web = (u: string) => /^https?:\/\/[^\s]{1,2000}$/i.test(u)
  return { ocsp: ocsp.filter(web).slice(0, 4), crl: crl.filter(web).slice(0, 4) }
}

function checkSigned(signer: pkijs.Certificate, tbs: Uint8Array, algorithmOid: string, signature: Uint8Array): boolean {
  const hash = SIGNATURE_HASH[algorithmOid]
  if (!hash) return false
  try {
    const key = createPublicKey({ key: Buffer.from(signer.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' })
    return verifySignature(hash, tbs, key, signature)
  } catch {
    return false
  }
}

/** True when `cert` was signed by `issuer`'s key and names it as issuer. */
export function issuedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  return (
    cert.issuer.isEqual(issuer.subject) && checkSigned(issuer, cert.tbsView, cert.signatureAlgorithm.algorithmId, cert.signatureValue.valueBlock.valueHexView)
  )
}

export interface RevocationEntry {
  readonly at: Date
  readonly reason?: string
}

export interface ParsedCrl {
  readonly thisUpdate: Date
  readonly nextUpdate?: Date
  readonly number?: string
  readonly sha256: string
  /** Revoked serials (lower-case hex). */
  readonly revoked: ReadonlyMap<string, RevocationEntry>
}

function reasonOf(extensions: pkijs.Extension[] | undefined): string | undefined {
  const ext = extensions?.find((e) => e.extnID === OID.crlReason)
  if (!ext) return undefined
  const parsed = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView)
  const code = parsed.result instanceof asn1js.Enumerated ? parsed.result.valueBlock.valueDec : -1
  return CRL_REASONS[code] ?? 'unspecified'
}

/** Parses a DER CRL and checks it was issued and signed by `issuer`. */
export function readCrl(der: Buffer, issuer: pkijs.Certificate): ParsedCrl {
  let crl: pkijs.CertificateRevocationList
  try {
    crl = pkijs.CertificateRevocationList.fromBER(view(der))
  } catch (e) {
    throw new RevocationDataError(`CRL cannot be parsed (${(e as Error).message.slice(0, 100)})`)
  }
  if (!crl.issuer.isEqual(issuer.subject)) throw new RevocationDataError('CRL is not issued by the signer certificate issuer')
  if (!checkSigned(issuer, crl.tbsView, crl.signature.algorithmId, crl.signatureValue.valueBlock.valueHexView))
    throw new RevocationDataError('CRL signature does not verify with the issuer key')
  const revoked = new Map<string, RevocationEntry>()
  for (const r of crl.revokedCertificates ?? []) {
    const reason = reasonOf(r.crlEntryExtensions?.extensions)
    revoked.set(serialHex(r.userCertificate), { at: r.revocationDate.value, ...(reason ? { reason } : {}) })
  }
  const numberExt = crl.crlExtensions?.extensions.find((e) => e.extnID === OID.crlNumber)
  const parsedNumber = numberExt ? asn1js.fromBER(numberExt.extnValue.valueBlock.valueHexView).result : undefined
  const number = parsedNumber instanceof asn1js.Integer ? BigInt(`0x${hex(parsedNumber.valueBlock.valueHexView) || '0'}`).toString() : undefined
  return {
    thisUpdate: crl.thisUpdate.value,
    ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.value } : {}),
    ...(number !== undefined ? { number } : {}),
    sha256: createHash('sha256').update(der).digest('hex'),
    revoked,
  }
}

export interface OcspQuery {
  readonly der: Buffer
  readonly certId: pkijs.CertID
  readonly nonce: Buffer
}

/** An OCSP request (RFC 6960 §4.1) for one certificate, SHA-1 CertID (RFC 5019), with a nonce (RFC 8954). */
export async function buildOcspRequest(cert: pkijs.Certificate, issuer: pkijs.Certificate, nonce: Buffer): Promise<OcspQuery> {
  const req = new pkijs.OCSPRequest()
  await req.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer })
  req.tbsRequest.requestExtensions = [
    new pkijs.Extension({ extnID: OID.ocspNonce, critical: false, extnValue: new asn1js.OctetString({ valueHex: view(nonce) }).toBER(false) }),
  ]
  return { der: Buffer.from(req.toSchema(true).toBER(false)), certId: req.tbsRequest.requestList[0]!.reqCert, nonce }
}

export interface OcspAnswer {
  readonly status: 'good' | 'revoked' | 'unknown'
  readonly producedAt: Date
  readonly thisUpdate: Date
  readonly nextUpdate?: Date
  readonly revokedAt?: Date
  readonly reason?: string
}

/**
 * Reads a DER OCSP response for `query`: response status successful, a basic response signed by
 * the issuer or by a responder certificate the issuer delegated (id-kp-OCSPSigning), a single
 * response for the queried CertID, a matching nonce when the responder echoes one.
 */
export async function readOcspResponse(der: Buffer, query: OcspQuery, issuer: pkijs.Certificate): Promise<OcspAnswer> {
  let basic: pkijs.BasicOCSPResponse
  try {
    const res = pkijs.OCSPResponse.fromBER(view(der))
    const status = res.responseStatus.valueBlock.valueDec
    if (status !== 0) throw new RevocationDataError(`OCSP responder answered status ${status}`)
    if (!res.responseBytes || res.responseBytes.responseType !== OID.ocspBasic) throw new RevocationDataError('OCSP response is not a basic response')
    basic = pkijs.BasicOCSPResponse.fromBER(view(res.responseBytes.response.valueBlock.valueHexView))
  } catch (e) {
    if (e instanceof RevocationDataError) throw e
    throw new RevocationDataError(`OCSP response cannot be parsed (${(e as Error).message.slice(0, 100)})`)
  }
  const tbs = basic.tbsResponseData
  const sig = basic.signature.valueBlock.valueHexView
  const candidates = [issuer, ...(basic.certs ?? []).filter((c) => c instanceof pkijs.Certificate && delegated(c, issuer))]
  if (!candidates.some((c) => checkSigned(c, tbs.tbsView, basic.signatureAlgorithm.algorithmId, sig)))
    throw new RevocationDataError('OCSP response signature does not verify with the issuer or a delegated responder')
  const nonce = tbs.responseExtensions?.find((e) => e.extnID === OID.ocspNonce)
  if (nonce) {
    const inner = asn1js.fromBER(nonce.extnValue.valueBlock.valueHexView).result
    const got = inner instanceof asn1js.OctetString ? Buffer.from(inner.valueBlock.valueHexView) : Buffer.alloc(0)
    if (!got.equals(query.nonce)) throw new RevocationDataError('OCSP response nonce does not match the request')
  }
  for (const single of tbs.responses) {
    if (!(await single.certID.isEqual(query.certId))) continue
    const st = single.certStatus as asn1js.BaseBlock & { idBlock: { tagNumber: number }; valueBlock: { value?: asn1js.BaseBlock[] } }
    const base = { producedAt: tbs.producedAt, thisUpdate: single.thisUpdate, ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}) }
    if (st.idBlock.tagNumber === 0) return { status: 'good', ...base }
    if (st.idBlock.tagNumber === 1) {
      const parts = st.valueBlock.value ?? []
      const time = parts[0] instanceof asn1js.GeneralizedTime ? parts[0].toDate() : undefined
      if (!time) throw new RevocationDataError('OCSP revoked status without a revocation time')
      const reasonBlock = parts[1] as (asn1js.BaseBlock & { valueBlock: { value?: asn1js.BaseBlock[] } }) | undefined
      const code = reasonBlock?.valueBlock.value?.[0] instanceof asn1js.Enumerated ? reasonBlock.valueBlock.value[0].valueBlock.valueDec : undefined
      return { status: 'revoked', ...base, revokedAt: time, ...(code !== undefined ? { reason: CRL_REASONS[code] ?? 'unspecified' } : {}) }
    }
    return { status: 'unknown', ...base }
  }
  throw new RevocationDataError('OCSP response does not cover the queried certificate')
}

function delegated(responder: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  const eku = responder.extensions?.find((e) => e.extnID === OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined
  return !!eku?.keyPurposes.includes(OID.ocspSigning) && issuedBy(responder, issuer)
}
