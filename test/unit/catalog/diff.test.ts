import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalHash } from '../../../src/mappings/dvcqg/catalog/canonical-hash.js'
import { mapThuTuc } from '../../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import type { Procedure } from '../../../src/mappings/dvcqg/catalog/types.js'
import { diffProcedures, escapeKey, type FieldChange } from '../../../src/services/catalog/diff.js'

const input = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'mappings', 'catalog', 'cases', 'thu-tuc-full.input.json'), 'utf8')) as Record<
  string,
  unknown
>
const base = (): Procedure => mapThuTuc(structuredClone(input))

const CASE = 'Trường hợp chung'
const reverseAll = (p: Procedure): void => {
  p.level.reverse()
  p.subjects.reverse()
  p.channels.reverse()
  p.channels.forEach((c) => c.durations.forEach((d) => d.fees.reverse()))
  p.components.forEach((c) => c.documents.reverse())
  p.results.reverse()
  p.legalBases.reverse()
  p.related.reverse()
}

const table: { name: string; edit: (p: Procedure) => void; expected: FieldChange[] }[] = [
  { name: 'unchanged', edit: () => {}, expected: [] },
  { name: 'reorder only', edit: reverseAll, expected: [] },
  {
    name: 'document code change inside a component',
    edit: (p) => {
      p.components[0]!.documents[0]!.code = 'GT-000999'
    },
    expected: [{ path: `components[${CASE}].documents[GT-000123].code`, kind: 'changed', before: 'GT-000123', after: 'GT-000999' }],
  },
  {
    name: 'fee amount change on one channel',
    edit: (p) => {
      p.channels[1]!.durations[0]!.fees[0]!.amount = 100000
    },
    expected: [{ path: 'channels[online].durations[Ngày].fees[LP-XD-01].amount', kind: 'changed', before: 75000, after: 100000 }],
  },
  {
    name: 'result code change',
    edit: (p) => {
      p.results[0]!.code = 'KQ.G05.000999'
    },
    expected: [{ path: 'results[KQ.G05.000112].code', kind: 'changed', before: 'KQ.G05.000112', after: 'KQ.G05.000999' }],
  },
  {
    name: 'duration change',
    edit: (p) => {
      p.channels[0]!.durations[0]!.amount = 10
    },
    expected: [{ path: 'channels[in-person].durations[Ngày].amount', kind: 'changed', before: 15, after: 10 }],
  },
  {
    name: 'legal basis added',
    edit: (p) => {
      p.legalBases.unshift({ number: '15/2021/NĐ-CP', name: 'Nghị định 15', issuer: 'Chính phủ', issuedOn: '2021-03-03' })
    },
    expected: [
      {
        path: 'legalBases[15/2021/NĐ-CP]',
        kind: 'added',
        after: { number: '15/2021/NĐ-CP', name: 'Nghị định 15', issuer: 'Chính phủ', issuedOn: '2021-03-03' },
      },
    ],
  },
  {
    name: 'component removed',
    edit: (p) => {
      p.components = []
    },
    expected: [{ path: `components[${CASE}]`, kind: 'removed', before: base().components[0] }],
  },
  {
    name: 'document replaced by an unrelated one (no pairing): removed + added',
    edit: (p) => {
      p.components[0]!.documents[1] = { code: 'GT-777', name: 'Bản vẽ thiết kế', originals: 1, copies: 0 }
    },
    expected: [
      { path: `components[${CASE}].documents[GT-000124]`, kind: 'removed', before: base().components[0]!.documents[1] },
      { path: `components[${CASE}].documents[GT-777]`, kind: 'added', after: { code: 'GT-777', name: 'Bản vẽ thiết kế', originals: 1, copies: 0 } },
    ],
  },
  {
    name: 'optional property appears and disappears',
    edit: (p) => {
      p.components[0]!.documents[0]!.replacementResultCode = 'KQ.G09.000001'
      delete p.keywords
    },
    expected: [
      { path: 'keywords', kind: 'removed', before: 'giấy phép xây dựng, nhà ở riêng lẻ' },
      { path: `components[${CASE}].documents[GT-000123].replacementResultCode`, kind: 'added', after: 'KQ.G09.000001' },
    ],
  },
  {
    name: 'steps reordered (order is meaningful there)',
    edit: (p) => {
      p.cases[0]!.steps.reverse()
    },
    expected: [
      {
        path: `cases[${CASE}].steps`,
        kind: 'changed',
        before: base().cases[0]!.steps,
        after: [...base().cases[0]!.steps].reverse(),
      },
    ],
  },
  {
    name: 'related procedure added, implementing agency renamed',
    edit: (p) => {
      p.related.push('1.000001')
      p.agencies.implementing[0]!.name = 'UBND huyện Đông Hòa'
    },
    expected: [
      {
        path: 'agencies.implementing[000.00.06.H56].name',
        kind: 'changed',
        before: 'Ủy ban nhân dân huyện Đông Hòa',
        after: 'UBND huyện Đông Hòa',
      },
      { path: 'related[1.000001]', kind: 'added', after: '1.000001' },
    ],
  },
]

describe('diffProcedures', () => {
  for (const { name, edit, expected } of table) {
    it(name, () => {
      const before = base()
      const after = base()
      edit(after)
      const changes = diffProcedures(before, after)
      expect(changes).toEqual(expected)
      // the skip-by-hash shortcut agrees with the diff
      expect(canonicalHash(after) === canonicalHash(before)).toBe(changes.length === 0)
    })
  }

  it('reports several changes in a stable order: model order, then keys', () => {
    const before = base()
    const after = base()
    after.results[0]!.code = 'KQ.G05.000999'
    after.components[0]!.documents[0]!.code = 'GT-000999'
    after.name = 'Cấp giấy phép xây dựng (sửa đổi)'
    expect(diffProcedures(before, after).map((c) => c.path)).toEqual(['name', `components[${CASE}].documents[GT-000123].code`, 'results[KQ.G05.000112].code'])
  })

  it('tells apart elements sharing a key by their pairing value, else by #n', () => {
    const before = base()
    before.results = [
      { code: 'KQ.G05.000001', name: 'A' },
      { code: 'KQ.G05.000001', name: 'B' },
    ]
    const after = structuredClone(before)
    after.results[1]!.fileName = 'b.pdf'
    expect(diffProcedures(before, after)).toEqual([{ path: 'results[KQ.G05.000001#B].fileName', kind: 'added', after: 'b.pdf' }])

    before.results = [
      { code: 'KQ.G05.000001', name: 'A' },
      { code: 'KQ.G05.000001', name: 'A', url: 'https://a.invalid' },
    ]
    const later = structuredClone(before)
    later.results.reverse()
    expect(diffProcedures(before, later)).toEqual([])
    // one of two same-key, same-name duplicates goes away: only it is reported
    later.results = later.results.filter((r) => r.url === undefined)
    expect(diffProcedures(before, later)).toEqual([{ path: 'results[KQ.G05.000001#2]', kind: 'removed', before: before.results[1] }])
    // both duplicates change in place: told apart by #n in list order
    const both = structuredClone(before)
    both.results[0]!.fileName = 'x.pdf'
    both.results[1]!.fileName = 'y.pdf'
    expect(diffProcedures(before, both).map((c) => `${c.path} ${c.kind}`)).toEqual([
      'results[KQ.G05.000001#1].fileName added',
      'results[KQ.G05.000001#2].fileName added',
    ])
  })

  it('escapes ] and \\ inside keys', () => {
    expect(escapeKey('a]b\\c')).toBe('a\\]b\\\\c')
    const before = base()
    before.results[0]!.code = 'KQ[1]'
    const after = structuredClone(before)
    after.results[0]!.name = 'Giấy phép'
    expect(diffProcedures(before, after).map((c) => c.path)).toEqual(['results[KQ[1\\]].name'])
  })
})
