import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import soap from 'soap'
import { validateXML } from 'xmllint-wasm'
import { fromBhxhParticipation } from '../../../src/mappings/bhxh/from-bhxh.js'
import { buildBhxhRequestBody } from '../../../src/mappings/bhxh/to-bhxh.js'
import type { InsuranceParticipation } from '../../../src/mappings/bhxh/from-bhxh.js'
import { bhxhResponse } from '../../../src/sandbox/lookups/bhxh-wire.js'
import type { SeedInsurance } from '../../../src/sandbox/lookups/data.js'
import { soapEnvelope } from '../../../src/sandbox/lookups/soap.js'

const wsdlPath = join(fileURLToPath(new URL('.', import.meta.url)), '../../../src/connectors/bhxh/wsdl/bhxh.wsdl')
const wsdl = readFileSync(wsdlPath, 'utf8')
const inline = /<xs:schema [\s\S]*?<\/xs:schema>/
  .exec(wsdl)![0]
  .replace('<xs:schema ', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:bh="http://baohiemxahoi.gov.vn/lienthong/tracuu" ')

async function validate(xml: string) {
  const r = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema: { fileName: 'bhxh.xsd', contents: inline } })
  return { valid: r.valid, errors: r.errors.map((e) => e.message) }
}

// Fictional participant.
const participant: InsuranceParticipation = {
  bhxhNumber: '0112345678',
  idNumber: '001085000001',
  fullName: 'Nguyễn Văn An',
  birthDate: '1985-03-15',
  birthYear: 1985,
  gender: '1',
  status: { code: '1', name: 'Đang tham gia', state: 'participating' },
  healthCard: { number: 'DN4010112345678', validFrom: '2025-01-01', validTo: '2025-12-31', clinic: { code: '01001', name: 'Bệnh viện Giả Định' } },
  periods: [
    { from: '2010-01', to: '2015-12', employer: { code: 'TA0001A', name: 'Công ty Mẫu & Con' }, schemes: ['BHXH', 'BHYT'] },
    { from: '2016-01', schemes: ['BHXH'] },
  ],
}

// The same participant as the sandbox holds it (its own record shape: no derived `state`).
const record: SeedInsurance = {
  bhxhNumber: '0112345678',
  idNumber: '001085000001',
  fullName: 'Nguyễn Văn An',
  birthDate: '1985-03-15',
  gender: '1',
  status: { code: '1', name: 'Đang tham gia' },
  healthCard: { number: 'DN4010112345678', validFrom: '2025-01-01', validTo: '2025-12-31', clinic: { code: '01001', name: 'Bệnh viện Giả Định' } },
  periods: [
    { from: '2010-01', to: '2015-12', employer: { code: 'TA0001A', name: 'Công ty Mẫu & Con' }, schemes: ['BHXH', 'BHYT'] },
    { from: '2016-01', schemes: ['BHXH'] },
  ],
}

describe('bhxh.wsdl', () => {
  it('loads with node-soap and describes TraCuuQuaTrinhThamGia', async () => {
    const client = await soap.createClientAsync(wsdlPath)
    const d = client.describe() as Record<string, Record<string, Record<string, { input: Record<string, unknown>; output: Record<string, unknown> }>>>
    const op = d['BhxhTraCuuService']?.['BhxhTraCuuPort']?.['TraCuuQuaTrinhThamGia']
    expect(op).toBeDefined()
    expect(Object.keys(op!.input)).toEqual(expect.arrayContaining(['MaYeuCau', 'MaDonVi', 'MaSoBHXH', 'SoDinhDanh']))
    expect(Object.keys(op!.output)).toEqual(expect.arrayContaining(['MaYeuCau', 'KetQua', 'ThongTinThamGia']))
  })

  it('requests by BHXH number and by CCCD validate against its schema; a bad key does not', async () => {
    expect(await validate(buildBhxhRequestBody({ bhxhNumber: '0112345678' }, 'R1', '000.00.00.H56'))).toEqual({ valid: true, errors: [] })
    expect(await validate(buildBhxhRequestBody({ idNumber: '001085000001' }, 'R2', '000.00.00.H56'))).toEqual({ valid: true, errors: [] })
    expect((await validate(buildBhxhRequestBody({ bhxhNumber: '12345' }, 'R3', '000.00.00.H56'))).valid).toBe(false)
  })

  it('sandbox replies (its own builder) validate against its schema and round-trip through the mapping', async () => {
    expect(await validate(bhxhResponse('R1', record))).toEqual({ valid: true, errors: [] })
    expect(await validate(bhxhResponse('R2', undefined))).toEqual({ valid: true, errors: [] })
    expect(fromBhxhParticipation(soapEnvelope(bhxhResponse('R1', record)))).toEqual({ kind: 'found', upstreamRef: 'R1', value: participant })
    expect(fromBhxhParticipation(soapEnvelope(bhxhResponse('R2', undefined)))).toMatchObject({ kind: 'not_found', upstreamRef: 'R2' })
  })
})
