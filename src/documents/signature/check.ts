import { createHash } from 'node:crypto'
import forge from 'node-forge'
import type { RevocationChecker } from '../revocation/index.js'
import type { ChainEntry, SignatureCheck, SignatureEvidence, SignatureWarning } from './types.js'
import { createDetailedPdfVerifier, formatName, type VerifyDetails } from './verify-pdf.js'

/** Weak-algorithm rule: SHA-1 digests and RSA keys under `minRsaBits` (SIGNATURE_WEAK_CUTOFF, SIGNATURE_MIN_RSA_BITS). */
export interface WeakAlgorithmRule {
  /** Signatures claimed before this instant with a weak algorithm are a warning; on or after it (or undated), invalid. */
  readonly cutoff: Date
  readonly minRsaBits: number
}

export interface SignatureCheckerOptions {
  readonly trustAnchorsPem: readonly string[]
  readonly weak: WeakAlgorithmRule
  /** Revocation of the signer certificate; off when undefined. */
  readonly revocation?: RevocationChecker
}

/** Checks a PDF signature fully: cryptography and chain, weak algorithms, revocation; never throws on file bytes. */
export type SignatureChecker = (pdf: Buffer, now?: Date) => Promise<SignatureCheck>

const der = (c: forge.pki.Certificate) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary')
const keyBits = (c: forge.pki.Certificate) => {
  const n = (c.publicKey as Partial<forge.pki.rsa.PublicKey>).n
  return n ? n.bitLength() : undefined
}

/** The weak algorithms of a signature: its digest and the RSA keys of its chain (anchor included). */
export function weakAlgorithms(digest: string | undefined, chain: readonly { keyBits?: number; subject: string }[], minRsaBits: number): string[] {
  const weak: string[] = []
  if (digest === 'sha1') weak.push('digest:sha1')
  chain.forEach((c, i) => {
    if (c.keyBits !== undefined && c.keyBits < minRsaBits) weak.push(`${i === 0 ? 'signer' : `chain[${i}]`}:rsa-${c.keyBits}`)
  })
  return weak
}

/** The RFC 5280 reason codes that void every signature of the key, whatever its signing time. */
const VOIDS_ALL = new Set(['keyCompromise', 'cACompromise', 'aACompromise', 'unspecified'])

/**
 * Builds the full signature check. Revocation is asked only for a signature that is otherwise
 * valid (a trusted chain: the responder and CRL URLs then come from a CA the province trusts).
 */
export function createSignatureChecker(opts: SignatureCheckerOptions): SignatureChecker {
  const verify = createDetailedPdfVerifier(opts.trustAnchorsPem)
  return async (pdf, now = new Date()) => {
    const details: VerifyDetails = {}
    const outcome = verify(pdf, details, now)
    const checkedAt = new Date().toISOString()
    const warnings: SignatureWarning[] = []
    const chain: ChainEntry[] = (details.chain ?? []).map((c, i, all) => ({
      subject: formatName(c.subject),
      serial: c.serialNumber.toLowerCase(),
      sha256: createHash('sha256').update(der(c)).digest('hex'),
      ...(keyBits(c) !== undefined ? { keyBits: keyBits(c) } : {}),
      notAfter: c.validity.notAfter.toISOString(),
      ...(outcome.status === 'valid' && i === all.length - 1 && i > 0 ? { anchor: true } : {}),
    }))
    const weak = weakAlgorithms(outcome.digestAlgorithm, chain, opts.weak.minRsaBits)
    const evidence: { -readonly [K in keyof SignatureEvidence]: SignatureEvidence[K] } = {
      ...(chain.length ? { chain } : {}),
      ...(outcome.signer
        ? {
            algorithms: {
              ...(outcome.digestAlgorithm ? { digest: outcome.digestAlgorithm } : {}),
              signature: 'rsa-pkcs1-v1_5',
              keyBits: chain[0]?.keyBits,
              ...(weak.length ? { weak } : {}),
            },
          }
        : {}),
    }
    let result = { ...outcome }
    if (outcome.status === 'valid' && weak.length > 0) {
      const signedAt = outcome.signingTime ? Date.parse(outcome.signingTime) : NaN
      if (Number.isFinite(signedAt) && signedAt < opts.weak.cutoff.getTime()) warnings.push('weak_algorithm')
      else result = { ...result, status: 'invalid', reason: 'weak_algorithm' }
    }
    if (result.status === 'valid' && opts.revocation) {
      const signer = details.chain?.[0]
      const issuer = details.chain?.[1]
      let answer
      try {
        answer = signer && issuer ? await opts.revocation.check(der(signer), der(issuer), now) : undefined
      } catch (e) {
        answer = { status: 'unknown' as const, fetchedAt: checkedAt, errors: [(e as Error).message.slice(0, 200)] }
      }
      if (!answer) warnings.push('revocation_unavailable')
      else {
        evidence.revocation = answer
        if (answer.status === 'unknown') warnings.push('revocation_unknown')
        else if (answer.status === 'revoked') {
          const revokedAt = answer.revokedAt ? Date.parse(answer.revokedAt) : -Infinity
          const signedAt = outcome.signingTime ? Date.parse(outcome.signingTime) : Infinity
          // Without a trusted timestamp the signing time is the signer's claim: only a revocation that does not
          // void past signatures (superseded, affiliation changed…) and came after that claim is a warning.
          if (!VOIDS_ALL.has(answer.revocationReason ?? 'unspecified') && revokedAt > signedAt) warnings.push('revoked_after_signing')
          else result = { ...result, status: 'invalid', reason: 'signer_revoked' }
        }
      }
    }
    return { ...result, warnings, evidence, checkedAt }
  }
}
