import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  PopulationMappingError,
  mapCongDan,
  parseBirthDate,
  parseCongDanReply,
  parsePopulationFault,
  parseXacThucReply,
} from '../../../src/mappings/population/from-population.js'
import { ETHNIC_GROUPS, lookupCode } from '../../../src/mappings/population/codes.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const casesDir = join(here, 'cases')
const fixturesDir = join(here, '../../fixtures/population')

const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith('.input.xml'))
  .map((f) => f.replace(/\.input\.xml$/, ''))
  .sort()

describe('population reply cases', () => {
  it('has the required quirk cases', () => {
    for (const required of [
      'name-only-in-ten',
      'relative-name-plain-string',
      'empty-elements',
      'missing-optional-blocks',
      'birth-year-only',
      'soap-fault',
      'html-proxy-page',
      'empty-collection',
    ]) {
      expect(cases).toContain(required)
    }
  })

  it.each(cases)('%s', (name) => {
    const input = readFileSync(join(casesDir, `${name}.input.xml`), 'utf8')
    const expected: unknown = JSON.parse(readFileSync(join(casesDir, `${name}.expected.json`), 'utf8'))
    const actual = name.startsWith('xacthuc-') ? parseXacThucReply(input) : parseCongDanReply(input)
    expect(actual).toEqual(expected)
    // JSON round trip: the outcome must be exactly what the API would serialize.
    expect(JSON.parse(JSON.stringify(actual))).toEqual(expected)
  })
})

/**
 * The real sample holds a request and a response one after the other, and its first
 * envelope line is broken (the opening tag is pasted twice): split and repair it.
 */
function splitRealSample(raw: string): { request: string; response: string } {
  const [inputPart, outputPart] = raw.split(/^Output:\s*$/m)
  if (inputPart === undefined || outputPart === undefined) throw new Error('sample has no Output: section')
  const request = inputPart.replace(/^Input:\s*$/m, '').trim()
  const lines = request.split('\n')
  const first = lines[0] ?? ''
  lines[0] = first.slice(first.lastIndexOf('<soapenv:Envelope'))
  return { request: lines.join('\n'), response: outputPart.trim() }
}

describe('the real XacThucThongTinCongDan sample', () => {
  const raw = readFileSync(join(fixturesDir, 'XacThucThongTinCongDan.input-output.xml'), 'utf8')
  const { response } = splitRealSample(raw)

  it('parses the response half as exists: true', () => {
    expect(parseXacThucReply(response)).toEqual({ kind: 'found', value: { exists: true } })
  })

  it('reports the unrepaired whole file as malformed, not a crash', () => {
    expect(parseXacThucReply(raw).kind).toBe('malformed')
  })
})

describe('mapCongDan', () => {
  it('throws a typed error (never a TypeError) for non-element input', () => {
    for (const bad of [undefined, null, 'text', 42, []]) {
      expect(() => mapCongDan(bad)).toThrow(PopulationMappingError)
    }
  })

  it('falls back to SoCMND when SoDinhDanh is missing', () => {
    const c = mapCongDan({ SoCMND: '011000099', HoVaTen: { Ho: 'Mai', ChuDem: '', Ten: 'Lan' } })
    expect(c).toMatchObject({ idNumber: '011000099', oldIdNumber: '011000099', fullName: 'Mai Lan', familyName: 'Mai', givenName: 'Lan' })
    expect(c).not.toHaveProperty('middleName')
  })

  it('keeps an unknown code with an undefined name', () => {
    expect(mapCongDan({ SoDinhDanh: '001085000013', DanToc: '77' }).ethnicity).toEqual({ code: '77', name: undefined })
  })
})

describe('code tables', () => {
  it('has the 54 ethnic groups plus 55 foreign-born', () => {
    expect(Object.keys(ETHNIC_GROUPS)).toHaveLength(55)
    expect(ETHNIC_GROUPS['01']).toBe('Kinh')
    expect(ETHNIC_GROUPS['54']).toBe('Rơ-măm')
    expect(ETHNIC_GROUPS['55']).toBe('Người nước ngoài')
  })
  it('pads one-digit codes', () => {
    expect(lookupCode(ETHNIC_GROUPS, '7')).toEqual({ code: '07', name: 'Nùng' })
  })
})

describe('parseBirthDate', () => {
  it.each([
    [{ NgayThangNam: '19850315' }, { year: 1985, date: '1985-03-15' }],
    [{ Nam: '1985' }, { year: 1985 }],
    [{ NgayThangNam: '19850000' }, { year: 1985 }],
    [{ NgayThangNam: '19850231' }, { year: 1985 }],
    [{ NgayThangNam: '5/3/1985' }, { year: 1985, date: '1985-03-05' }],
    [{ NgayThangNam: '' }, null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(parseBirthDate(input)).toEqual(expected)
  })
})

describe('unprefixed SOAP (default namespace)', () => {
  it('is not mistaken for an HTML page because of its <Body>', () => {
    const xml =
      '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><KetQuaXacThucResponse xmlns="http://dancuquocgia.bca"><TonTai>true</TonTai></KetQuaXacThucResponse></Body></Envelope>'
    expect(parseXacThucReply(xml)).toEqual({ kind: 'found', value: { exists: true } })
  })
  it('still recognises an XHTML page without a doctype', () => {
    const page = '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Gateway Timeout</title></head><body/></html>'
    expect(parseCongDanReply(page)).toMatchObject({ kind: 'fault', code: 'UPSTREAM_HTML_PAGE', retryable: true })
  })
})

describe('parsePopulationFault', () => {
  it('reads a SOAP 1.2 fault', () => {
    const xml =
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="vi">Service unavailable</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>'
    expect(parsePopulationFault(xml)).toEqual({ kind: 'fault', code: 'SOAP_Receiver', message: 'Service unavailable', retryable: true })
  })
  it('returns undefined for a normal reply or garbage', () => {
    expect(parsePopulationFault(readFileSync(join(casesDir, 'full-record.input.xml'), 'utf8'))).toBeUndefined()
    expect(parsePopulationFault('<<<')).toBeUndefined()
  })
})
