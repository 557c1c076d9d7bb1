import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  buildEdxml,
  buildEdxmlBuffer,
  documentIdOf,
  EdxmlError,
  parseEdxml,
  type DocumentMessage,
  type OutgoingDocument,
  type StatusMessage,
} from '../../../src/edxml/index.js'

const doc = (over: Partial<OutgoingDocument['header']> = {}, attachments: OutgoingDocument['attachments'] = []): OutgoingDocument => ({
  kind: 'document',
  header: {
    from: { organId: '000.00.00.H56', organName: 'UBND tỉnh <Thử> & "nghiệm"' },
    to: [{ organId: '000.00.00.H41' }],
    code: { codeNumber: '12', codeNotation: 'UBND-VP' },
    promulgationInfo: { place: 'Hà Nội', promulgationDate: '2026/12/01' },
    subject: 'V/v thử nghiệm',
    ...over,
  },
  traces: [{ organId: '000.00.00.H56', timestamp: '2026/12/01 08:00:00' }],
  business: { docType: 'new', paper: '0' },
  attachments,
})

async function refused(f: () => unknown): Promise<EdxmlError> {
  const e = await (async () => f())().then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(EdxmlError)
  return e as EdxmlError
}

describe('buildEdxml', () => {
  it('streams attachments from a stream factory, base64 wrapped at 76, and they parse back byte-identical', async () => {
    const big = randomBytes(300 * 1024)
    const small = Buffer.from('xin chào')
    const built = await buildEdxmlBuffer(
      doc({}, [
        { name: 'quyet-dinh.pdf', contentType: 'application/pdf', content: () => Readable.from([big.subarray(0, 1000), big.subarray(1000)]) },
        { contentId: 'cid:x', name: 'ghi chú.txt', contentType: 'text/plain', description: 'a & b', content: small },
      ]),
    )
    const text = built.toString('utf8')
    const body = /<edXML:ContentTransferEncoded[^>]*>\n([^<]*)</
      .exec(text)![1]!
      .split('\n')
      .filter((l) => l.trim() !== '')
    expect(body.slice(0, -1).every((l) => l.length === 76)).toBe(true)
    const m = (await parseEdxml(built)).message as DocumentMessage
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
    expect(m.attachments).toEqual([
      { contentId: 'cid:1', name: 'quyet-dinh.pdf', contentType: 'application/pdf', size: big.length, sha256: sha(big) },
      { contentId: 'cid:x', name: 'ghi chú.txt', contentType: 'text/plain', description: 'a & b', size: small.length, sha256: sha(small) },
    ])
    expect(m.manifest.map((r) => r.contentId)).toEqual(['cid:1', 'cid:x'])
    expect(m.header.from.organName).toBe('UBND tỉnh <Thử> & "nghiệm"')
    expect(m.business).toEqual({ docType: 'new', paper: '0' })
  })

  it('writes the QCVN 102 element order with the edXML: prefix', async () => {
    const text = (await buildEdxmlBuffer(doc({ dueDate: '2026/12/31', toPlaces: ['Các sở'], steeringType: '1' }))).toString('utf8')
    const header = text.slice(text.indexOf('<edXML:MessageHeader>'), text.indexOf('</edXML:MessageHeader>'))
    const order = [...header.matchAll(/^ {8}<edXML:(\w+)>/gm)].map((m) => m[1])
    expect(order).toEqual(['From', 'To', 'Code', 'PromulgationInfo', 'Subject', 'DueDate', 'SteeringType', 'ToPlaces'])
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">')).toBe(true)
  })

  it('refuses, before writing anything, what a validator would refuse, naming the element', async () => {
    const noTo = await refused(() => buildEdxml(doc({ to: [] })))
    expect([noTo.code, noTo.element]).toEqual(['HUB_ERR_EDXML_INVALID', '/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To'])
    const date = await refused(() => buildEdxml(doc({ dueDate: '31/12/2026' })))
    expect([date.element, date.message]).toEqual(['/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/DueDate', expect.stringContaining('not a date yyyy/MM/dd')])
    const ctrl = await refused(() => buildEdxml(doc({ subject: 'a\u0001b' })))
    expect(ctrl.element).toBe('/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject')
    const status: StatusMessage = {
      kind: 'status',
      header: { from: { organId: '000.00.00.H41' }, responseFor: { documentId: 'x' }, statusCode: '07' as '01', timestamp: '2026/12/01 08:00:00' },
      traces: [],
    }
    const unnamed = await refused(() => buildEdxml(doc({}, [{ name: '', content: Buffer.from('x') }])))
    expect(unnamed.element).toBe('/edXML/AttachmentEncoded/Attachment/AttachmentName')
    const twice = await refused(() =>
      buildEdxml(
        doc({}, [
          { name: 'a', contentId: 'cid:2', content: Buffer.from('x') },
          { name: 'b', content: Buffer.from('y') },
        ]),
      ),
    )
    expect([twice.element, twice.message]).toEqual(['/edXML/AttachmentEncoded/Attachment[2]/ContentId', expect.stringContaining('used twice')])
    const code = await refused(() => buildEdxml(status))
    expect(code.element).toBe('/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/StatusCode')
  })

  it('documentIdOf: <OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation> as in the samples', () => {
    expect(documentIdOf('000.00.00.G22', '2015/09/30', { codeNumber: '7816', codeNotation: 'VPCP-TTĐT' })).toBe('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT')
  })

  it('a status message built and parsed back', async () => {
    const status: StatusMessage = {
      kind: 'status',
      header: {
        from: { organId: '000.00.00.H41', organName: 'UBND Tỉnh Nghệ An' },
        responseFor: {
          organId: '000.00.00.G22',
          code: '7816/VPCP-TTĐT',
          promulgationDate: '2015/09/30',
          documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT',
        },
        staffInfo: { staff: 'Văn thư' },
        statusCode: '03',
        description: 'Tiếp nhận',
        timestamp: '2026/12/01 08:00:00',
      },
      traces: [],
    }
    expect((await parseEdxml(await buildEdxmlBuffer(status))).message).toEqual(status)
  })
})
