import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  channelName,
  mapCoQuan,
  mapDanhMucCoQuan,
  mapDanhMucLinhVuc,
  mapDanhSachTTHC,
  mapLinhVuc,
  mapThuTuc,
} from '../../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import type { Procedure } from '../../../src/mappings/dvcqg/catalog/types.js'
import { CatalogMappingError } from '../../../src/mappings/dvcqg/catalog/wire.js'

const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'cases')
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(casesDir, file), 'utf8'))

/** Which mapper a case file exercises, by its name prefix. */
const MAPPERS: [prefix: string, map: (input: unknown) => unknown][] = [
  ['thu-tuc-', mapThuTuc],
  ['danh-sach-', mapDanhSachTTHC],
  ['co-quan', mapDanhMucCoQuan],
  ['linh-vuc', mapDanhMucLinhVuc],
]

const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith('.input.json'))
  .map((f) => f.replace(/\.input\.json$/, ''))
  .sort()

/** Structural contract of a Procedure, so the expected files cannot drift from the type. */
function checkProcedureShape(p: Procedure): void {
  const strings = ['code', 'id', 'name', 'publishingAgencyCode', 'kind', 'status'] as const
  for (const k of strings) expect(typeof p[k], k).toBe('string')
  for (const k of ['level', 'fields', 'subjects'] as const) {
    for (const cn of p[k]) expect(Object.keys(cn).sort()).toEqual(['code', 'name'])
  }
  for (const c of p.cases) expect(c.steps.every((s) => typeof s === 'string' && s !== '')).toBe(true)
  for (const ch of p.channels) {
    for (const d of ch.durations) {
      expect(d.amount === null || typeof d.amount === 'number').toBe(true)
      for (const f of d.fees) expect(f.amount === null || typeof f.amount === 'number').toBe(true)
    }
  }
  for (const comp of p.components) {
    for (const d of comp.documents) {
      expect(Number.isInteger(d.originals) && Number.isInteger(d.copies)).toBe(true)
      expect(d.code.length).toBeLessThanOrEqual(50)
    }
  }
  for (const lb of p.legalBases) {
    for (const d of [lb.issuedOn, lb.effectiveOn]) if (d !== undefined) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  }
  expect(Object.keys(p.agencies).sort()).toEqual(['authorized', 'competent', 'coordinating', 'implementing'])
  // optional properties are absent rather than empty or null
  const optional = ['keywords', 'decisionId', 'decision', 'requirements', 'subjectDescription', 'receivingAddress'] as const
  for (const k of optional) if (k in p) expect(p[k], k).toMatch(/\S/)
  for (const d of p.components.flatMap((c) => c.documents)) {
    for (const k of ['replacementResultCode', 'templateName', 'url'] as const) if (k in d) expect(d[k], k).toMatch(/\S/)
  }
}

describe('catalog mapping fixture cases', () => {
  it('has at least six LayThuTuc cases', () => {
    expect(cases.filter((c) => c.startsWith('thu-tuc-')).length).toBeGreaterThanOrEqual(6)
  })

  for (const name of cases) {
    it(name, () => {
      const entry = MAPPERS.find(([prefix]) => name.startsWith(prefix))
      if (!entry) throw new Error(`no mapper for case ${name}`)
      const actual = entry[1](readJson(`${name}.input.json`))
      const expected = readJson(`${name}.expected.json`)
      expect(actual).toEqual(expected)
      if (name.startsWith('thu-tuc-')) checkProcedureShape(expected as Procedure)
    })
  }
})

describe('mapThuTuc', () => {
  it('rejects what is not a record, naming the problem', () => {
    expect(() => mapThuTuc(null)).toThrow(CatalogMappingError)
    expect(() => mapThuTuc([{ MaTTHC: '1.000001' }])).toThrow(/expected an object, got an array/)
    expect(() => mapThuTuc('1.000001')).toThrow(/got string/)
  })

  it('rejects a record without a procedure code', () => {
    expect(() => mapThuTuc({ TENTTHC: 'Đăng ký khai sinh', MaTTHC: '  ' })).toThrow(/no MaTTHC/)
  })

  it('normalizes decomposed (NFD) Vietnamese to NFC so equal names compare equal', () => {
    const nfd = 'Đăng ký khai sinh'.normalize('NFD')
    expect(mapThuTuc({ MaTTHC: '1.1', TENTTHC: nfd }).name).toBe('Đăng ký khai sinh'.normalize('NFC'))
  })

  it('maps KENH codes to channel names', () => {
    expect([channelName('1'), channelName(2), channelName(' 3 '), channelName('9')]).toEqual(['in-person', 'online', 'postal', '9'])
  })
})

describe('list and single-row mappers', () => {
  it('mapCoQuan / mapLinhVuc reject rows without a code', () => {
    expect(() => mapCoQuan({ TENDONVI: 'Sở Tư pháp' })).toThrow(/no MADONVI/)
    expect(() => mapLinhVuc({ TENLINHVUC: 'Hộ tịch' })).toThrow(/no MALINHVUC/)
  })

  it('list mappers reject a reply that is not a list', () => {
    expect(() => mapDanhSachTTHC({ error_code: 0, result: 'none' })).toThrow(/expected an array/)
    expect(() => mapDanhMucCoQuan(42)).toThrow(CatalogMappingError)
  })
})

describe('tolerant field lookup', () => {
  it('prefers a non-blank value under another accepted spelling of the key', () => {
    const p = mapThuTuc({ MaTTHC: ' ', MATTHC: '1.000777', TENTTHC: '', TenTTHC: 'Đăng ký tạm trú' })
    expect([p.code, p.name]).toEqual(['1.000777', 'Đăng ký tạm trú'])
  })
})
