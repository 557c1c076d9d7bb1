/** The outcome vocabulary of a PDF signature check (what is stored with each document). */

/** Why a signature is `invalid`. */
export type SignatureInvalidReason =
  /** The byte ranges' digest differs from the signed `messageDigest`: content changed after signing. */
  | 'digest_mismatch'
  /** The RSA signature over the signed attributes (or content digest) does not verify. */
  | 'bad_signature'
  /** The signer certificate had expired at the signing time. */
  | 'signer_expired_at_signing'
  /** The signer certificate was not yet valid at the signing time. */
  | 'signer_not_yet_valid_at_signing'
  /** The `/Contents` CMS cannot be parsed or lacks required parts. */
  | 'malformed_signature'
  /** `/ByteRange` is unparsable, does not cover the whole file, or its hole is not exactly the `/Contents` hex string. */
  | 'byte_range_invalid'
  /** A digest or signature algorithm this verifier does not support (e.g. ECDSA, RSASSA-PSS, MD5). */
  | 'unsupported_algorithm'
  /** The bytes are not a PDF. */
  | 'not_a_pdf'
  /** The signer certificate is revoked (CRL or OCSP of its CA): see docs/signatures.md for the signing-time rule. */
  | 'signer_revoked'
  /** SHA-1 digest or an RSA key under SIGNATURE_MIN_RSA_BITS in a signature made on or after SIGNATURE_WEAK_CUTOFF. */
  | 'weak_algorithm'

/** Why a signature is `untrusted` (cryptographically sound, but the signer cannot be tied to a trust anchor). */
export type SignatureUntrustedReason =
  /** The chain ends at a certificate that is not, and is not issued by, a trust anchor. */
  | 'unknown_issuer'
  /** An issuing CA certificate was outside its validity period at the signing time. */
  | 'issuer_not_valid_at_signing'
  /** A certificate in the chain has a bad signature or violates CA constraints. */
  | 'chain_invalid'

/** Identity of the signer, from the signer certificate. */
export interface SignerInfo {
  /** Subject distinguished name, e.g. `C=VN, O=…, CN=…`. */
  readonly subject: string
  /** Serial number, lower-case hex. */
  readonly serial: string
  /** ISO 8601. */
  readonly notBefore: string
  /** ISO 8601. */
  readonly notAfter: string
}

/** The outcome of verifying the last signature of a PDF. Stored with the document's metadata. */
export interface SignatureOutcome {
  readonly status: 'valid' | 'invalid' | 'unsigned' | 'untrusted'
  /** Set for `invalid` and `untrusted`. */
  readonly reason?: SignatureInvalidReason | SignatureUntrustedReason
  /** Set once the signer certificate was found. */
  readonly signer?: SignerInfo
  /** The signed `signingTime` attribute, ISO 8601 (claimed by the signer; not a trusted timestamp). */
  readonly signingTime?: string
  /** Digest algorithm of the signature, e.g. `sha256`. */
  readonly digestAlgorithm?: string
}

/** Options of {@link verifyPdfSignature}. */
export interface VerifyPdfOptions {
  /** PEM certificates of the trusted roots (or intermediates). */
  readonly trustAnchorsPem: readonly string[]
  /** Instant used to check certificate validity when the signature carries no `signingTime` (default: now). */
  readonly now?: Date
}

/**
 * Findings that do not make a signature `invalid` but that a policy may act on:
 * `weak_algorithm` (SHA-1 / short RSA key before the cut-off date), `revocation_unknown`
 * (neither OCSP nor CRL answered), `revocation_unavailable` (the certificate names no
 * responder or CRL), `revoked_after_signing` (revoked, for a reason other than key
 * compromise, after the claimed signing time).
 */
export type SignatureWarning = 'weak_algorithm' | 'revocation_unknown' | 'revocation_unavailable' | 'revoked_after_signing'

/** One certificate of the signer's chain, as kept in the evidence. */
export interface ChainEntry {
  readonly subject: string
  readonly serial: string
  /** SHA-256 of the DER certificate, hex. */
  readonly sha256: string
  readonly keyBits?: number
  readonly notAfter: string
  /** True for the configured trust anchor the chain ends at. */
  readonly anchor?: boolean
}

/** What a revocation check saw (OCSP first, then CRL): stored as evidence. */
export interface RevocationEvidence {
  readonly status: 'good' | 'revoked' | 'unknown'
  readonly source?: 'ocsp' | 'crl'
  readonly url?: string
  /** When the answer was obtained from upstream (a cached answer keeps its first time). */
  readonly fetchedAt: string
  readonly producedAt?: string
  readonly thisUpdate?: string
  readonly nextUpdate?: string
  readonly revokedAt?: string
  readonly revocationReason?: string
  /** CRL number (decimal) of the CRL used. */
  readonly crlNumber?: string
  /** SHA-256 of the CRL used, hex. */
  readonly crlSha256?: string
  /** The DER OCSP response, base64 (RFC 6960; a few kilobytes). */
  readonly ocspResponse?: string
  /** Why the status is unknown (each source tried). */
  readonly errors?: readonly string[]
  /** Answered from the hub's cache. */
  readonly cached?: boolean
}

/** The evidence of one check: the chain, the algorithms and the revocation answer used. */
export interface SignatureEvidence {
  readonly chain?: readonly ChainEntry[]
  readonly algorithms?: { readonly digest?: string; readonly signature: string; readonly keyBits?: number; readonly weak?: readonly string[] }
  readonly revocation?: RevocationEvidence
}

/** A full check: the outcome, what a policy may act on, and the evidence, with the time it was made. */
export interface SignatureCheck extends SignatureOutcome {
  readonly warnings: readonly SignatureWarning[]
  readonly evidence: SignatureEvidence
  /** ISO 8601. */
  readonly checkedAt: string
}
