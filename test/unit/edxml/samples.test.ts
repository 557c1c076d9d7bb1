import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  buildEdxmlBuffer,
  describeSignature,
  MemorySink,
  parseEdxml,
  toOutgoing,
  type DocumentMessage,
  type ParsedEdxml,
  type StatusMessage,
} from '../../../src/edxml/index.js'

const DIR = join(import.meta.dirname, '../../fixtures/vdxp')
const read = (f: string) => readFileSync(join(DIR, f))

const NGHE_AN = '000.00.00.H41'
const VPCP = '000.00.00.G22'
const SUBJECT = 'V/v kết nối, liên thông phần mềm quản lý văn bản'
const REF_DOC = '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'

/** Key fields, read by eye from each sample file (the file is the source of every value). */
const DOCUMENTS: Record<string, { from: string; to: string[]; code: [string, string]; docType: string; strayBytes: boolean }> = {
  'edoc_new.edxml': { from: '002.00.20.H13', to: ['28.22.H17'], code: ['74fass22', 'VPCP-TTĐT'], docType: 'new', strayBytes: true },
  'edoc_revocation.edxml': { from: VPCP, to: [NGHE_AN, '000.00.00.H14', '000.00.00.G17'], code: ['7816', 'VPCP-TTĐT'], docType: 'revoke', strayBytes: false },
  'edoc_update.edxml': { from: VPCP, to: [NGHE_AN, '000.00.00.H14', '000.00.00.G17'], code: ['7816', 'VPCP-TTĐT'], docType: 'update', strayBytes: false },
  'edoc_replacement.edxml': { from: VPCP, to: [NGHE_AN, '000.00.00.H14', '000.00.00.G17'], code: ['7816', 'VPCP-TTĐT'], docType: 'replace', strayBytes: false },
}

const STATUSES: Record<string, { from: string; code: string; description: string; timestamp: string; promulgationDate: string }> = {
  'status.edxml': {
    from: NGHE_AN,
    code: '01',
    description: 'Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý',
    timestamp: '2018/09/28 17:25:11',
    promulgationDate: '2018/09/28',
  },
  'status_inbox_01.edxml': {
    from: NGHE_AN,
    code: '01',
    description: 'Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_rejection_02.edxml': {
    from: NGHE_AN,
    code: '02',
    description: 'Văn thư - Phòng Văn thư - Lưu trữ: Từ chối không tiếp nhận văn bản điện tử',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_acceptance_03.edxml': {
    from: NGHE_AN,
    code: '03',
    description: 'Văn thư cơ - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_assignment_04.edxml': {
    from: NGHE_AN,
    code: '04',
    description: 'Lãnh đạo: Phân công xử lý',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_processing_05.edxml': {
    from: NGHE_AN,
    code: '05',
    description: 'Đang xử lý văn bản đến',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_finish_06.edxml': {
    from: NGHE_AN,
    code: '06',
    description: 'Văn thư: Ban hành văn bản đến, hoàn thành xử lý',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_cancellation_13.edxml': {
    from: VPCP,
    code: '13',
    description: 'Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_change-acceptance_15.edxml': {
    from: NGHE_AN,
    code: '15',
    description: 'Văn thư đồng ý yêu cầu cập nhật, lấy lại',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
  'status_change-rejection_16.edxml': {
    from: NGHE_AN,
    code: '16',
    description: 'Văn thư từ chối yêu cầu cập nhật, lấy lại',
    timestamp: '2015/09/20 11:08:36',
    promulgationDate: '2015/09/30',
  },
}

const ALL = [...Object.keys(DOCUMENTS), ...Object.keys(STATUSES)]

/** Attachments straight from the raw text, without the parser: name, decoded size and SHA-256 (Buffer.from(base64)). */
function rawAttachments(file: string): { name: string; size: number; sha256: string }[] {
  const text = read(file).toString('utf8')
  const out = []
  for (const m of text.matchAll(
    /<Attachment>[\s\S]*?<AttachmentName>([^<]*)<\/AttachmentName>[\s\S]*?<edXML:ContentTransferEncoded[^>]*>([^<]*)<\/edXML:ContentTransferEncoded>/g,
  )) {
    const bytes = Buffer.from(m[2]!, 'base64')
    out.push({ name: m[1]!, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
  }
  return out
}

describe('the 14 real VDXP samples', () => {
  it('are all here (4 documents, 10 status messages)', () => {
    expect(ALL).toHaveLength(14)
  })

  for (const [file, want] of Object.entries(DOCUMENTS)) {
    it(`${file}: document, sender ${want.from}, business type ${want.docType}`, async () => {
      const parsed = await parseEdxml(read(file))
      const m = parsed.message as DocumentMessage
      expect(m.kind).toBe('document')
      expect(m.header.from.organId).toBe(want.from)
      expect(m.header.to.map((t) => t.organId)).toEqual(want.to)
      expect(m.header.code).toEqual({ codeNumber: want.code[0], codeNotation: want.code[1] })
      expect(m.header.subject).toBe(SUBJECT)
      expect(m.header.documentId).toBe(REF_DOC)
      expect(m.business?.docType).toBe(want.docType)
      expect(m.manifest.map((r) => r.attachmentName)).toEqual(['1896_QD-TTg_m_294779.doc'])
      const expected = rawAttachments(file)
      expect(expected).toHaveLength(1)
      expect(expected[0]!.size).toBeGreaterThan(200_000)
      expect(m.attachments.map(({ name, size, sha256 }) => ({ name, size, sha256 }))).toEqual(expected)
      expect(m.attachments[0]!.contentType).toBe('application/zip')
      expect(m.attachments[0]!.contentId).toBe('cid:209')
      // The truncated certificate: "cannot be verified", and parsing went on.
      expect(parsed.signature.status).toBe('unverifiable')
      expect(describeSignature(parsed.signature)).toMatch(/^signature cannot be verified: .*X509Certificate.*truncated/)
      expect(parsed.quirks.some((q) => q.includes('4 stray byte'))).toBe(want.strayBytes)
    })
  }

  it('business details: new carries its DocumentId, revoke its ResponseFor, update its receivers, replace its replaced documents', async () => {
    const doc = async (f: string) => (await parseEdxml(read(f))).message as DocumentMessage
    const neu = await doc('edoc_new.edxml')
    expect(neu.business).toMatchObject({ documentId: '000.00.00.G22,2014/02/30,7806/VPCP-TTĐT', reason: 'Văn bản điện tử mới', paper: '0' })
    expect(neu.business?.staffInfo).toEqual({
      department: 'Văn thư văn phòng',
      staff: 'Nguyễn Thị Ngọc Trâm',
      email: 'vanthuvanphong@gov.vn',
      mobile: '84912000001',
    })
    expect(neu.header.to[0]!.organizationInCharge).toBe('UBND xã Hòa Sơn - UBND huyện Hòa Vang - Thành phố Đà Nẵng') // leading space trimmed
    expect(neu.header.promulgationInfo).toEqual({ place: 'Hà Nội', promulgationDate: '2019/01/16' })
    const revoke = await doc('edoc_revocation.edxml')
    expect(revoke.business?.reason).toBe('Thu hồi văn bản điện tử')
    expect(revoke.header.responseFor).toEqual([
      { organId: '000.00.00.H14', code: '267/VPCP-TTĐT', documentId: '000.00.04.G14,2012/08/06,267/VPCP-TTĐT', promulgationDate: '2018/09/28' },
    ])
    const update = await doc('edoc_update.edxml')
    expect(update.business?.documentInfo).toEqual({
      documentInfo: '1',
      documentReceiver: '1',
      receivers: [
        { organId: NGHE_AN, receiverType: '0' },
        { organId: '000.00.00.H14', receiverType: '1' },
      ],
    })
    const replace = await doc('edoc_replacement.edxml')
    expect(replace.business?.replacements).toEqual([
      { documentId: '000.00.00.G22,2014/01/30,7806/VPCP-TTĐT', organIds: [NGHE_AN, '000.00.00.H14'] },
      { documentId: '000.00.00.G22,2014/01/30,7806/VPCP-TTĐT', organIds: [NGHE_AN, '000.00.00.H14'] },
    ])
    expect(replace.header.otherInfo?.appendixes).toEqual(['Công văn về việc kết nối, liên thông phần mềm quản lý văn bản'])
    expect(replace.header.toPlaces).toEqual(['Cac bo va co quan ngang bo', 'Uy ban nhan dan cac tinh, TP'])
  })

  for (const [file, want] of Object.entries(STATUSES)) {
    it(`${file}: status ${want.code} from ${want.from}`, async () => {
      const parsed = await parseEdxml(read(file))
      const m = parsed.message as StatusMessage
      expect(m.kind).toBe('status')
      expect(m.header.statusCode).toBe(want.code)
      expect(m.header.from.organId).toBe(want.from)
      expect(m.header.responseFor.documentId).toBe(REF_DOC)
      expect(m.header.responseFor.code).toBe('7816/VPCP-TTĐT')
      expect(m.header.responseFor.promulgationDate).toBe(want.promulgationDate)
      expect(m.header.description).toBe(want.description)
      expect(m.header.timestamp).toBe(want.timestamp)
      expect(m.header.staffInfo?.mobile).toBe('84912000001')
      expect(parsed.signature).toEqual({ status: 'absent' })
    })
  }

  it('a stream gives the same model as a Buffer', async () => {
    const fromBuffer = await parseEdxml(read('edoc_new.edxml'))
    const fromStream = await parseEdxml(createReadStream(join(DIR, 'edoc_new.edxml'), { highWaterMark: 1000 }))
    expect(fromStream).toEqual(fromBuffer)
  })
})

describe('round trip: build(parse(sample)) parses into the same model', () => {
  for (const file of ALL) {
    it(file, async () => {
      const sink = new MemorySink()
      const first = await parseEdxml(read(file), { sink })
      const built = await buildEdxmlBuffer(toOutgoing(first.message, (i) => sink.bodies.get(i)!))
      const second = await parseEdxml(built)
      expect(second.message).toEqual(first.message)
      // The form central validators accept: every element under the envelope carries the edXML: prefix.
      const envelope = built.toString('utf8').split('<AttachmentEncoded>')[0]!
      expect(envelope.match(/<(?!\?|\/|edXML[ >])(?!edXML:)[A-Za-z]/g)).toBeNull()
      if (first.message.kind === 'document') {
        expect(first.message.attachments[0]!.sha256).toBe(createHash('sha256').update(sink.bodies.get(0)!).digest('hex'))
        expect(
          Math.max(
            ...built
              .toString('latin1')
              .split('\n')
              .map((l) => l.length),
          ),
        ).toBeLessThan(200) // base64 wrapped
      }
    })
  }
})

/** Runs the CLI as an operator would (tsx as the loader, the real src/cli.ts). */
function cli(args: string[], viaNpx = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, argv] = viaNpx ? ['npx', ['tsx', 'src/cli.ts', ...args]] : [process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args]]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

describe('lgsp-hub edxml parse <file>', () => {
  it('prints the same model as the parser for every sample (attachments as name, type, size, SHA-256)', { timeout: 120_000 }, async () => {
    const check = async (file: string) => {
      const out = await cli(['edxml', 'parse', join(DIR, file)])
      expect(out.code, out.stderr).toBe(0)
      const json = JSON.parse(out.stdout) as Record<string, unknown>
      const parsed: ParsedEdxml = await parseEdxml(read(file))
      const { signature, quirks, bytes, ...message } = json
      expect(message).toEqual(JSON.parse(JSON.stringify(parsed.message)))
      expect(signature).toEqual({ ...parsed.signature, text: describeSignature(parsed.signature) })
      expect(quirks).toEqual(parsed.quirks)
      expect(bytes).toBe(read(file).length)
      if (file.startsWith('edoc_')) {
        const [a] = message.attachments as { name: string; contentType: string; size: number; sha256: string }[]
        const [expected] = rawAttachments(file)
        expect({ name: a!.name, size: a!.size, sha256: a!.sha256 }).toEqual(expected)
        expect(a!.contentType).toBe('application/zip')
        expect((signature as { text: string }).text).toMatch(/^signature cannot be verified: /)
      }
    }
    // Two at a time: the machine is shared.
    const queue = [...ALL]
    const drain = async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) await check(f)
    }
    await Promise.all([drain(), drain()])
  })

  it('refuses a hostile message with the clear error and exit code 65 (through npx tsx)', { timeout: 60_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'edxml-cli-')), 'laughs.edxml')
    writeFileSync(file, '<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<edXML>&b;</edXML>\n')
    const out = await cli(['edxml', 'parse', file], true)
    expect(out.code).toBe(65)
    expect(JSON.parse(out.stderr)).toMatchObject({ error: 'HUB_ERR_EDXML_DTD_FORBIDDEN', element: '/' })
    expect(out.stdout).toBe('')
  })

  it('a missing file: exit code 66; no file: usage, 64', { timeout: 60_000 }, async () => {
    const missing = await cli(['edxml', 'parse', join(DIR, 'nope.edxml')])
    expect(missing.code).toBe(66)
    expect(missing.stderr).toContain('cannot read')
    const usage = await cli(['edxml'])
    expect(usage.code).toBe(64)
    expect(usage.stderr).toContain('usage: lgsp-hub edxml parse <file>')
  })
})
