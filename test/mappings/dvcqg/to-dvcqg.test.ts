import { describe, expect, it } from 'vitest'
import { MappingError } from '../../../src/mappings/shared/errors.js'
import { parseStatusMap } from '../../../src/mappings/dvcqg/status-map.js'
import { truncateText } from '../../../src/mappings/dvcqg/text.js'
import { chunkSteps, formatDvcqgDate, toDongBoHoSoMC, toHoSo, toTienDo } from '../../../src/mappings/dvcqg/to-dvcqg.js'
import type { DossierUpsert } from '../../../src/mappings/dvcqg/types.js'

describe('formatDvcqgDate', () => {
  it.each([
    ['2023-10-27T08:30:00+07:00', '20231027083000'],
    ['2023-10-27T01:30:00Z', '20231027083000'],
    ['2023-10-27T01:30:00.999999Z', '20231027083000'],
    ['2023-12-31T17:00:00+00:00', '20240101000000'],
    ['2023-10-27T23:00:00-05:00', '20231028110000'],
    ['2023-10-28T05:45:00+05:45', '20231028070000'],
    ['2023-10-28T00:00:00+14:00', '20231027170000'],
    ['2024-02-28T17:00:00Z', '20240229000000'],
    ['2023-02-28T17:00:00Z', '20230301000000'],
  ])('%s → %s', (iso, expected) => {
    expect(formatDvcqgDate(iso)).toBe(expected)
  })

  it.each([
    'not a date',
    '2023-10-27T08:30:00',
    '2023-10-27 08:30:00+07:00',
    '2023-10-27',
    '2023-02-29T08:00:00+07:00',
    '2023-04-31T08:00:00+07:00',
    '2023-13-01T08:00:00+07:00',
    '2023-10-27T24:00:00+07:00',
    '2023-10-27T08:60:00+07:00',
    '2023-10-27T08:30:00+15:00',
    '9999-12-31T20:00:00Z',
    '',
  ])('refuses %j with a MappingError on the given field', (iso) => {
    const run = () => formatDvcqgDate(iso, 'receivedAt')
    expect(run).toThrow(MappingError)
    expect(run).toThrow(expect.objectContaining({ code: 'HUB_ERR_MAPPING', field: 'receivedAt' }))
  })
})

describe('truncateText', () => {
  it('leaves short text alone (but NFC)', () => {
    expect(truncateText('Hồ sơ', 50)).toBe('Hồ sơ')
    expect(truncateText('Ho\u0302\u0300 so\u031b', 50)).toBe('Hồ sơ')
  })

  it('never splits a surrogate pair, and counts UTF-16 units', () => {
    expect(truncateText('ab😀', 3)).toBe('ab')
    expect(truncateText('ab😀', 4)).toBe('ab😀')
  })

  it('never splits an emoji ZWJ sequence or a flag', () => {
    const family = '👨\u200d👩\u200d👧'
    expect(truncateText(`a${family}`, 6)).toBe('a')
    expect(truncateText('x🇻🇳', 3)).toBe('x')
  })

  it('keeps a letter with combining marks whole when NFC cannot compose it', () => {
    // "q" + dot below + acute has no precomposed form.
    expect(truncateText('aq\u0323\u0301', 3)).toBe('a')
  })
})

const statusMap = parseStatusMap({ MOI: 1, DANG_XU_LY: 4, XONG: 9 })
const dossier: DossierUpsert = {
  eventId: 'e1',
  dossierCode: '000.00.06.H56-231027-0361',
  procedureCode: '1.003560',
  procedureName: 'Đăng ký khai sinh',
  agencyCode: '000.00.06.H56',
  channel: 'online',
  applicant: { kind: 'citizen', name: 'Nguyễn Văn An', idType: 'cccd', idNumber: '038090012345', portalAccountId: 'acc-1' },
  summary: 'Khai sinh',
  receivedAt: '2023-10-27T08:30:00+07:00',
  dueAt: '2023-10-30T17:00:00+07:00',
  status: 'MOI',
}

describe('toHoSo', () => {
  it('reports the failing field of a bad optional date', () => {
    expect(() => toHoSo({ ...dossier, finishedAt: '2023-10-27' }, { statusMap })).toThrow(expect.objectContaining({ field: 'finishedAt' }))
  })

  it('does not take a prototype key of procedureCodeMap for a mapping', () => {
    const hoso = toHoSo({ ...dossier, procedureCode: '1.003560' }, { statusMap, procedureCodeMap: {} })
    expect(hoso.MaTTHC).toBe('1.003560')
  })

  it('names the unmapped code in the message (codes are not personal data)', () => {
    expect(() => toHoSo({ ...dossier, status: 'LA' }, { statusMap })).toThrow(/"LA"/)
  })

  it('wraps into DongBoHoSoMC params', () => {
    const hoso = toHoSo(dossier, { statusMap })
    expect(toDongBoHoSoMC(hoso, true)).toEqual({ isUpdating: 'True', data: [hoso] })
    expect(toDongBoHoSoMC(hoso, false).isUpdating).toBe('False')
    expect(hoso.MaDoiTuong).toBe('acc-1')
  })
})

describe('toTienDo', () => {
  it('prefers the event status over the current one', () => {
    const step = toTienDo(
      dossier.dossierCode,
      { eventId: 'e2', occurredAt: '2023-10-27T09:00:00+07:00', status: 'XONG', step: { actor: 'A', action: 'B' } },
      { statusMap, currentStatus: 'DANG_XU_LY' },
    )
    expect(step.TrangThai).toBe('9')
  })

  it('reports a bad step date under step.*', () => {
    const run = () =>
      toTienDo(
        dossier.dossierCode,
        { eventId: 'e3', occurredAt: '2023-10-27T09:00:00+07:00', step: { actor: 'A', action: 'B', dueAt: 'tomorrow' } },
        { statusMap, currentStatus: 'MOI' },
      )
    expect(run).toThrow(expect.objectContaining({ field: 'step.dueAt' }))
  })
})

describe('chunkSteps', () => {
  const steps = Array.from({ length: 23 }, (_, i) => i)

  it('splits in order into chunks of at most 10 by default', () => {
    const chunks = chunkSteps(steps)
    expect(chunks.map((c) => c.data.length)).toEqual([10, 10, 3])
    expect(chunks.flatMap((c) => c.data)).toEqual(steps)
  })

  it('honours a smaller size and yields nothing for no steps', () => {
    expect(chunkSteps(steps, 5).map((c) => c.data.length)).toEqual([5, 5, 5, 5, 3])
    expect(chunkSteps([])).toEqual([])
    expect(chunkSteps(steps.slice(0, 10))).toHaveLength(1)
  })

  it.each([0, 11, 2.5, -1, Number.NaN])('refuses size %s', (size) => {
    expect(() => chunkSteps(steps, size)).toThrow(RangeError)
  })
})
