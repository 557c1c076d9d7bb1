import forge from 'node-forge'
import { describe, expect, it } from 'vitest'
import { buildPdf, createTestPki, makeSignatureFixtures, signPdf } from '../../../src/sandbox/pki/index.js'

const NOW = new Date('2026-06-01T00:00:00Z')

/** Checks every in-use entry of every classic xref section points at `<num> <gen> obj`. */
function checkXref(pdf: Buffer): number {
  const s = pdf.toString('latin1')
  let checked = 0
  const sections = s.matchAll(/\nxref\n([\s\S]*?)trailer/g)
  for (const section of sections) {
    const lines = section[1]!.split('\n').filter((l) => l !== '')
    let num = 0
    for (const line of lines) {
      const header = /^(\d+) (\d+)$/.exec(line)
      if (header) {
        num = Number(header[1])
        continue
      }
      expect(line.length + 1).toBe(20) // 20-byte entries, EOL included
      const [offset, gen, kind] = line.trim().split(' ')
      if (kind === 'n') {
        expect(s.startsWith(`${num} ${Number(gen)} obj`, Number(offset))).toBe(true)
        checked++
      }
      num++
    }
  }
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(s)![1])
  expect(s.startsWith('xref', startxref)).toBe(true)
  return checked
}

describe('sandbox test PKI', () => {
  it('issues a chain that verifies, with expired and untrusted variants', () => {
    const pki = createTestPki({ now: NOW })
    expect(createTestPki({ now: NOW })).toBe(pki)
    const store = forge.pki.createCaStore([...pki.trustAnchorsPem])
    const { valid, expired, untrusted } = pki.signers
    expect(forge.pki.verifyCertificateChain(store, [valid.certificate, ...valid.chain], { validityCheckDate: NOW })).toBe(true)
    expect(expired.certificate.validity.notAfter.getTime()).toBeLessThan(NOW.getTime())
    expect(() => forge.pki.verifyCertificateChain(store, [untrusted.certificate, ...untrusted.chain], { validityCheckDate: NOW })).toThrow()
    expect(pki.intermediate.certificate.getExtension('basicConstraints')).toMatchObject({ cA: true })
    expect(valid.privateKeyPem).toMatch(/^-----BEGIN [A-Z ]*KEY-----/) // generated at run time; no key is committed
  })
})

describe('buildPdf / signPdf', () => {
  it('builds a deterministic PDF with a correct cross-reference table', () => {
    const pdf = buildPdf('Giấy chứng nhận (bản sao)\nSố 1')
    expect(buildPdf('Giấy chứng nhận (bản sao)\nSố 1')).toEqual(pdf)
    expect(pdf.subarray(0, 9).toString('latin1')).toBe('%PDF-1.7\n')
    expect(pdf.toString('latin1')).toContain('(Giay chung nhan \\(ban sao\\)) ')
    expect(checkXref(pdf)).toBe(5)
  })

  it('signs with an incremental update whose byte range spans the file except /Contents', () => {
    const original = buildPdf('Fictional document')
    const pki = createTestPki({ now: NOW })
    const signed = signPdf(original, pki.signers.valid, { signingTime: NOW })
    expect(signed.subarray(0, original.length)).toEqual(original)
    expect(checkXref(signed)).toBe(9)
    const s = signed.toString('latin1')
    expect(s).toContain('/Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached')
    expect(s).toMatch(/\/Prev \d+/)
    const [a, b, c, d] = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]/.exec(s)!.slice(1).map(Number) as [number, number, number, number]
    expect([a, c + d]).toEqual([0, signed.length])
    expect(s.slice(b - 10, b + 1)).toBe('/Contents <')
    expect(s[c - 1]).toBe('>')
  })

  it('refuses a signature larger than the reserved space', () => {
    const pki = createTestPki({ now: NOW })
    expect(() => signPdf(buildPdf('x'), pki.signers.valid, { signingTime: NOW, reserveBytes: 256 })).toThrow(/exceeds/)
  })

  it('produces every fixture case', () => {
    const fx = makeSignatureFixtures(NOW)
    expect(fx.tampered.length).toBe(fx.valid.length)
    expect(fx.tampered.equals(fx.valid)).toBe(false)
    expect(fx.truncated.length).toBeLessThan(fx.valid.length)
    expect(fx.unsigned.includes('/ByteRange')).toBe(false)
  })
})
