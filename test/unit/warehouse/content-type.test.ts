import { describe, expect, it } from 'vitest'
import { HubError } from '../../../src/errors.js'
import { acceptContentType, checkFileSignature, contentDisposition, downloadHeaders, parseContentType } from '../../../src/documents/content-type.js'

const refusal = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    if (e instanceof HubError) return { status: e.status, code: e.code, field: e.errors?.[0]?.field, rule: e.errors?.[0]?.rule }
    throw e
  }
  throw new Error('not refused')
}

describe('upload content types', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['Application/PDF', 'application/pdf'],
    ['  image/png  ', 'image/png'],
    ['image/jpeg', 'image/jpeg'],
    ['image/tiff', 'image/tiff'],
    ['image/gif', 'image/gif'],
    ['image/webp', 'image/webp'],
    ['application/xml', 'application/xml'],
    ['text/xml; charset=UTF-8', 'text/xml; charset=utf-8'],
    ['application/xml;charset="windows-1258"', 'application/xml; charset=windows-1258'],
    ['application/pdf;', 'application/pdf'],
  ])('accepts %j as %j', (declared, stored) => {
    expect(acceptContentType(declared)).toBe(stored)
  })

  it('takes a missing type as PDF', () => {
    expect(acceptContentType(undefined)).toBe('application/pdf')
  })

  it.each([
    'text/html',
    'TEXT/HTML; charset=utf-8',
    'image/svg+xml',
    'application/xhtml+xml',
    'text/javascript',
    'application/octet-stream',
    'multipart/form-data',
    'application/pdf; charset=utf-8',
    'image/png; name=evil.html',
    'text/xml; charset=utf-8; charset=utf-8',
    'text/xml; charset=no-such-encoding',
    'text/html\r\nX-Evil: 1',
    'application/pdf\r\nX-Evil: 1',
    'application/pdf\u0000',
    'pdf',
    '',
    'a'.repeat(1000),
  ])('refuses %j with 415 naming the field', (declared) => {
    expect(refusal(() => acceptContentType(declared))).toEqual({
      status: 415,
      code: 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE',
      field: '/body/file/contentType',
      rule: 'HUB_WAREHOUSE_CONTENT_TYPE',
    })
  })

  it('checks the first bytes against the declared type', () => {
    const pdf = Buffer.from('%PDF-1.7\n...')
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])
    const tiff = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0])
    const gif = Buffer.from('GIF89a....')
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')])
    const xml = Buffer.from('\ufeff\n  <?xml version="1.0"?><GiayTo/>')
    const html = Buffer.from('<html><script>alert(1)</script></html>')
    for (const [type, ok] of [
      ['application/pdf', pdf],
      ['image/png', png],
      ['image/jpeg', jpeg],
      ['image/tiff', tiff],
      ['image/gif', gif],
      ['image/webp', webp],
      ['text/xml; charset=utf-8', xml],
    ] as const) {
      expect(() => checkFileSignature(type, ok)).not.toThrow()
    }
    for (const [type, bad] of [
      ['application/pdf', html],
      ['application/pdf', Buffer.from(' %PDF-1.7')],
      ['image/png', jpeg],
      ['image/jpeg', pdf],
      ['image/gif', Buffer.from('GIF')],
      ['application/xml', pdf],
    ] as const) {
      expect(refusal(() => checkFileSignature(type, bad))).toEqual({
        status: 415,
        code: 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE',
        field: '/body/file/contentType',
        rule: 'HUB_WAREHOUSE_CONTENT_MISMATCH',
      })
    }
  })

  it('parses a 1 MB adversarial value in linear time', () => {
    const values = [
      `application/pdf${';'.repeat(1_000_000)}`,
      `text/xml; charset=${'a-'.repeat(500_000)}`,
      `${'a'.repeat(1_000_000)}/`,
      `text/xml${'; charset'.repeat(125_000)}`,
    ]
    for (const v of values) {
      const started = performance.now()
      expect(parseContentType(v).ok).toBe(false)
      expect(performance.now() - started).toBeLessThan(100)
    }
    const name = `${'\u0301'.repeat(500_000)}${"'".repeat(500_000)}`
    const started = performance.now()
    contentDisposition('attachment', name)
    expect(performance.now() - started).toBeLessThan(100)
  })
})

describe('download headers', () => {
  const CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
  const CSP_PDF = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

  it.each([
    ['application/pdf', 'application/pdf', 'inline', CSP_PDF],
    ['image/png', 'image/png', 'inline', CSP],
    ['image/JPEG', 'image/jpeg', 'inline', CSP],
    ['text/xml; charset=utf-8', 'text/xml; charset=utf-8', 'attachment', CSP],
    ['application/xml', 'application/xml', 'attachment', CSP],
    ['text/html', 'application/octet-stream', 'attachment', CSP],
    ['image/svg+xml', 'application/octet-stream', 'attachment', CSP],
    ['text/html\r\nX-Evil: 1', 'application/octet-stream', 'attachment', CSP],
    ['application/pdf; name="x.html"', 'application/octet-stream', 'attachment', CSP],
    [null, 'application/octet-stream', 'attachment', CSP],
  ])('serves a stored %j as %j, %s', (stored, type, disposition, csp) => {
    expect(downloadHeaders(stored, 'a.bin')).toEqual({
      'content-type': type,
      'content-disposition': `${disposition}; filename="a.bin"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': csp,
    })
  })

  it.each([
    ['giay-khai-sinh.pdf', 'attachment; filename="giay-khai-sinh.pdf"'],
    ['Giấy khai sinh Đặng.pdf', `attachment; filename="Giay khai sinh Dang.pdf"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh%20%C4%90%E1%BA%B7ng.pdf`],
    ['a"b;c=d.pdf', `attachment; filename="a_b_c_d.pdf"; filename*=UTF-8''a%22b%3Bc%3Dd.pdf`],
    ["it's (1)*.pdf", `attachment; filename="it_s (1)_.pdf"; filename*=UTF-8''it%27s%20%281%29%2A.pdf`],
    ['evil.pdf\r\nSet-Cookie: a=b', `attachment; filename="evil.pdfSet-Cookie_ a_b"; filename*=UTF-8''evil.pdfSet-Cookie%3A%20a%3Db`],
    ['../../etc/passwd', 'attachment; filename="passwd"'],
    ['C:\\Users\\x\\scan.pdf', 'attachment; filename="scan.pdf"'],
    ['gdp\u202eFDP.exe', `attachment; filename="gdpFDP.exe"`],
    ['lone\ud800.pdf', `attachment; filename="lone_.pdf"; filename*=UTF-8''lone%EF%BF%BD.pdf`],
    ['', 'attachment'],
    ['\r\n', 'attachment'],
    [undefined, 'attachment'],
  ])('encodes the file name %j safely', (name, header) => {
    const value = contentDisposition('attachment', name)
    expect(value).toBe(header)
    // What Node accepts as a header value is what can reach the wire.
    expect(value).toMatch(/^[\x20-\x7e]+$/)
  })
})
