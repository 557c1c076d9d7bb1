import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  formatNationalDay,
  isIsoDay,
  nationalDay,
  readNationalDateTime,
  readPartialDate,
  toEpochMs,
  toNationalTimestamp,
} from '../../../src/mappings/shared/national-time.js'

type Cases = {
  nationalDay: [string, unknown, string | null, ('invalid' | 'absent')?][]
  toNationalTimestamp: [string, string, string][]
  readPartialDate: [string, string, { year: number; month: number; day: number } | null][]
  formatNationalDay: [string, 'yyyyMMddHHmmss' | 'yyyyMMdd' | 'dd/MM/yyyy' | 'yyyy/MM/dd', string][]
}
const cases = JSON.parse(readFileSync(new URL('./cases/national-time.json', import.meta.url), 'utf8')) as Cases

describe('national dates: every format of NATIONAL-ENDPOINTS.md, Asia/Ho_Chi_Minh unless an offset is given', () => {
  it.each(cases.nationalDay)('nationalDay: %s (%j)', (_name, input, day, missing) => {
    const expected = day ?? (missing === 'absent' ? null : undefined)
    expect(nationalDay(input)).toBe(expected)
  })

  it.each(cases.toNationalTimestamp)('toNationalTimestamp: %s (%s)', (_name, input, expected) => {
    const r = toNationalTimestamp(input)
    if (/^\d{14}$/.test(expected)) expect(r).toEqual({ ok: true, value: expected })
    else expect(r).toEqual({ ok: false, reason: expected })
  })

  it.each(cases.readPartialDate)('readPartialDate: %s (%s)', (_name, input, expected) => {
    expect(readPartialDate(input)).toEqual(expected ?? undefined)
  })

  it.each(cases.formatNationalDay)('formatNationalDay(%s, %s) = %s', (day, format, expected) => {
    expect(formatNationalDay(day, format)).toBe(expected)
  })

  it('a local yyyyMMddHHmmss is the instant seven hours before the same UTC clock', () => {
    const v = readNationalDateTime('20231027083000')!
    expect(new Date(toEpochMs(v)).toISOString()).toBe('2023-10-27T01:30:00.000Z')
    expect(new Date(toEpochMs(readNationalDateTime('2023-10-27T08:30:00-05:00')!)).toISOString()).toBe('2023-10-27T13:30:00.000Z')
  })

  it('isIsoDay accepts only real YYYY-MM-DD days', () => {
    expect(isIsoDay('2024-02-29')).toBe(true)
    expect(isIsoDay('2023-02-29')).toBe(false)
    expect(isIsoDay('20240229')).toBe(false)
  })
})
