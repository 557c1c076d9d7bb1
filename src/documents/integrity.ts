import { createHash } from 'node:crypto'

/** What the listing says about a file (the documented reply says nothing; `MaHash`/`KichThuoc` are extensions). */
export interface ExpectedFile {
  sha256?: string
  size?: number
}

export type IntegrityResult =
  | { ok: true; sha256: string; method: 'sha256' | 'size+pdf' | 'pdf' }
  | { ok: false; sha256: string; reason: 'hash_mismatch' | 'size_mismatch' | 'not_a_pdf' | 'pdf_truncated' }

/**
 * Checks a downloaded file before it is stored. With a listed SHA-256 the hash decides.
 * Without one (the national reply documents none) the hub falls back to a second means:
 * the listed size when given, and the PDF frame: a `%PDF-` header and a `%%EOF` marker in
 * the last 1 KiB, which a truncated transfer loses. A flipped byte inside a PDF without a
 * listed hash is then caught only by the signature check (reported as `invalid`).
 */
export function checkDownload(bytes: Buffer, expected: ExpectedFile): IntegrityResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (expected.sha256) return sha256 === expected.sha256.toLowerCase() ? { ok: true, sha256, method: 'sha256' } : { ok: false, sha256, reason: 'hash_mismatch' }
  if (expected.size !== undefined && bytes.length !== expected.size) return { ok: false, sha256, reason: 'size_mismatch' }
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return { ok: false, sha256, reason: 'not_a_pdf' }
  if (
    !bytes
      .subarray(Math.max(0, bytes.length - 1024))
      .toString('latin1')
      .includes('%%EOF')
  )
    return { ok: false, sha256, reason: 'pdf_truncated' }
  return { ok: true, sha256, method: expected.size !== undefined ? 'size+pdf' : 'pdf' }
}

export type OwnerIdType = 'cccd' | 'cmnd' | 'tax_code' | 'agency_code' | 'other'

/** Kind of an owner id from its shape (NATIONAL-ENDPOINTS §5). */
export function detectOwnerIdType(id: string): OwnerIdType {
  if (/^\d{12}$/.test(id)) return 'cccd'
  if (/^\d{9}$/.test(id)) return 'cmnd'
  if (/^\d{10}(-\d{3})?$/.test(id)) return 'tax_code'
  if (/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/.test(id)) return 'agency_code'
  return 'other'
}
