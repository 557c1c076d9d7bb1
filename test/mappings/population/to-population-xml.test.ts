import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import { buildTraCuuRequestBody, buildXacMinhRequestBody, buildXacThucRequestBody } from '../../../src/mappings/population/to-population-xml.js'
import type { PopulationCaller } from '../../../src/mappings/population/to-population-xml.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const fixtures = join(here, '../../fixtures/population')
const wsdlDir = join(here, '../../../src/connectors/population/wsdl')
const xsd = (name: string): { fileName: string; contents: string } => ({ fileName: name, contents: readFileSync(join(fixtures, name), 'utf8') })

async function validate(xml: string, schema: { fileName: string; contents: string }, preload: Array<{ fileName: string; contents: string }> = []) {
  const result = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema, preload })
  return { valid: result.valid, errors: result.errors.map((e) => e.message) }
}

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
})
