import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import { parseCongDanReply, parseXacThucReply } from '../../src/mappings/population/from-population.js'
import {
  buildTraCuuRequestXml,
  buildXacMinhRequestXml,
  buildXacThucRequestXml,
  type PopulationCaller,
} from '../../src/mappings/population/to-population-xml.js'
import type { SeedCitizen } from '../../src/sandbox/lookups/data.js'
import { congDanCollection, readPopulationRequest, xacMinhResponse, xacThucResponse } from '../../src/sandbox/lookups/population-wire.js'
import { soapEnvelope, soapFault } from '../../src/sandbox/lookups/soap.js'

/**
 * The sandbox's own reading of the population format: its replies against the real XSDs,
 * read back by the hub's parser (two independent readings must agree), and its strict
 * request reader on the real sample and on what the hub's builders produce.
 */
const here = fileURLToPath(new URL('.', import.meta.url))
const fixtures = join(here, '../fixtures/population')
const xsd = (name: string) => ({ fileName: name, contents: readFileSync(join(fixtures, name), 'utf8') })
async function validate(xml: string, schema: { fileName: string; contents: string }) {
  const r = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema })
  return { valid: r.valid, errors: r.errors.map((e) => e.message) }
}

// Fictional people only (Decree 13/2023): names and numbers are made up.
const address = { provinceCode: '01', districtCode: '001', wardCode: '00004', detail: 'Số 1 & 2 <phố Giả>', country: 'VN' }
const split: SeedCitizen = {
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
  birthDate: { year: 1985, date: '1985-03-15' },
  father: { fullName: 'Nguyễn Văn Bình', idNumber: '001055000002', nationality: { code: 'VN', name: 'Việt Nam' } },
  mother: { fullName: 'Trần Thị Cúc', nationality: { code: 'LA', name: 'Lào' } },
  spouse: { fullName: 'Lê Thị Dung', idNumber: '001187000004' },
  birthRegistrationPlace: address,
  hometown: address,
  permanentAddress: address,
  currentAddress: address,
  householdHead: { relation: 'Chủ hộ', fullName: 'Nguyễn Văn An', idNumber: '001085000001' },
  householdBookNumber: 'HK-0001234',
}
const tenOnly: SeedCitizen = {
  idNumber: '079190000005',
  fullName: 'Phạm Thị Hoa',
  gender: { code: '2', name: 'Nữ' },
  ethnicity: { code: '02', name: 'Tày' },
  religion: { code: '00', name: 'Không' },
  nationality: { code: 'VN', name: 'Việt Nam' },
  birthDate: { year: 1990 },
}

describe('sandbox population replies', () => {
  it('validate against CongdanCollection.xsd and XacMinhThongTinNhanThanResponse.xsd (xsd profile)', async () => {
    expect(await validate(congDanCollection([split, tenOnly], 'xsd', 'REQ-1'), xsd('CongdanCollection.xsd'))).toEqual({ valid: true, errors: [] })
    expect(await validate(congDanCollection([tenOnly], 'xsd', 'REQ-1'), xsd('XacMinhThongTinNhanThanResponse.xsd'))).toEqual({ valid: true, errors: [] })
    expect(await validate(xacMinhResponse([split], 'xsd', 'REQ-1'), xsd('XacMinhThongTinNhanThanResponse.xsd'))).toEqual({ valid: true, errors: [] })
    expect(await validate(xacThucResponse(true), xsd('XacThucThongTinCongDan.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('the validator really rejects: the full profile and a reply missing Me are invalid', async () => {
    expect((await validate(congDanCollection([split], 'full', 'R'), xsd('CongdanCollection.xsd'))).valid).toBe(false)
    const noMother = congDanCollection([tenOnly], 'xsd', 'R').replace(/<dc:Me>.*?<\/dc:Me>/, '')
    expect((await validate(noMother, xsd('CongdanCollection.xsd'))).valid).toBe(false)
  })

  it('the hub parser reads the full profile back: every field the sandbox sent', () => {
    expect(parseCongDanReply(soapEnvelope(congDanCollection([split, tenOnly], 'full', 'X')))).toEqual({
      kind: 'found',
      upstreamRef: 'X',
      value: [
        {
          ...split,
          // Cha/Me come as three name parts, the spouse and the head of household as plain text: all give fullName.
          father: { fullName: 'Nguyễn Văn Bình', idNumber: '001055000002', nationality: { code: 'VN', name: 'Việt Nam' } },
          mother: { fullName: 'Trần Thị Cúc', nationality: { code: 'LA', name: 'Lào' } },
          spouse: { fullName: 'Lê Thị Dung', idNumber: '001187000004' },
        },
        // Whole name in Ten: no guessed split; year-only birth.
        { ...tenOnly },
      ],
    })
  })

  it('the xsd profile carries only the XSD fields; not found, verify and faults read as the hub expects', () => {
    const parsed = parseCongDanReply(soapEnvelope(congDanCollection([split], 'xsd', 'R1')))
    expect(parsed).toEqual({
      kind: 'found',
      upstreamRef: 'R1',
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
      ],
    })
    expect(parseCongDanReply(soapEnvelope(congDanCollection([], 'full', 'R2')))).toMatchObject({ kind: 'not_found', upstreamRef: 'R2' })
    expect(parseXacThucReply(soapEnvelope(xacThucResponse(false)))).toEqual({ kind: 'found', value: { exists: false } })
    expect(parseCongDanReply(soapFault('Client', 'Sai & thiếu tham số'))).toEqual({
      kind: 'fault',
      code: 'SOAP_Client',
      message: 'Sai & thiếu tham số',
      retryable: false,
    })
  })
})

describe('sandbox population request reader', () => {
  const caller: PopulationCaller = { serviceCode: 'DVC-H56', integrationCode: '037', verifyServiceCode: '033', officerCode: 'HUB', unitCode: '000.00.00.H56' }

  it('reads what the hub builds', () => {
    expect(readPopulationRequest(buildTraCuuRequestXml(caller, { requestId: 'R4', idNumber: '001085000001', birthDate: { year: 1985 } }))).toEqual({
      ok: true,
      operation: 'TraCuuThongTinCongDan',
      fields: {
        MaYeuCau: 'R4',
        MaDVC: 'DVC-H56',
        MaTichHop: '037',
        MaCanBo: 'HUB',
        MaDonVi: '000.00.00.H56',
        SoDinhDanh: '001085000001',
        NgayThangNamSinh: '1985',
      },
    })
    expect(readPopulationRequest(buildXacThucRequestXml(caller, { requestId: 'R5', idNumber: '001085000001', fullName: 'A & B' }))).toMatchObject({
      ok: true,
      fields: { HoVaTen: 'A & B', MaDichVu: '033', SoCMND: '' },
    })
    expect(
      readPopulationRequest(buildXacMinhRequestXml(caller, { requestId: 'R6', idNumber: '001085000001', fullName: 'X', birthDate: { date: '1985-03-15' } })),
    ).toMatchObject({
      ok: true,
      operation: 'XacMinhThongTinNhanThan',
      fields: { NgayThangNamSinh: '19850315' },
    })
  })

  it('reads the repaired request half of the real XacThuc sample', () => {
    const raw = readFileSync(join(fixtures, 'XacThucThongTinCongDan.input-output.xml'), 'utf8')
    const input = raw
      .split(/^Output:\s*$/m)[0]!
      .replace(/^Input:\s*$/m, '')
      .trim()
      .split('\n')
    input[0] = input[0]!.slice(input[0]!.lastIndexOf('<soapenv:Envelope'))
    expect(readPopulationRequest(input.join('\n'))).toMatchObject({
      ok: true,
      operation: 'XacThucThongTinCongDan',
      fields: { MaDichVu: '033', MaCanBo: 'VDXP_VPCP', SoDinhDanh: 'string', HoVaTen: 'string' },
    })
  })

  it('refuses what the XSDs refuse: wrong namespace, wrong order, a missing element, an unknown operation', () => {
    const good = buildXacMinhRequestXml(caller, { requestId: 'R', idNumber: '001085000001', fullName: 'X', birthDate: { year: 1985 } })
    expect(readPopulationRequest(good.replace('http://gtel.vn/qldc', 'http://dancuquocgia.bca'))).toMatchObject({
      ok: false,
      operation: 'XacMinhThongTinNhanThan',
    })
    expect(readPopulationRequest(good.replace(/(<qldc:MaDVC>.*?<\/qldc:MaDVC>)(<qldc:MaTichHop>.*?<\/qldc:MaTichHop>)/, '$2$1'))).toMatchObject({ ok: false })
    expect(readPopulationRequest(good.replace(/<qldc:SoCMND\/>/, ''))).toMatchObject({ ok: false })
    expect(readPopulationRequest(soapEnvelope('<x:Other xmlns:x="urn:x"/>'))).toMatchObject({ ok: false })
    expect(readPopulationRequest('not xml')).toMatchObject({ ok: false })
  })
})
