import { buildPdf } from './pdf.js'
import { signPdf } from './sign-pdf.js'
import { createTestPki, type TestPki } from './test-pki.js'

/** The signature cases the sandbox serves and the tests check, as PDF bytes. */
export interface SignatureFixtures {
  readonly pki: TestPki
  /** Signed by `signers.valid` at `now`. */
  readonly valid: Buffer
  /** `valid` with one byte of the page text changed after signing. */
  readonly tampered: Buffer
  /** Signed at `now` by a signer whose certificate expired a year earlier. */
  readonly expired: Buffer
  /** Signed by a signer chaining to a root that is not a trust anchor. */
  readonly untrusted: Buffer
  /** Signed at `now` by a signer the agency CA has revoked (on its CRL, `revoked` over OCSP). */
  readonly revoked: Buffer
  /** No signature at all. */
  readonly unsigned: Buffer
  /** `valid` cut short (a truncated download). */
  readonly truncated: Buffer
  /** Not a PDF. */
  readonly garbage: Buffer
}

/** Text of the fixture document; fictional data. */
export const FIXTURE_TEXT = 'GIAY CHUNG NHAN (ban sao dien tu)\nSo: 123/GCN-SANDBOX\nChu giay to: Nguyen Van A (fictional)'

/** Deterministic pseudo-random bytes (xorshift32), for garbage inputs that stay the same run to run. */
export function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/** Builds every signature case for a reference instant (keys are cached per process). */
export function makeSignatureFixtures(now: Date = new Date(), revocationBaseUrl?: string): SignatureFixtures {
  const pki = createTestPki({ now, revocationBaseUrl })
  const unsigned = buildPdf(FIXTURE_TEXT)
  const valid = signPdf(unsigned, pki.signers.valid, { signingTime: now })
  const tampered = Buffer.from(valid)
  const at = tampered.indexOf('123/GCN')
  tampered[at] = 0x39 // '1' → '9': the signed page text changes, the structure does not
  return {
    pki,
    valid,
    tampered,
    expired: signPdf(unsigned, pki.signers.expired, { signingTime: now }),
    untrusted: signPdf(unsigned, pki.signers.untrusted, { signingTime: now }),
    revoked: signPdf(unsigned, pki.signers.revoked, { signingTime: now }),
    unsigned,
    truncated: valid.subarray(0, valid.length - 200),
    garbage: pseudoRandomBytes(4096),
  }
}
