import { describe, expect, it } from 'vitest'
import { parsePeriod, previousPeriod } from '../../../src/services/indicators/reports/period.js'
import { neutralizeFormula, renderCsv, type ReportContent } from '../../../src/services/indicators/reports/render.js'
import { fromTraCuuHoSo } from '../../../src/mappings/dvcqg/from-tra-cuu-ho-so.js'
import { inAgencyScope } from '../../../src/services/indicators/portal-check/index.js'

const period = { id: '2026-11', kind: 'month' as const, from: '2026-11-01', to: '2026-12-01' }
const metric = { code: 'ON_TIME' as const, numerator: 3, denominator: 4, ratio: 0.75, score: 7.5, maxScore: 10 }
const content = (childKey: string): ReportContent => ({
  period,
  agency: null,
  summary: { agency: null, from: period.from, to: period.to, metrics: [metric] },
  children: [
    {
      key: childKey,
      report: { agency: childKey, from: period.from, to: period.to, metrics: [{ ...metric, ratio: null, score: null, numerator: 0, denominator: 0 }] },
    },
  ],
  generatedAt: new Date('2026-12-01T01:00:00+07:00'),
})

describe('report files', () => {
  it('CSV: BOM, CRLF records, RFC 4180 quoting, null as an empty field', () => {
    const bytes = renderCsv(content('Phòng "A", tầng 2'))
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.split('\r\n')).toEqual([
      'Đơn vị,Mã chỉ số,Tên chỉ số,Tử số,Mẫu số,Tỷ lệ,Điểm,Điểm tối đa',
      'Toàn tỉnh,ON_TIME,Hồ sơ giải quyết đúng hạn,3,4,0.75,7.5,10',
      '"Phòng ""A"", tầng 2",ON_TIME,Hồ sơ giải quyết đúng hạn,0,0,,,10',
      '',
    ])
  })

  it('CSV: a text cell a spreadsheet would run as a formula is prefixed with an apostrophe', () => {
    for (const evil of ['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd']) {
      expect(neutralizeFormula(evil)).toBe(`'${evil}`)
    }
    expect(neutralizeFormula('000.00.06.H56')).toBe('000.00.06.H56')
    const text = renderCsv(content('=1+2')).subarray(3).toString('utf8')
    expect(text.split('\r\n')[2]!.startsWith("'=1+2,")).toBe(true)
  })

  it('periods: months and quarters, [from, to) in dates; the previous period in Vietnam time', () => {
    expect(parsePeriod('2026-12')).toEqual({ id: '2026-12', kind: 'month', from: '2026-12-01', to: '2027-01-01' })
    expect(parsePeriod('2026-Q4')).toEqual({ id: '2026-Q4', kind: 'quarter', from: '2026-10-01', to: '2027-01-01' })
    expect(parsePeriod('2026-Q1')).toEqual({ id: '2026-Q1', kind: 'quarter', from: '2026-01-01', to: '2026-04-01' })
    for (const bad of ['2026-13', '2026-00', '2026-Q5', '26-11', '2026-1', '']) expect(parsePeriod(bad)).toBeUndefined()
    // 1 January 01:00 in Hà Nội is still 31 December in UTC: the previous month is December.
    const newYear = new Date('2026-12-31T18:00:00Z')
    expect(previousPeriod('month', newYear, 'Asia/Ho_Chi_Minh').id).toBe('2026-12')
    expect(previousPeriod('quarter', newYear, 'Asia/Ho_Chi_Minh').id).toBe('2026-Q4')
    expect(previousPeriod('month', new Date('2026-03-01T01:00:00+07:00'), 'Asia/Ho_Chi_Minh')).toMatchObject({ from: '2026-02-01', to: '2026-03-01' })
    expect(previousPeriod('quarter', new Date('2026-04-01T02:00:00+07:00'), 'Asia/Ho_Chi_Minh')).toMatchObject({ id: '2026-Q1', from: '2026-01-01' })
  })

  it('TraCuuHoSo answers: held with its status (string or number), or not held', () => {
    expect(fromTraCuuHoSo('X', [])).toBeNull()
    expect(fromTraCuuHoSo('X', [{ MaHoSo: 'X', TrangThaiHoSo: '4' }])).toEqual({ status: 4 })
    expect(fromTraCuuHoSo('X', [{ MaHoSo: 'X', TrangThaiHoSo: 10 }])).toEqual({ status: 10 })
    expect(fromTraCuuHoSo('X', [{ MaHoSo: 'X', TrangThaiHoSo: 'abc' }])).toEqual({ status: null })
    expect(fromTraCuuHoSo('X', [{ MaHoSo: 'Y', TrangThaiHoSo: '2' }])).toBeNull()
  })

  it('agency scope: zero parts are open levels', () => {
    expect(inAgencyScope('000.01.06.H56', '000.00.06.H56')).toBe(true)
    expect(inAgencyScope('000.00.07.H56', '000.00.06.H56')).toBe(false)
    expect(inAgencyScope('000.00.07.H56', '000.00.00.H56')).toBe(true)
    expect(inAgencyScope('000.00.07.H57', '000.00.00.H56')).toBe(false)
  })
})
