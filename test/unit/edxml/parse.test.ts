import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DiskBlobStore } from '../../../src/documents/blob-store/index.js'
import { Base64Decoder } from '../../../src/edxml/attachments.js'
import { blobStoreSink, EdxmlError, parseEdxml, type DocumentMessage, type ParseEdxmlOptions } from '../../../src/edxml/index.js'

const DIR = join(import.meta.dirname, '../../fixtures/vdxp')
const sample = (f: string) => readFileSync(join(DIR, f), 'utf8')
const STATUS = sample('status_finish_06.edxml')
const EDOC = sample('edoc_update.edxml')
const HEADER = '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader'

async function refusal(xml: string | Buffer, options?: ParseEdxmlOptions): Promise<EdxmlError> {
  const err = await parseEdxml(Buffer.isBuffer(xml) ? xml : Buffer.from(xml), options).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(EdxmlError)
  return err as EdxmlError
}

describe('what real senders produce is accepted', () => {
  it('unprefixed (default namespace) elements give the same model as edXML:-prefixed ones', async () => {
    const unprefixed = EDOC.replace(/<(\/?)edXML:/g, '<$1').replace(/ xmlns:edXML="[^"]*"/g, '')
    expect(unprefixed).not.toContain('edXML:')
    expect((await parseEdxml(Buffer.from(unprefixed))).message).toEqual((await parseEdxml(Buffer.from(EDOC))).message)
  })

  it('a BOM and stray bytes before the declaration are skipped and reported', async () => {
    const parsed = await parseEdxml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(STATUS)]))
    expect(parsed.quirks).toEqual(['byte order mark before the XML declaration'])
    expect((await parseEdxml(Buffer.from(`1212${STATUS}`))).quirks).toEqual(['4 stray byte(s) before the XML declaration skipped'])
  })

  it('LF instead of CRLF, tabs, and children in another order give the same model', async () => {
    const lf = STATUS.replace(/\r\n/g, '\n').replace(/\t/g, '    ')
    const reordered = lf.replace(/(<edXML:StaffInfo>[\s\S]*?<\/edXML:StaffInfo>)([\s\S]*?)(<edXML:StatusCode>.*<\/edXML:StatusCode>)/, '$3$2$1')
    expect(reordered).not.toBe(lf)
    const want = (await parseEdxml(Buffer.from(STATUS))).message
    expect((await parseEdxml(Buffer.from(lf))).message).toEqual(want)
    expect((await parseEdxml(Buffer.from(reordered))).message).toEqual(want)
  })

  it('ISO dates are normalized to the wire form yyyy/MM/dd', async () => {
    const iso = STATUS.replace('2015/09/30</edXML:PromulgationDate>', '2015-09-30</edXML:PromulgationDate>').replace(
      '2015/09/20 11:08:36',
      '2015-09-20T11:08:36',
    )
    const m = (await parseEdxml(Buffer.from(iso))).message
    expect(m.kind === 'status' && [m.header.responseFor.promulgationDate, m.header.timestamp]).toEqual(['2015/09/30', '2015/09/20 11:08:36'])
  })

  it('a comment or character references inside an attachment body do not change the decoded bytes', async () => {
    const want = ((await parseEdxml(Buffer.from(EDOC))).message as DocumentMessage).attachments
    const at = EDOC.indexOf('UEsDBBQACAgIA') + 100_000
    for (const insert of ['<!-- a comment inside the body -->', '&#13;&#10;']) {
      const m = (await parseEdxml(Buffer.from(EDOC.slice(0, at) + insert + EDOC.slice(at)))).message as DocumentMessage
      expect(m.attachments).toEqual(want)
    }
  })

  it('any chunking of the input gives the same model', async () => {
    const want = (await parseEdxml(Buffer.from(STATUS))).message
    const bytes = Buffer.from(STATUS)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), async (size) => {
        const chunks = []
        for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
        expect((await parseEdxml(Readable.from(chunks))).message).toEqual(want)
      }),
      { numRuns: 25 },
    )
  })
})

describe('anything else is refused, naming the element', () => {
  it('an element QCVN 102 does not have there', async () => {
    const e = await refusal(STATUS.replace('<edXML:StatusCode>', '<edXML:Priority>1</edXML:Priority><edXML:StatusCode>'))
    expect([e.code, e.element]).toEqual(['HUB_ERR_EDXML_INVALID', `${HEADER}/Priority`])
    expect(e.message).toContain('unexpected element <Priority> in <MessageHeader>')
    expect(e.errors).toEqual([{ field: `${HEADER}/Priority`, message: 'unexpected element <Priority> in <MessageHeader>' }])
  })

  it('a missing required element', async () => {
    const e = await refusal(STATUS.replace(/<edXML:From>[\s\S]*<\/edXML:From>/, ''))
    expect([e.code, e.element]).toEqual(['HUB_ERR_EDXML_INVALID', HEADER])
    expect(e.message).toContain('missing element <From>')
  })

  it('an unknown status code, business type, or a bad timestamp', async () => {
    const code = await refusal(STATUS.replace('<edXML:StatusCode>06', '<edXML:StatusCode>07'))
    expect([code.element, code.message]).toEqual([`${HEADER}/StatusCode`, expect.stringContaining('"07" is not one of 01, 02, 03, 04, 05, 06, 13, 15, 16')])
    const type = await refusal(EDOC.replace('<edXML:BussinessDocType>2', '<edXML:BussinessDocType>9'))
    expect(type.element).toBe('/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType')
    const stamp = await refusal(STATUS.replace('2015/09/20 11:08:36', '20/09/2015'))
    expect([stamp.element, stamp.message]).toEqual([`${HEADER}/Timestamp`, expect.stringContaining('not a timestamp yyyy/MM/dd HH:mm:ss')])
  })

  it('an element of another namespace, another root, text where elements belong', async () => {
    const ns = await refusal(STATUS.replace('<edXML:StatusCode>', '<x:Extra xmlns:x="urn:x">1</x:Extra><edXML:StatusCode>'))
    expect([ns.element, ns.message]).toEqual([`${HEADER}/Extra`, expect.stringContaining('namespace "urn:x" is not allowed')])
    const root = await refusal('<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>')
    expect([root.element, root.message]).toEqual(['/Envelope', expect.stringContaining('the root element must be <edXML>')])
    const text = await refusal(STATUS.replace('<edXML:StatusCode>', 'stray text<edXML:StatusCode>'))
    expect([text.element, text.message]).toEqual([HEADER, expect.stringContaining('unexpected text in <MessageHeader>')])
  })

  it('an attachment body that is not base64, or without a manifest Reference', async () => {
    const b64 = await refusal(EDOC.replace('UEsDBBQACAgIA', 'UEsDBBQ*CAgIA'))
    expect([b64.code, b64.element]).toEqual(['HUB_ERR_EDXML_INVALID', '/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded'])
    expect(b64.message).toContain('not valid base64')
    const orphan = await refusal(EDOC.replace('<ContentId>cid:209</ContentId>', '<ContentId>cid:999</ContentId>'))
    expect([orphan.element, orphan.message]).toEqual(['/edXML/AttachmentEncoded/Attachment', expect.stringContaining('cid:999 has no <Reference>')])
  })

  it('XML that is not well-formed, not UTF-8, another declared encoding, or no XML near the start', async () => {
    const broken = await refusal(STATUS.replace('</edXML:StatusCode>', '</edXML:Status>'))
    expect([broken.code, broken.element, broken.message]).toEqual(['HUB_ERR_EDXML_MALFORMED', HEADER, expect.stringContaining('not well-formed XML')])
    const latin1 = await refusal(Buffer.concat([Buffer.from(STATUS.slice(0, 300)), Buffer.from([0xe9, 0x3c])]))
    expect([latin1.code, latin1.message]).toEqual(['HUB_ERR_EDXML_MALFORMED', expect.stringContaining('not valid UTF-8')])
    const enc = await refusal(STATUS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'))
    expect([enc.code, enc.message]).toEqual(['HUB_ERR_EDXML_INVALID', expect.stringContaining('"ISO-8859-1" is not supported')])
    const junk = await refusal(`${'x'.repeat(100)}${STATUS}`)
    expect([junk.code, junk.message]).toEqual(['HUB_ERR_EDXML_MALFORMED', expect.stringContaining('no XML in the first 64 bytes')])
  })

  it('caps are configurable: smaller attachment, element and message caps refuse the sample', async () => {
    const e = await refusal(EDOC, { limits: { maxAttachmentBytes: 100_000 } })
    expect([e.code, e.status]).toEqual(['HUB_ERR_EDXML_ATTACHMENT_TOO_LARGE', 413])
    // The sample has 124 elements (opening tags counted in the file with grep); 100 is too few.
    const elements = await refusal(EDOC, { limits: { maxElements: 100 } })
    expect([elements.code, elements.message]).toEqual(['HUB_ERR_EDXML_TOO_MANY_ELEMENTS', expect.stringContaining('more than 100 elements')])
    const size = await refusal(EDOC, { limits: { maxBytes: 300_000 } })
    expect(size.code).toBe('HUB_ERR_EDXML_TOO_LARGE')
    await expect(parseEdxml(Buffer.from(EDOC), { limits: { maxDepth: -1 } })).rejects.toThrow(RangeError)
  })
})

describe('attachments stream into the blob store', () => {
  it('stored under the SHA-256 the model reports, byte-identical to the base64 in the file', async () => {
    const store = new DiskBlobStore(mkdtempSync(join(tmpdir(), 'edxml-blobs-')), { fsync: false })
    const parsed = await parseEdxml(Buffer.from(EDOC), { sink: blobStoreSink(store) })
    const [a] = (parsed.message as DocumentMessage).attachments
    const expected = Buffer.from(/<edXML:ContentTransferEncoded[^>]*>([^<]*)</.exec(EDOC)![1]!, 'base64')
    expect(a!.sha256).toBe(createHash('sha256').update(expected).digest('hex'))
    const chunks: Buffer[] = []
    for await (const c of store.get(a!.sha256)) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(expected)).toBe(true)
  })

  it('a refused message leaves no blob of the attachment it was decoding', async () => {
    const root = mkdtempSync(join(tmpdir(), 'edxml-blobs-'))
    const store = new DiskBlobStore(root, { fsync: false })
    const truncated = EDOC.slice(0, EDOC.indexOf('</edXML:ContentTransferEncoded>') - 10) + '*'
    const e = await refusal(truncated, { sink: blobStoreSink(store) })
    expect(e.message).toContain('not valid base64')
    // Blobs live under two-hex-digit fan-out folders; only the store's dot-folders may exist.
    expect(readdirSync(root).filter((n) => !n.startsWith('.'))).toEqual([])
  })
})

describe('Base64Decoder', () => {
  it('decodes like Buffer.from(base64) however the text is split and wrapped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }), (bytes, cuts) => {
        const text = Buffer.from(bytes)
          .toString('base64')
          .replace(/(.{10})/g, '$1\r\n')
        const d = new Base64Decoder()
        const out: Buffer[] = []
        let i = 0
        for (let k = 0; i < text.length; k++) {
          const n = cuts[k % cuts.length]!
          const b = d.push(text.slice(i, i + n))
          if (b) out.push(b)
          i += n
        }
        const { size, sha256 } = d.finish()
        expect(Buffer.concat(out).equals(Buffer.from(bytes))).toBe(true)
        expect(size).toBe(bytes.length)
        expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
      }),
    )
  })

  it('refuses characters outside the alphabet, data after padding and a truncated quantum', () => {
    expect(() => new Base64Decoder().push('QUJD*')).toThrow('invalid base64 character')
    const padded = new Base64Decoder()
    padded.push('QQ==')
    expect(() => padded.push('QUJD')).toThrow('after padding')
    const short = new Base64Decoder()
    short.push('QUJ')
    expect(() => short.finish()).toThrow('multiple of 4')
    expect(() => new Base64Decoder().push('Q=QQ')).toThrow('padding in the middle')
    const split = new Base64Decoder()
    expect([split.push('QQ='), split.push('=')]).toEqual([null, Buffer.from('A')])
  })
})
