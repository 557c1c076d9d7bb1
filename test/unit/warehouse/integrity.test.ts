import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkDownload, detectOwnerIdType } from '../../../src/documents/integrity.js'
import { RateLimiter } from '../../../src/services/warehouse/rate-limit.js'
import { buildPdf } from '../../../src/sandbox/pki/index.js'

const pdf = buildPdf('Giay chung nhan so 1')
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('checkDownload', () => {
  it('decides by the listed SHA-256 when there is one', () => {
    expect(checkDownload(pdf, { sha256: sha(pdf) })).toMatchObject({ ok: true, method: 'sha256' })
    expect(checkDownload(pdf, { sha256: sha(pdf).toUpperCase() })).toMatchObject({ ok: true })
    const flipped = Buffer.from(pdf)
    flipped[40] = flipped[40]! ^ 0xff
    expect(checkDownload(flipped, { sha256: sha(pdf) })).toMatchObject({ ok: false, reason: 'hash_mismatch' })
  })
  it('falls back to the listed size and the PDF frame without a hash', () => {
    expect(checkDownload(pdf, { size: pdf.length })).toMatchObject({ ok: true, method: 'size+pdf' })
    expect(checkDownload(pdf, {})).toMatchObject({ ok: true, method: 'pdf' })
    expect(checkDownload(pdf.subarray(0, pdf.length - 10), { size: pdf.length })).toMatchObject({ ok: false, reason: 'size_mismatch' })
    expect(checkDownload(pdf.subarray(0, Math.floor(pdf.length * 0.6)), {})).toMatchObject({ ok: false, reason: 'pdf_truncated' })
    expect(checkDownload(Buffer.from('<html>502 Bad Gateway</html>'), {})).toMatchObject({ ok: false, reason: 'not_a_pdf' })
  })
})

describe('detectOwnerIdType', () => {
  it.each([
    ['056085000123', 'cccd'],
    ['123456789', 'cmnd'],
    ['0312345678', 'tax_code'],
    ['0312345678-001', 'tax_code'],
    ['000.00.00.H56', 'agency_code'],
    ['P1234567', 'other'],
  ])('%s → %s', (id, type) => expect(detectOwnerIdType(id)).toBe(type))
})

describe('RateLimiter', () => {
  it('spaces calls at the configured rate', async () => {
    const r = new RateLimiter(100)
    const start = performance.now()
    for (let i = 0; i < 21; i++) await r.take()
    // 20 intervals of 10 ms after the first call
    expect(performance.now() - start).toBeGreaterThanOrEqual(190)
  })
  it('does not wait when unlimited', async () => {
    const r = new RateLimiter(0)
    const start = performance.now()
    for (let i = 0; i < 1000; i++) await r.take()
    expect(performance.now() - start).toBeLessThan(100)
  })
})
