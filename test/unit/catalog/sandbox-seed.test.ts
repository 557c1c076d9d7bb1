import { describe, expect, it } from 'vitest'
import { mapThuTuc } from '../../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import type { Procedure } from '../../../src/mappings/dvcqg/catalog/types.js'
import { diffProcedures } from '../../../src/services/catalog/diff.js'
import { foldVietnamese } from '../../../src/services/catalog/search-text.js'
import { SandboxCatalog, type ExpectedCatalogChange } from '../../../src/sandbox/dvcqg/catalog/seed.js'

const RESULT_CODE = /^KQ\.G\d{2}\.\d{6}$/
const AGENCY_CODE = /^\d{3}\.\d{2}\.\d{2}\.[GH]\d{2}$/

/** Everything a full sync would read: list, then LayThuTuc for each code, mapped. */
function snapshot(catalog: SandboxCatalog): Map<string, Procedure> {
  return new Map(catalog.list().map((row) => [row.MATTHC, mapThuTuc(catalog.get(row.MATTHC))]))
}

/** The change list a sync computes between two snapshots (what the change feed must hold). */
function changesBetween(before: Map<string, Procedure>, after: Map<string, Procedure>): ExpectedCatalogChange[] {
  const out: ExpectedCatalogChange[] = []
  for (const [code, p] of after) {
    const old = before.get(code)
    if (!old) out.push({ code, kind: 'added' })
    else {
      const changes = diffProcedures(old, p)
      if (changes.length > 0) out.push({ code, kind: 'changed', changes })
    }
  }
  for (const code of before.keys()) if (!after.has(code)) out.push({ code, kind: 'removed' })
  return out.sort((a, b) => (a.code < b.code ? -1 : 1))
}

describe('SandboxCatalog: the seeded catalog', () => {
  const catalog = new SandboxCatalog(20240501)
  const rows = catalog.list()
  const records = rows.map((r) => catalog.get(r.MATTHC)!)

  it('is deterministic: same seed, same catalog; another seed, another catalog', () => {
    expect(new SandboxCatalog(20240501).digest()).toBe(catalog.digest())
    expect(new SandboxCatalog(7).digest()).not.toBe(catalog.digest())
  })

  it('holds at least 2,000 procedures with unique national codes', () => {
    expect(catalog.size).toBeGreaterThanOrEqual(2000)
    expect(rows).toHaveLength(2000)
    expect(new Set(rows.map((r) => r.MATTHC)).size).toBe(rows.length)
    for (const r of rows) expect(r.MATTHC).toMatch(/^[12]\.00\d{4}$/)
    expect(rows.some((r) => r.MATTHC.startsWith('1.'))).toBe(true)
    expect(rows.some((r) => r.MATTHC.startsWith('2.'))).toBe(true)
  })

  it('uses national code formats: MAKETQUA, MA_KQ_THAYTHE, MAGIAYTO, MADONVI', () => {
    let replacements = 0
    for (const rec of records) {
      expect(rec.KETQUATHUCHIEN.length).toBeGreaterThan(0)
      for (const kq of rec.KETQUATHUCHIEN) expect(kq.MAKETQUA).toMatch(RESULT_CODE)
      for (const comp of rec.THANHPHANHOSO) {
        for (const gt of comp.GIAYTO) {
          expect(gt.MAGIAYTO.length).toBeGreaterThan(0)
          expect(gt.MAGIAYTO.length).toBeLessThanOrEqual(50)
          if (gt.MA_KQ_THAYTHE !== '') {
            replacements += 1
            expect(gt.MA_KQ_THAYTHE).toMatch(RESULT_CODE)
          }
        }
      }
      const named = [...rec.COQUANTHUCHIEN, ...rec.COQUANCOTHAMQUYEN, ...rec.COQUANDUOCUYQUYEN, ...rec.COQUANPHOIHOP]
      for (const a of named) expect(a.MADONVI).toMatch(AGENCY_CODE)
    }
    expect(replacements).toBeGreaterThan(100)
  })

  it('has realistic shapes: 1–3 cases with components, channels with durations and fees, some free', () => {
    let free = 0
    let paid = 0
    let multiCase = 0
    for (const rec of records) {
      expect(rec.TRINHTUTHUCHIEN.length).toBeGreaterThanOrEqual(1)
      expect(rec.TRINHTUTHUCHIEN.length).toBeLessThanOrEqual(3)
      if (rec.TRINHTUTHUCHIEN.length > 1) multiCase += 1
      expect(rec.THANHPHANHOSO.map((c) => c.TRUONGHOP)).toEqual(rec.TRINHTUTHUCHIEN.map((c) => c.TRUONGHOP))
      expect(rec.CACHTHUCTHUCHIEN.length).toBeGreaterThan(0)
      expect(rec.CANCUPHAPLY.length).toBeGreaterThan(0)
      const fees = rec.CACHTHUCTHUCHIEN.flatMap((c) => c.THOIGIAN.flatMap((t) => t.PHILEPHI))
      if (fees.every((f) => Number(f.SOTIEN) === 0)) free += 1
      else paid += 1
    }
    expect(multiCase).toBeGreaterThan(500)
    expect(free).toBeGreaterThan(200)
    expect(paid).toBeGreaterThan(1000)
  })

  it('names agencies and fields that its own catalogs list', () => {
    const agencyCodes = new Set(catalog.agencies().map((a) => a.MADONVI))
    const fieldCodes = new Set(catalog.fields().map((f) => f.MALINHVUC))
    for (const a of catalog.agencies()) expect(a.MADONVI).toMatch(AGENCY_CODE)
    for (const rec of records) {
      for (const a of [...rec.COQUANTHUCHIEN, ...rec.COQUANCOTHAMQUYEN]) expect(agencyCodes.has(a.MADONVI)).toBe(true)
      expect(agencyCodes.has(rec.MACOQUANCONGBO)).toBe(true)
      for (const f of rec.LINHVUCTHUCHIEN) expect(fieldCodes.has(f.MALINHVUC)).toBe(true)
    }
  })

  it('has "Cấp giấy phép xây dựng …" procedures for search to find', () => {
    const gpxd = rows.filter((r) => r.TENTTHC.startsWith('Cấp giấy phép xây dựng'))
    expect(gpxd.length).toBeGreaterThanOrEqual(20)
    expect(rows.filter((r) => foldVietnamese(r.TENTTHC).includes('giay phep xay dung')).length).toBeGreaterThanOrEqual(gpxd.length)
  })

  it('maps every record with mapThuTuc', () => {
    for (const rec of records) {
      const p = mapThuTuc(rec)
      expect(p.code).toBe(rec.MaTTHC)
      expect(p.components.flatMap((c) => c.documents).length).toBeGreaterThan(0)
      expect(p.channels.every((c) => ['in-person', 'online', 'postal'].includes(c.channel))).toBe(true)
    }
  })

  it('answers not found for an unknown code, and hands out copies', () => {
    expect(catalog.get('9.999999')).toBeUndefined()
    const a = catalog.get(rows[0]!.MATTHC)!
    a.TENTTHC = 'changed by a caller'
    expect(catalog.get(rows[0]!.MATTHC)!.TENTTHC).toBe(rows[0]!.TENTTHC)
  })
})

describe('SandboxCatalog: mutations', () => {
  it('amend reports exactly what diffProcedures sees on the mapped records', () => {
    const catalog = new SandboxCatalog(99)
    const codes = catalog.list().map((r) => r.MATTHC)
    const whats = [{}, { fee: false }, { documentCode: false, resultCode: false }, { fee: false, documentCode: false }]
    for (let i = 0; i < 60; i++) {
      const code = codes[(i * 31) % codes.length]!
      const what = whats[i % whats.length]!
      const before = mapThuTuc(catalog.get(code))
      const amendment = catalog.amend(code, what)
      const after = mapThuTuc(catalog.get(code))
      expect(amendment.code).toBe(code)
      expect(diffProcedures(before, after)).toEqual(amendment.changes)
      const expectedCount = [what.documentCode, what.fee, what.resultCode].filter((x) => x !== false).length
      expect(amendment.changes).toHaveLength(expectedCount)
    }
  })

  it('one full amendment touches one document code, one fee amount and one result code', () => {
    const catalog = new SandboxCatalog(5)
    const code = catalog.list()[10]!.MATTHC
    const { changes } = catalog.amend(code, { documentCode: true, fee: true, resultCode: true })
    expect(changes.map((c) => c.path.replace(/\[[^\]]*\]/g, '[]'))).toEqual([
      'channels[].durations[].fees[].amount',
      'components[].documents[].code',
      'results[].code',
    ])
    expect(changes[2]!.after).toMatch(RESULT_CODE)
  })

  it('withdraw removes a procedure from the list and get answers not found', () => {
    const catalog = new SandboxCatalog(5, 50)
    const code = catalog.list()[3]!.MATTHC
    catalog.withdraw(code)
    expect(catalog.get(code)).toBeUndefined()
    expect(catalog.list().map((r) => r.MATTHC)).not.toContain(code)
    expect(catalog.size).toBe(49)
    expect(() => catalog.withdraw(code)).toThrow(/no active procedure/)
    expect(() => catalog.amend(code)).toThrow(/no active procedure/)
  })

  it('add publishes new, unused codes', () => {
    const catalog = new SandboxCatalog(5, 50)
    const existing = new Set(catalog.list().map((r) => r.MATTHC))
    const added = catalog.add(4)
    expect(added).toHaveLength(4)
    for (const code of added) {
      expect(existing.has(code)).toBe(false)
      expect(mapThuTuc(catalog.get(code)).code).toBe(code)
    }
    expect(catalog.size).toBe(54)
  })

  it('mutateForTest returns exactly the change list a following sync computes', () => {
    const catalog = new SandboxCatalog(20240501)
    const before = snapshot(catalog)
    const expected = catalog.mutateForTest({ amend: 10, add: 3, withdraw: 2 }, 1)
    expect(expected.filter((c) => c.kind === 'changed')).toHaveLength(10)
    expect(expected.filter((c) => c.kind === 'added')).toHaveLength(3)
    expect(expected.filter((c) => c.kind === 'removed')).toHaveLength(2)
    for (const c of expected.filter((x) => x.kind === 'changed')) expect(c.changes).toHaveLength(3)
    expect(changesBetween(before, snapshot(catalog))).toEqual(expected)
  })

  it('mutateForTest is deterministic', () => {
    const a = new SandboxCatalog(3, 300)
    const b = new SandboxCatalog(3, 300)
    expect(a.mutateForTest({ amend: 5, add: 2, withdraw: 1 }, 11)).toEqual(b.mutateForTest({ amend: 5, add: 2, withdraw: 1 }, 11))
    expect(a.digest()).toBe(b.digest())
  })
})
