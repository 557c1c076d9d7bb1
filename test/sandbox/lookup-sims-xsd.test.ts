import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import { createBhxhConnector, type BhxhApi } from '../../src/connectors/bhxh/index.js'
import { createPopulationConnector, type PopulationApi } from '../../src/connectors/population/index.js'
import { buildConnector } from '../helpers/connectors.js'
import { startSandbox, type TestSandbox } from '../helpers/hub.js'
import type { PlainRequest } from '../../src/http/plain-request.js'

/**
 * The bytes on the wire against the real schemas: the requests the hub's connectors
 * actually send (captured by the sandbox's recorder, at the network boundary) and the
 * sandbox's replies as the hub's HTTP client received them.
 */
const here = fileURLToPath(new URL('.', import.meta.url))
const wsdlDir = join(here, '../../src/connectors/population/wsdl')
const realXsd = (name: string) => ({ fileName: name, contents: readFileSync(join(wsdlDir, name), 'utf8') })
/** The schema declared inline in a WSDL for `targetNamespace`, made standalone. */
function inlineSchema(wsdlFile: string, ns: string, extraNs: Record<string, string> = {}) {
  const wsdl = readFileSync(wsdlFile, 'utf8')
  const schema = new RegExp(`<xs:schema targetNamespace="${ns.replace(/[./]/g, (c) => `\\${c}`)}"[\\s\\S]*?</xs:schema>`).exec(wsdl)![0]
  const decl = Object.entries({ xs: 'http://www.w3.org/2001/XMLSchema', ...extraNs })
    .map(([p, u]) => `xmlns:${p}="${u}" `)
    .join('')
  return { fileName: 'inline.xsd', contents: schema.replace('<xs:schema ', `<xs:schema ${decl}`) }
}
const traCuuXsd = inlineSchema(join(wsdlDir, 'dancu.wsdl'), 'http://dancuquocgia.bca')
const BH = 'http://baohiemxahoi.gov.vn/lienthong/tracuu'
const bhxhXsd = inlineSchema(join(here, '../../src/connectors/bhxh/wsdl/bhxh.wsdl'), BH, { bh: BH })

async function validate(xml: string, schema: { fileName: string; contents: string }, preload: { fileName: string; contents: string }[] = []) {
  const r = await validateXML({ xml: { fileName: 'wire.xml', contents: xml }, schema, preload })
  return { valid: r.valid, errors: r.errors.map((e) => e.message) }
}
/** The element inside the SOAP Body (what the XSDs describe); fails the test when there is none. */
function bodyContent(envelope: unknown): string {
  expect(typeof envelope).toBe('string')
  const m = /<(?:[\w-]+:)?Body>([\s\S]*)<\/(?:[\w-]+:)?Body>/.exec(envelope as string)
  expect(m, String(envelope)).not.toBeNull()
  return m![1]!.trim()
}

let sb: TestSandbox
let population: ReturnType<typeof buildConnector<PopulationApi>>
let bhxh: ReturnType<typeof buildConnector<BhxhApi>>
/** Reply bodies as the hub's HTTP client received them. */
const replies: string[] = []
/** Requests as the connector handed them to the transport's lean exchange. */
const sent: PlainRequest[] = []

beforeAll(async () => {
  sb = await startSandbox(5)
  sb.sims.lookups.population.profile = 'xsd'
  population = buildConnector(createPopulationConnector, { POPULATION_BASE_URL: `${sb.url}/population` })
  bhxh = buildConnector(createBhxhConnector, { BHXH_BASE_URL: `${sb.url}/bhxh` })
  for (const c of [population.connector, bhxh.connector]) {
    // Both ways out of the shared transport: axios (node-soap clients) and the lean exchange (Transport.text).
    c.upstream.transport.axios.interceptors.response.use((res) => {
      replies.push(String(res.data))
      return res
    })
    const t = c.upstream.transport
    const text = t.text.bind(t)
    t.text = async (req) => {
      sent.push(req)
      const res = await text(req)
      replies.push(res.body)
      return res
    }
  }
})
afterAll(async () => {
  population?.close()
  bhxh?.close()
  await sb?.close()
})

/** Runs `call`, then answers the one request the simulator received and the one reply the hub read. */
async function onTheWire(sim: string, call: () => Promise<unknown>): Promise<{ request: string; reply: string }> {
  const since = sb.kit.recorder.query().at(-1)?.seq ?? 0
  const repliesBefore = replies.length
  await call()
  const received = sb.kit.recorder.query({ sim, sinceSeq: since })
  expect(received).toHaveLength(1)
  expect(replies.length).toBe(repliesBefore + 1)
  return { request: received[0]!.body as string, reply: replies.at(-1)! }
}

describe('population: what the hub sends and receives, against the real XSDs', () => {
  const seedPerson = (shape: 'full' | 'ten-only' | 'sparse') => sb.sims.lookups.seed.people.find((x) => x.shape === shape)!

  for (const shape of ['full', 'ten-only', 'sparse'] as const) {
    it(`TraCuuThongTinCongDan (${shape} record): the request validates against the WSDL's schema, the reply against CongdanCollection.xsd and XacMinhThongTinNhanThanResponse.xsd`, async () => {
      const c = seedPerson(shape).citizen
      const birthDate = shape === 'full' ? { date: c.birthDate.date! } : shape === 'sparse' ? { year: c.birthDate.year } : undefined
      let answer: unknown
      const wire = await onTheWire(
        'population',
        async () =>
          (answer = await population.connector.lookup({
            requestId: `R-${shape}`,
            idNumber: c.idNumber,
            fullName: c.fullName,
            ...(birthDate ? { birthDate } : {}),
          })),
      )
      expect(await validate(bodyContent(wire.request), traCuuXsd, [realXsd('XacThucThongTinCongDan.xsd')])).toEqual({ valid: true, errors: [] })
      const content = bodyContent(wire.reply)
      expect(await validate(content, realXsd('CongdanCollection.xsd'))).toEqual({ valid: true, errors: [] })
      expect(await validate(content, realXsd('XacMinhThongTinNhanThanResponse.xsd'))).toEqual({ valid: true, errors: [] })
      expect(answer).toMatchObject({ kind: 'found', upstreamRef: `R-${shape}`, value: [{ idNumber: c.idNumber, fullName: c.fullName }] })
    })
  }

  it('XacMinhThongTinNhanThan: the request validates against XacMinhThongTinNhanThanRequest.xsd, the reply against XacMinhThongTinNhanThanResponse.xsd', async () => {
    const c = seedPerson('full').citizen
    let answer: unknown
    const wire = await onTheWire(
      'population',
      async () =>
        (answer = await population.connector.identify({
          requestId: 'R-2',
          idNumber: c.idNumber,
          fullName: c.fullName,
          birthDate: { date: c.birthDate.date! },
        })),
    )
    expect(await validate(bodyContent(wire.request), realXsd('XacMinhThongTinNhanThanRequest.xsd'))).toEqual({ valid: true, errors: [] })
    expect(await validate(bodyContent(wire.reply), realXsd('XacMinhThongTinNhanThanResponse.xsd'))).toEqual({ valid: true, errors: [] })
    expect(answer).toMatchObject({ kind: 'found' })
  })

  it('XacThucThongTinCongDan: request and reply validate against XacThucThongTinCongDan.xsd', async () => {
    const c = seedPerson('full').citizen
    let answer: unknown
    const wire = await onTheWire(
      'population',
      async () => (answer = await population.connector.verify({ requestId: 'R-3', idNumber: c.idNumber, oldIdNumber: c.oldIdNumber, fullName: c.fullName })),
    )
    expect(await validate(bodyContent(wire.request), realXsd('XacThucThongTinCongDan.xsd'))).toEqual({ valid: true, errors: [] })
    const content = bodyContent(wire.reply)
    expect(content).toContain('TonTai>true<')
    expect(await validate(content, realXsd('XacThucThongTinCongDan.xsd'))).toEqual({ valid: true, errors: [] })
    expect(answer).toEqual({ kind: 'found', value: { exists: true } })
  })

  it("the request goes out as SOAP 1.1 with the operation's SOAPAction", async () => {
    const c = seedPerson('full').citizen
    const before = sent.length
    await population.connector.lookup({ requestId: 'R-5', idNumber: c.idNumber })
    expect(sent.length).toBe(before + 1)
    const headers: Record<string, unknown> = { ...sent.at(-1)!.headers }
    expect(String(headers['content-type'] ?? headers['Content-Type'])).toContain('text/xml')
    expect(headers['soapaction']).toBe('"http://dancuquocgia.bca/TraCuuThongTinCongDan"')
  })

  it('the simulator refuses the same request without the hashed Basic header (SOAP fault, 401)', async () => {
    const wire = await onTheWire('population', () => population.connector.lookup({ requestId: 'R-4', idNumber: seedPerson('full').citizen.idNumber }))
    const res = await fetch(`${sb.url}/population`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: wire.request })
    expect(res.status).toBe(401)
    expect(await res.text()).toContain('faultcode')
  })
})

describe('BHXH: what the hub sends and receives, against the WSDL schema', () => {
  it('requests by BHXH number and by CCCD, found and not-found replies, all validate', async () => {
    const p = sb.sims.lookups.seed.people.find((x) => x.insurance)!
    for (const [key, kind] of [
      [{ bhxhNumber: p.bhxhNumber }, 'found'],
      [{ idNumber: '001099000000' }, 'not_found'],
    ] as const) {
      let answer: unknown
      const wire = await onTheWire('bhxh', async () => (answer = await bhxh.connector.participation(key, { requestId: 'R-5' })))
      expect(await validate(bodyContent(wire.request), bhxhXsd)).toEqual({ valid: true, errors: [] })
      expect(await validate(bodyContent(wire.reply), bhxhXsd)).toEqual({ valid: true, errors: [] })
      expect(answer).toMatchObject({ kind })
    }
  })
})
