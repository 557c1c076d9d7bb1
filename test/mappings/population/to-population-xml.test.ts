import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import type { Citizen } from '../../../src/mappings/population/types.js'
import {
  buildCongDanReplyXml,
  buildSoapFaultXml,
  buildTraCuuRequestBody,
  buildTraCuuRequestXml,
  buildXacMinhReplyXml,
  buildXacMinhRequestBody,
  buildXacMinhRequestXml,
  buildXacThucReplyXml,
  buildXacThucRequestBody,
  buildXacThucRequestXml,
  wrapSoapEnvelope,
} from '../../../src/mappings/population/to-population-xml.js'
import type { PopulationCaller } from '../../../src/mappings/population/to-population-xml.js'
import { parseCongDanReply, parsePopulationRequest, parseXacThucReply } from '../../../src/mappings/population/from-population.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const fixtures = join(here, '../../fixtures/population')
const wsdlDir = join(here, '../../../src/connectors/population/wsdl')
const xsd = (name: string): { fileName: string; contents: string } => ({ fileName: name, contents: readFileSync(join(fixtures, name), 'utf8') })

async function validate(xml: string, schema: { fileName: string; contents: string }, preload: Array<{ fileName: string; contents: string }> = []) {
  const result = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema, preload })
  return { valid: result.valid, errors: result.errors.map((e) => e.message) }
}

// Fictional people only (Decree 13/2023): names and numbers are made up.
const split: Citizen = {
  idNumber: '001085000001',
  oldIdNumber: '011000001',
  fullName: 'Nguyễn Văn An',
  familyName: 'Nguyễn',
  middleName: 'Văn',
  givenName: 'An',
  gender: { code: '1', name: 'Nam' },
  ethnicity: { code: '01', name: 'Kinh' },
  religion: { code: '00', name: 'Không' },
  nationality: { code: 'VN', name: 'Việt Nam' },
  maritalStatus: { code: '2', name: 'Đã kết hôn' },
  bloodType: { code: '1', name: 'A' },
  birthDate: { year: 1985, date: '1985-03-15' },
  birthRegistrationPlace: { provinceCode: '01', country: 'VN' },
  hometown: { provinceCode: '38', districtCode: '380', wardCode: '14950', detail: 'Thôn Đông', country: 'VN' },
  permanentAddress: { provinceCode: '01', districtCode: '001', wardCode: '00004', detail: 'Số 1 & 2 <phố Giả>', country: 'VN' },
  currentAddress: { provinceCode: '01', detail: 'Phòng 3' },
  father: { fullName: 'Nguyễn Văn Bình', idNumber: '001055000002', nationality: { code: 'VN', name: 'Việt Nam' } },
  mother: { fullName: 'Trần Thị Cúc', nationality: { code: 'LA', name: 'Lào' } },
  spouse: { fullName: 'Lê Thị Dung', idNumber: '001187000004', oldIdNumber: '011000004' },
  representative: { fullName: 'Phạm Văn Em' },
  householdHead: { relation: 'Chủ hộ', fullName: 'Nguyễn Văn An', idNumber: '001085000001' },
  householdBookNumber: 'HK-0001234',
}
const tenOnly: Citizen = {
  idNumber: '079190000005',
  fullName: 'Phạm Thị Hoa',
  gender: null,
  ethnicity: null,
  religion: null,
  nationality: null,
  birthDate: { year: 1990 },
}

describe('buildCongDanReplyXml against the real XSDs', () => {
  const opts = { id: 'REQ-0001', dataTime: '2025-06-01T08:00:00+07:00', note: 'sandbox' }

  it('validates against CongdanCollection.xsd (xsd profile)', async () => {
    const xml = buildCongDanReplyXml([split, tenOnly], opts)
    expect(await validate(xml, xsd('CongdanCollection.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('validates against XacMinhThongTinNhanThanResponse.xsd, bare and wrapped', async () => {
    const schema = xsd('XacMinhThongTinNhanThanResponse.xsd')
    expect(await validate(buildCongDanReplyXml([tenOnly], opts), schema)).toEqual({ valid: true, errors: [] })
    expect(await validate(buildXacMinhReplyXml([split], opts), schema)).toEqual({ valid: true, errors: [] })
  })

  it('the validator really rejects: the full profile and a reply missing Me are invalid', async () => {
    const full = await validate(buildCongDanReplyXml([split], { profile: 'full' }), xsd('CongdanCollection.xsd'))
    expect(full.valid).toBe(false)
    const noMother = buildCongDanReplyXml([tenOnly]).replace(/<dc:Me>.*?<\/dc:Me>/, '')
    expect((await validate(noMother, xsd('CongdanCollection.xsd'))).valid).toBe(false)
  })

  it('validates the real verify answer shape against XacThucThongTinCongDan.xsd', async () => {
    expect(await validate(buildXacThucReplyXml(true), xsd('XacThucThongTinCongDan.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('round-trips the xsd profile through the parser (the fields the XSD carries)', () => {
    const parsed = parseCongDanReply(wrapSoapEnvelope(buildCongDanReplyXml([split, tenOnly], opts)))
    expect(parsed).toEqual({
      kind: 'found',
      upstreamRef: 'REQ-0001',
      value: [
        {
          idNumber: split.idNumber,
          oldIdNumber: split.oldIdNumber,
          fullName: split.fullName,
          familyName: 'Nguyễn',
          middleName: 'Văn',
          givenName: 'An',
          gender: null,
          ethnicity: null,
          religion: null,
          nationality: null,
          birthDate: split.birthDate,
          father: split.father,
          mother: split.mother,
        },
        tenOnly,
      ],
    })
  })

  it('round-trips every field through the full profile', () => {
    const parsed = parseCongDanReply(wrapSoapEnvelope(buildXacMinhReplyXml([split, tenOnly], { profile: 'full', id: 'X' })))
    expect(parsed).toEqual({ kind: 'found', upstreamRef: 'X', value: [split, tenOnly] })
  })

  it('an empty answer parses as not_found', () => {
    expect(parseCongDanReply(wrapSoapEnvelope(buildCongDanReplyXml([], { id: 'R' })))).toMatchObject({ kind: 'not_found', upstreamRef: 'R' })
  })

  it('a built fault parses as a typed fault', () => {
    expect(parseCongDanReply(buildSoapFaultXml('Client', 'Sai & thiếu tham số'))).toEqual({ kind: 'fault', code: 'SOAP_Client', message: 'Sai & thiếu tham số', retryable: false })
    expect(parseXacThucReply(wrapSoapEnvelope(buildXacThucReplyXml(false)))).toEqual({ kind: 'found', value: { exists: false } })
  })
})

describe('request builders', () => {
  const caller: PopulationCaller = { serviceCode: 'DVC-H56', integrationCode: '037', verifyServiceCode: '033', officerCode: 'HUB', unitCode: '000.00.00.H56' }

  it('XacThuc request validates against XacThucThongTinCongDan.xsd', async () => {
    const body = buildXacThucRequestBody(caller, { requestId: 'R1', idNumber: '001085000001', fullName: 'Nguyễn Văn An' })
    expect(await validate(body, xsd('XacThucThongTinCongDan.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('XacMinh request validates against XacMinhThongTinNhanThanRequest.xsd', async () => {
    const body = buildXacMinhRequestBody(caller, { requestId: 'R2', idNumber: '001085000001', fullName: 'Nguyễn Văn An', birthDate: { date: '1985-03-15' } })
    expect(await validate(body, xsd('XacMinhThongTinNhanThanRequest.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('TraCuu request validates against the schema declared inline in dancu.wsdl', async () => {
    const wsdl = readFileSync(join(wsdlDir, 'dancu.wsdl'), 'utf8')
    const inline = /<xs:schema targetNamespace="http:\/\/dancuquocgia\.bca"[\s\S]*?<\/xs:schema>/.exec(wsdl)?.[0]
    expect(inline).toBeDefined()
    const schema = { fileName: 'tracuu.xsd', contents: inline!.replace('<xs:schema ', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" ') }
    const preload = [xsd('XacThucThongTinCongDan.xsd')]
    for (const birthDate of [{ year: 1985 }, { date: '1985-03-15' }, undefined]) {
      const body = buildTraCuuRequestBody(caller, { requestId: 'R3', idNumber: '001085000001', fullName: 'Nguyễn Văn An', ...(birthDate ? { birthDate } : {}) })
      expect(await validate(body, schema, preload)).toEqual({ valid: true, errors: [] })
    }
  })

  it('the sandbox reads back what the hub sends', () => {
    expect(parsePopulationRequest(buildTraCuuRequestXml(caller, { requestId: 'R4', idNumber: '001085000001', birthDate: { year: 1985 } }))).toEqual({
      operation: 'TraCuuThongTinCongDan',
      fields: { MaYeuCau: 'R4', MaDVC: 'DVC-H56', MaTichHop: '037', MaCanBo: 'HUB', MaDonVi: '000.00.00.H56', SoDinhDanh: '001085000001', NgayThangNamSinh: '1985' },
    })
    expect(parsePopulationRequest(buildXacThucRequestXml(caller, { requestId: 'R5', idNumber: '001085000001', fullName: 'A & B' }))?.fields).toMatchObject({ HoVaTen: 'A & B', MaDichVu: '033' })
    expect(parsePopulationRequest(buildXacMinhRequestXml(caller, { requestId: 'R6', idNumber: '001085000001', fullName: 'X', birthDate: { date: '1985-03-15' } }))).toMatchObject({
      operation: 'XacMinhThongTinNhanThan',
      fields: { NgayThangNamSinh: '19850315' },
    })
    expect(parsePopulationRequest(wrapSoapEnvelope('<x:Other xmlns:x="urn:x"/>'))).toBeUndefined()
  })
})
