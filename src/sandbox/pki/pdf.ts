import { createHash } from 'node:crypto'

/**
 * Escapes text for a PDF literal string in the standard Helvetica font (WinAnsi):
 * Vietnamese diacritics are folded to ASCII because the base-14 fonts cannot show them.
 */
function pdfLiteral(text: string): string {
  const ascii = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '?')
  return ascii.replace(/([\\()])/g, '\\$1')
}

/** Formats one classic cross-reference entry (exactly 20 bytes, as the spec requires). */
export function xrefEntry(offset: number, generation = 0): string {
  return `${String(offset).padStart(10, '0')} ${String(generation).padStart(5, '0')} n \n`
}

/**
 * Builds a minimal, valid single-page PDF 1.7 showing `text` (one line per `\n`).
 * Deterministic: the same text gives the same bytes.
 */
export function buildPdf(text: string): Buffer {
  const lines = text.split('\n').map(pdfLiteral)
  const content = ['BT', '/F1 12 Tf', '14 TL', '72 770 Td', ...lines.map((l) => `(${l}) '`), 'ET'].join('\n')
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ]
  // The binary comment on line 2 tells transfer tools the file is binary.
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xrefAt = Buffer.byteLength(out, 'latin1')
  const id = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32)
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => xrefEntry(o)).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}
