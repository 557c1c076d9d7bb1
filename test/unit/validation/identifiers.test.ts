// Test titles never print identity numbers (even fictional ones): the suite's output is checked for them.
import { describe, expect, it } from 'vitest'
import {
  mstCheckDigit,
  validateAgencyCode,
  validateBhxh,
  validateCccd,
  validateCmnd,
  validateDossierCode,
  validateMst,
  validateProcedureCode,
  validateResultCode,
} from '../../../src/validation/identifiers.js'
import { CCCD_PROVINCE_CODES } from '../../../src/validation/province-codes.js'

// The documented algorithm (NATIONAL-ENDPOINTS §5), written again here so the
// tests do not trust the implementation to produce their own expected values.
const W = [31, 29, 23, 19, 17, 13, 7, 5, 3]
function docCheckDigit(nine: string): number {
  const sum = [...nine].reduce((acc, d, i) => acc + Number(d) * W[i]!, 0)
  return 10 - (sum % 11)
}
/** Finds a nine-digit prefix near `seed` whose check digit is (or is not) 10. */
function prefixWith(seed: number, wantTen: boolean): string {
  for (let n = seed; ; n++) {
    const nine = String(n).padStart(9, '0')
    if ((docCheckDigit(nine) === 10) === wantTen) return nine
  }
}
function validMst(seed: number): string {
  const nine = prefixWith(seed, false)
  return nine + String(docCheckDigit(nine))
}

const NOW = new Date('2025-06-01T00:00:00Z')

describe('validateMst', () => {
  const generated = [validMst(10_010_910), validMst(31_234_567), validMst(790_000_123), validMst(481_234_560)]

  it.each(generated)('accepts generated head-office code #%#', (mst) => {
    const r = validateMst(mst)
    expect(r).toEqual({ ok: true, value: mst, info: { provinceCode: mst.slice(0, 2), parent: mst } })
  })

  it('accepts a branch code and reports the branch', () => {
    const parent = generated[0]!
    expect(validateMst(`${parent}-001`)).toEqual({ ok: true, value: `${parent}-001`, info: { provinceCode: parent.slice(0, 2), parent, branch: '001' } })
  })

  it('agrees with the documented check digit on a known real code (0100109106)', () => {
    expect(docCheckDigit('010010910')).toBe(6)
    expect(mstCheckDigit('010010910')).toBe(6)
    expect(validateMst('0100109106').ok).toBe(true)
  })

  it('trims surrounding whitespace as normalization', () => {
    const mst = generated[1]!
    expect(validateMst(`  ${mst}\n`)).toMatchObject({ ok: true, value: mst })
  })

  const tenPrefix = prefixWith(10_000_000, true)
  const good = generated[0]!
  const wrongCheck = good.slice(0, 9) + String((Number(good[9]) + 1) % 10)
  const cases: Array<[string, string, string]> = [
    ['check digit would be 10', `${tenPrefix}0`, 'HUB_ID_MST_CHECK_DIGIT'],
    ['check digit would be 10 (any last digit)', `${tenPrefix}9`, 'HUB_ID_MST_CHECK_DIGIT'],
    ['wrong check digit', wrongCheck, 'HUB_ID_MST_CHECK_DIGIT'],
    ['province 00', `00${good.slice(2)}`, 'HUB_ID_MST_PROVINCE'],
    ['sequence 0000000', '0100000000', 'HUB_ID_MST_SEQUENCE'],
    ['branch 000', `${good}-000`, 'HUB_ID_MST_BRANCH'],
    ['9 digits', good.slice(0, 9), 'HUB_ID_MST_LENGTH'],
    ['11 digits', `${good}1`, 'HUB_ID_MST_LENGTH'],
    ['2-digit branch', `${good}-01`, 'HUB_ID_MST_LENGTH'],
    ['branch without hyphen', `${good}001`, 'HUB_ID_MST_LENGTH'],
    ['empty', '', 'HUB_ID_MST_LENGTH'],
    ['letters', `${good.slice(0, 9)}A`, 'HUB_ID_MST_CHARS'],
    ['inner space', `${good.slice(0, 5)} ${good.slice(5)}`, 'HUB_ID_MST_CHARS'],
    ['slash branch', `${good}/001`, 'HUB_ID_MST_CHARS'],
  ]
  it.each(cases)('rejects %s', (_name, input, rule) => {
    const r = validateMst(input)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.rule).toBe(rule)
      expect(r.message).toMatch(/tax code \(MST\)/)
    }
  })

  it('confirms the "check digit 10" prefix really yields 10 by the documented formula', () => {
    expect(docCheckDigit(tenPrefix)).toBe(10)
    expect(mstCheckDigit(tenPrefix)).toBe(10)
  })

  it('rejects a non-string input without throwing', () => {
    expect(validateMst(123 as unknown as string)).toMatchObject({ ok: false, rule: 'HUB_ID_MST_CHARS' })
  })
})

describe('validateCccd', () => {
  it('has the 63 province codes and no 000', () => {
    expect(Object.keys(CCCD_PROVINCE_CODES)).toHaveLength(63)
    expect(CCCD_PROVINCE_CODES['000']).toBeUndefined()
    expect(CCCD_PROVINCE_CODES['001']).toBe('Hà Nội')
    expect(CCCD_PROVINCE_CODES['096']).toBe('Cà Mau')
  })

  const ok: Array<[string, string, 'male' | 'female', number]> = [
    ['001085012345', '001', 'male', 1985],
    ['079190000001', '079', 'female', 1990],
    ['038200123456', '038', 'male', 2000],
    ['096324999999', '096', 'female', 2024],
    ['046000000000', '046', 'male', 1900],
  ]
  it.each(ok)('decodes valid example #%#', (id, provinceCode, gender, birthYear) => {
    const r = validateCccd(id, NOW)
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.info).toMatchObject({ provinceCode, gender, birthYear })
  })

  it('decodes later centuries when no clock is given', () => {
    expect(validateCccd('001405000000')).toMatchObject({ ok: true, info: { gender: 'male', birthYear: 2105 } })
    expect(validateCccd('001799000000')).toMatchObject({ ok: true, info: { gender: 'female', birthYear: 2299 } })
    expect(validateCccd('001801000000')).toMatchObject({ ok: true, info: { gender: 'male', birthYear: 2301 } })
  })

  const bad: Array<[string, string, string]> = [
    ['province 000', '000085012345', 'HUB_ID_CCCD_PROVINCE'],
    ['province 003 (not allocated)', '003085012345', 'HUB_ID_CCCD_PROVINCE'],
    ['province 099', '099085012345', 'HUB_ID_CCCD_PROVINCE'],
    ['century digit 4 before 2100', '001405012345', 'HUB_ID_CCCD_CENTURY'],
    ['century digit 9 before 2300', '001905012345', 'HUB_ID_CCCD_CENTURY'],
    ['birth year 2026 in 2025', '001226012345', 'HUB_ID_CCCD_BIRTH_YEAR'],
    ['birth year 2099 in 2025', '001399012345', 'HUB_ID_CCCD_BIRTH_YEAR'],
    ['11 digits', '00108501234', 'HUB_ID_CCCD_LENGTH'],
    ['13 digits', '0010850123456', 'HUB_ID_CCCD_LENGTH'],
    ['letters', '00108501234A', 'HUB_ID_CCCD_CHARS'],
    ['inner space', '001085 012345', 'HUB_ID_CCCD_CHARS'],
  ]
  it.each(bad)('rejects %s', (_name, input, rule) => {
    const r = validateCccd(input, NOW)
    expect(r).toMatchObject({ ok: false, rule })
    if (!r.ok) expect(r.message).toMatch(/CCCD/)
  })

  it('reads the year in Vietnam time: 31 Dec 2025 17:30 UTC is already 2026', () => {
    const eve = new Date('2025-12-31T17:30:00Z')
    expect(validateCccd('001226012345', eve).ok).toBe(true)
    expect(validateCccd('001226012345', new Date('2025-12-31T16:30:00Z')).ok).toBe(false)
  })
})

describe('validateCmnd', () => {
  it('accepts 9 digits and flags the 12-digit CMND', () => {
    expect(validateCmnd('012345678')).toEqual({ ok: true, value: '012345678', info: { length: 9 } })
    expect(validateCmnd('001085012345')).toEqual({ ok: true, value: '001085012345', info: { length: 12 } })
  })
  it.each([
    ['01234567', 'HUB_ID_CMND_LENGTH'],
    ['0123456789', 'HUB_ID_CMND_LENGTH'],
    ['01234567X', 'HUB_ID_CMND_CHARS'],
  ])('rejects malformed CMND #%#', (input, rule) => {
    expect(validateCmnd(input)).toMatchObject({ ok: false, rule })
  })
})

describe('validateBhxh', () => {
  it('accepts 10 digits', () => {
    expect(validateBhxh('7912345678')).toEqual({ ok: true, value: '7912345678', info: undefined })
  })
  it.each([
    ['791234567', 'HUB_ID_BHXH_LENGTH'],
    ['79123456789', 'HUB_ID_BHXH_LENGTH'],
    ['79123-5678', 'HUB_ID_BHXH_CHARS'],
  ])('rejects malformed BHXH number #%#', (input, rule) => {
    expect(validateBhxh(input)).toMatchObject({ ok: false, rule })
  })
})

describe('validateAgencyCode', () => {
  it.each([
    ['000.00.00.H56', 'H56', 'province'],
    ['000.00.00.G22', 'G22', 'ministry'],
    ['000.00.06.H56', 'H56', 'province'],
    ['000.00.00.A01', 'A01', 'other'],
  ])('accepts %s', (code, root, level) => {
    expect(validateAgencyCode(code)).toEqual({ ok: true, value: code, info: { root, level } })
  })
  it.each(['000.00.00.h56', '00.00.00.H56', '000.00.00.H5', '000-00-00-H56', 'H56'])('rejects %s', (code) => {
    expect(validateAgencyCode(code)).toMatchObject({ ok: false, rule: 'HUB_ID_AGENCY_FORMAT' })
  })
})

describe('validateDossierCode', () => {
  it('accepts a real code and decodes it', () => {
    expect(validateDossierCode('000.00.06.H56-231027-0361')).toEqual({
      ok: true,
      value: '000.00.06.H56-231027-0361',
      info: { agencyCode: '000.00.06.H56', date: '2023-10-27', sequence: '0361' },
    })
  })
  it('accepts 29 February of a leap year', () => {
    expect(validateDossierCode('000.00.00.H56-240229-0001').ok).toBe(true)
  })
  it.each([
    ['000.00.06.H56-230229-0361', 'HUB_ID_DOSSIER_DATE'],
    ['000.00.06.H56-231327-0361', 'HUB_ID_DOSSIER_DATE'],
    ['000.00.06.H56-231000-0361', 'HUB_ID_DOSSIER_DATE'],
    ['000.00.06.H56-230431-0361', 'HUB_ID_DOSSIER_DATE'],
    ['000.00.6.H56-231027-0361', 'HUB_ID_DOSSIER_AGENCY'],
    ['000.00.06.H56-20231027-0361', 'HUB_ID_DOSSIER_FORMAT'],
    ['000.00.06.H56-231027-361', 'HUB_ID_DOSSIER_FORMAT'],
    ['000.00.06.H56231027-0361', 'HUB_ID_DOSSIER_FORMAT'],
  ])('rejects %s', (code, rule) => {
    expect(validateDossierCode(code)).toMatchObject({ ok: false, rule })
  })
})

describe('validateProcedureCode', () => {
  it('accepts a national code', () => {
    expect(validateProcedureCode('1.003560')).toEqual({ ok: true, value: '1.003560', info: { national: '1.003560' } })
  })
  it('accepts a local variant and extracts the national code', () => {
    expect(validateProcedureCode('1.003560.000.00.00.H56')).toEqual({
      ok: true,
      value: '1.003560.000.00.00.H56',
      info: { national: '1.003560', agencyCode: '000.00.00.H56' },
    })
  })
  it.each([
    ['1.00356', 'HUB_ID_PROCEDURE_FORMAT'],
    ['10.003560', 'HUB_ID_PROCEDURE_FORMAT'],
    ['1-003560', 'HUB_ID_PROCEDURE_FORMAT'],
    ['1.003560.H56', 'HUB_ID_PROCEDURE_AGENCY'],
  ])('rejects %s', (code, rule) => {
    expect(validateProcedureCode(code)).toMatchObject({ ok: false, rule })
  })
})

describe('validateResultCode', () => {
  it('accepts KQ.G15.000031', () => {
    expect(validateResultCode('KQ.G15.000031')).toEqual({ ok: true, value: 'KQ.G15.000031', info: { issuer: 'G15' } })
  })
  it.each(['KQ.G15.00031', 'kq.G15.000031', 'KQ.15.000031', 'KQG15000031'])('rejects %s', (code) => {
    expect(validateResultCode(code)).toMatchObject({ ok: false, rule: 'HUB_ID_RESULT_FORMAT' })
  })
})
