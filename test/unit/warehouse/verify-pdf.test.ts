import { beforeAll, describe, expect, it } from 'vitest'
import { buildPdf, makeSignatureFixtures, pseudoRandomBytes, signPdf, type SignatureFixtures } from '../../../src/sandbox/pki/index.js'
import { createPdfSignatureVerifier, verifyPdfSignature, type SignatureOutcome } from '../../../src/documents/signature/index.js'

const NOW = new Date('2026-03-15T03:00:00Z')
let fx: SignatureFixtures
let verify: (pdf: Buffer) => SignatureOutcome

beforeAll(() => {
  fx = makeSignatureFixtures(NOW)
  const verifier = createPdfSignatureVerifier(fx.pki.trustAnchorsPem)
  verify = (pdf) => verifier(pdf, NOW)
})

/** Offsets of the `/Contents <…>` hole of the last signature. */
function hole(pdf: Buffer): { start: number; end: number } {
  const m = /\/ByteRange \[0 (\d+) (\d+)/.exec(pdf.subarray(pdf.lastIndexOf('/ByteRange')).toString('latin1'))
  return { start: Number(m![1]), end: Number(m![2]) }
}

describe('verifyPdfSignature: fixture cases', () => {
  it('accepts a valid signature and reports signer, time and digest', () => {
    const out = verify(fx.valid)
    expect(out).toEqual({
      status: 'valid',
      signer: {
        subject: 'C=VN, O=UBND tỉnh (sandbox), CN=Bộ phận Số hoá - Sandbox Agency',
        serial: '2001',
        notBefore: fx.pki.signers.valid.certificate.validity.notBefore.toISOString(),
        notAfter: fx.pki.signers.valid.certificate.validity.notAfter.toISOString(),
      },
      signingTime: NOW.toISOString(),
      digestAlgorithm: 'sha256',
    })
  })

  it('detects content changed after signing (digest mismatch)', () => {
    expect(verify(fx.tampered)).toMatchObject({ status: 'invalid', reason: 'digest_mismatch' })
  })

  it('rejects a signer whose certificate had expired at signing time', () => {
    expect(verify(fx.expired)).toMatchObject({
      status: 'invalid',
      reason: 'signer_expired_at_signing',
      signer: { serial: '2002' },
    })
  })

  it('marks a signer chaining to an unknown root as untrusted', () => {
    expect(verify(fx.untrusted)).toMatchObject({ status: 'untrusted', reason: 'unknown_issuer', signer: { serial: '3001' } })
  })

  it('reports an unsigned PDF as unsigned', () => {
    expect(verify(fx.unsigned)).toEqual({ status: 'unsigned' })
  })

  it('rejects a truncated download through its byte range', () => {
    expect(verify(fx.truncated)).toEqual({ status: 'invalid', reason: 'byte_range_invalid' })
  })

  it('rejects bytes that are not a PDF', () => {
    expect(verify(fx.garbage)).toEqual({ status: 'invalid', reason: 'not_a_pdf' })
    expect(verify(Buffer.alloc(0))).toEqual({ status: 'invalid', reason: 'not_a_pdf' })
  })
})

describe('verifyPdfSignature: hostile and edge inputs', () => {
  it('rejects a signature made with a key that does not match the certificate', () => {
    const forged = signPdf(
      fx.unsigned,
      { ...fx.pki.signers.valid, privateKey: fx.pki.signers.expired.privateKey },
      {
        signingTime: NOW,
      },
    )
    expect(verify(forged)).toMatchObject({ status: 'invalid', reason: 'bad_signature' })
  })

  it('rejects bytes appended after signing', () => {
    const appended = Buffer.concat([fx.valid, Buffer.from('\n% appended later\n')])
    expect(verify(appended)).toEqual({ status: 'invalid', reason: 'byte_range_invalid' })
  })

  it('rejects garbage in /Contents as a malformed signature', () => {
    const pdf = Buffer.from(fx.valid)
    const { start } = hole(pdf)
    pdf.write(pseudoRandomBytes(200, 7).toString('hex'), start + 1, 'latin1')
    expect(verify(pdf)).toEqual({ status: 'invalid', reason: 'malformed_signature' })
  })

  it('rejects a byte range whose hole is not the /Contents string', () => {
    const pdf = Buffer.from(fx.valid)
    const at = pdf.lastIndexOf('/ByteRange [0 ')
    const { start } = hole(pdf)
    // shift the hole start by one: the byte there is no longer '<'
    const shifted = String(start + 1)
    expect(shifted).toHaveLength(String(start).length)
    pdf.write(shifted, at + '/ByteRange [0 '.length, 'latin1')
    expect(verify(pdf)).toEqual({ status: 'invalid', reason: 'byte_range_invalid' })
  })

  it('is untrusted with no anchors, valid with the intermediate as anchor', () => {
    expect(verifyPdfSignature(fx.valid, { trustAnchorsPem: [], now: NOW })).toMatchObject({
      status: 'untrusted',
      reason: 'unknown_issuer',
    })
    expect(verifyPdfSignature(fx.valid, { trustAnchorsPem: [fx.pki.intermediate.certificatePem], now: NOW }).status).toBe('valid')
  })

  it('keeps a signature valid after the signer certificate expired (validity is judged at signing time)', () => {
    const later = new Date(fx.pki.signers.valid.certificate.validity.notAfter.getTime() + 86_400_000)
    expect(createPdfSignatureVerifier(fx.pki.trustAnchorsPem)(fx.valid, later).status).toBe('valid')
  })

  it('verifies a signature over another document with the same signer', () => {
    const other = signPdf(buildPdf('Another fictional document'), fx.pki.signers.valid, { signingTime: NOW })
    expect(verify(other).status).toBe('valid')
  })

  it('verifies the legacy adbe.pkcs7.sha1 form (encapsulated SHA-1 of the byte ranges)', () => {
    const signed = signPdf(fx.unsigned, fx.pki.signers.valid, { signingTime: NOW, subFilter: 'adbe.pkcs7.sha1' })
    expect(signed.includes('/SubFilter /adbe.pkcs7.sha1')).toBe(true)
    expect(verify(signed)).toMatchObject({ status: 'valid', digestAlgorithm: 'sha1' })
    const tampered = Buffer.from(signed)
    const at = tampered.indexOf('GIAY CHUNG')
    tampered[at] = 0x48 // 'G' → 'H' in the signed page text
    expect(verify(tampered)).toMatchObject({ status: 'invalid', reason: 'digest_mismatch' })
  })

  it('accepts /Contents written before /ByteRange (PDFBox layout) and still detects tampering', () => {
    const signed = signPdf(fx.unsigned, fx.pki.signers.valid, { signingTime: NOW, contentsFirst: true })
    expect(signed.indexOf('/Contents <')).toBeLessThan(signed.lastIndexOf('/ByteRange'))
    expect(verify(signed).status).toBe('valid')
    const tampered = Buffer.from(signed)
    tampered[tampered.lastIndexOf('/ByteRange') + 20] = 0x20 // inside the signed /ByteRange entry
    expect(verify(tampered).status).toBe('invalid')
  })

  it('throws only for an invalid trust anchor (configuration), never for hostile bytes', () => {
    expect(() => createPdfSignatureVerifier(['not a pem'])).toThrow()
    const { start, end } = hole(fx.valid)
    for (let i = 0; i < 300; i++) {
      const pdf = Buffer.from(fx.valid)
      const pos = pseudoRandomBytes(4, i + 1).readUInt32BE(0) % pdf.length
      pdf[pos] = (pdf[pos]! ^ (1 + (i % 255))) & 0xff
      let out: SignatureOutcome | undefined
      expect(() => (out = verify(pdf))).not.toThrow()
      // A changed byte inside the signed ranges can never keep the signature valid.
      if (pos < start || pos >= end) expect(out!.status).not.toBe('valid')
    }
    for (const cut of [1, 10, 100, 1000, 5000, fx.valid.length - 1]) {
      expect(() => verify(fx.valid.subarray(0, cut))).not.toThrow()
    }
  })
})
