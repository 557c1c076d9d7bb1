import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import { hashedBasicDigest } from '../../src/http/auth/hashed-basic.js'
import { buildTraCuuRequestXml, buildXacMinhRequestXml, buildXacThucRequestXml, type PopulationCaller } from '../../src/mappings/population/to-population-xml.js'
import { buildBhxhRequestXml } from '../../src/mappings/registry/from-bhxh.js'
import { parseCongDanReply } from '../../src/mappings/population/from-population.js'
import { startSandbox, type TestSandbox } from '../helpers/hub.js'

/** Acceptance 1: the sandbox's population replies validate against the real XSDs (and BHXH's against its WSDL schema). */
const here = fileURLToPath(new URL('.', import.meta.url))
const realXsd = (name: string) => ({ fileName: name, contents: readFileSync(join(here, '../fixtures/population', name), 'utf8') })
const bhxhWsdl = readFileSync(join(here, '../../src/connectors/bhxh/wsdl/bhxh.wsdl'), 'utf8')
const bhxhXsd = {
  fileName: 'bhxh.xsd',
  contents: /<xs:schema [\s\S]*?<\/xs:schema>/.exec(bhxhWsdl)![0].replace('<xs:schema ', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:bh="http://baohiemxahoi.gov.vn/lienthong/tracuu" '),
}
const caller: PopulationCaller = { serviceCode: '037', integrationCode: '037', verifyServiceCode: '033', officerCode: 'HUB', unitCode: '000.00.00.H56' }

async function validate(xml: string, schema: { fileName: string; contents: string }) {
  const r = await validateXML({ xml: { fileName: 'reply.xml', contents: xml }, schema })
  return { valid: r.valid, errors: r.errors.map((e) => e.message) }
}
/** The first element inside the SOAP Body (what the XSD describes). */
const bodyContent = (envelope: string) => /<(\w+:)?Body>([\s\S]*)<\/(\w+:)?Body>/.exec(envelope)![2]!

let sb: TestSandbox
beforeAll(async () => {
  sb = await startSandbox(5)
  sb.sims.lookups.population.profile = 'xsd'
})
afterAll(() => sb.close())

async function soap(sim: string, xml: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sb.url}/${sim}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body: xml })
  return { status: res.status, text: await res.text() }
}
function populationAuth(): Record<string, string> {
  const ts = String(Date.now())
  return { timestamp: ts, authorization: `Basic ${Buffer.from(`sandbox:${hashedBasicDigest(`${sb.url}/population`, 'sandbox', ts, 'sandbox')}`).toString('base64')}` }
}

describe('population simulator replies against the real XSDs', () => {
  for (const shape of ['full', 'ten-only', 'sparse'] as const) {
    it(`TraCuuThongTinCongDan (${shape} record) validates against CongdanCollection.xsd and XacMinhThongTinNhanThanResponse.xsd`, async () => {
      const p = sb.sims.lookups.seed.people.find((x) => x.shape === shape)!
      const r = await soap('population', buildTraCuuRequestXml(caller, { requestId: 'R-1', idNumber: p.citizen.idNumber }), populationAuth())
      expect(r.status).toBe(200)
      const content = bodyContent(r.text)
      expect(await validate(content, realXsd('CongdanCollection.xsd'))).toEqual({ valid: true, errors: [] })
      expect(await validate(content, realXsd('XacMinhThongTinNhanThanResponse.xsd'))).toEqual({ valid: true, errors: [] })
      const parsed = parseCongDanReply(r.text)
      expect(parsed.kind).toBe('found')
    })
  }

  it('XacMinhThongTinNhanThan reply validates against XacMinhThongTinNhanThanResponse.xsd', async () => {
    const c = sb.sims.lookups.seed.people[0]!.citizen
    const r = await soap('population', buildXacMinhRequestXml(caller, { requestId: 'R-2', idNumber: c.idNumber, fullName: c.fullName, birthDate: { date: c.birthDate!.date! } }), populationAuth())
    expect(await validate(bodyContent(r.text), realXsd('XacMinhThongTinNhanThanResponse.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('XacThucThongTinCongDan reply validates against XacThucThongTinCongDan.xsd', async () => {
    const c = sb.sims.lookups.seed.people[0]!.citizen
    const r = await soap('population', buildXacThucRequestXml(caller, { requestId: 'R-3', idNumber: c.idNumber, fullName: c.fullName }), populationAuth())
    const content = bodyContent(r.text)
    expect(content).toContain('<ns2:TonTai>true</ns2:TonTai>')
    expect(await validate(content, realXsd('XacThucThongTinCongDan.xsd'))).toEqual({ valid: true, errors: [] })
  })

  it('refuses a request without the hashed Basic header with a SOAP fault and 401', async () => {
    const r = await soap('population', buildTraCuuRequestXml(caller, { requestId: 'R-4', idNumber: sb.sims.lookups.seed.people[0]!.citizen.idNumber }))
    expect(r.status).toBe(401)
    expect(r.text).toContain('faultcode')
  })
})

describe('BHXH simulator replies against the WSDL schema', () => {
  it('found and not-found replies validate', async () => {
    const p = sb.sims.lookups.seed.people.find((x) => x.insurance)!
    for (const key of [{ bhxhNumber: p.bhxhNumber }, { idNumber: '001099000000' }]) {
      const r = await soap('bhxh', buildBhxhRequestXml(key, 'R-5', '000.00.00.H56'), { 'x-api-key': 'sandbox-key' })
      expect(r.status).toBe(200)
      expect(await validate(bodyContent(r.text), bhxhXsd)).toEqual({ valid: true, errors: [] })
    }
  })
})
