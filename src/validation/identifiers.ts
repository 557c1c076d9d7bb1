/**
 * Structural validation of Vietnamese identifiers at the API edge
 * (NATIONAL-ENDPOINTS §5). Pure: no clock reads, the caller passes `now` where a
 * rule depends on the date. Every failure names one stable rule code so the 400
 * answer can say exactly which rule was broken.
 */
import { CCCD_PROVINCE_CODES } from './province-codes.js'

/** A failed check: `rule` is stable (`HUB_ID_<KIND>_<RULE>`), `message` is one English sentence. */
export interface IdInvalid {
  readonly ok: false
  readonly rule: `HUB_ID_${string}`
  readonly message: string
}

/** A passed check: `value` is the normalized identifier (surrounding whitespace removed). */
export interface IdValid<I> {
  readonly ok: true
  readonly value: string
  readonly info: I
}

/** The result of every `validate*` function. */
export type IdResult<I = undefined> = IdValid<I> | IdInvalid

export type Gender = 'male' | 'female'

/** What a CCCD number itself says about its holder. */
export interface CccdInfo {
  readonly provinceCode: string
  readonly provinceName: string
  readonly gender: Gender
  readonly birthYear: number
}

export interface CmndInfo {
  /** 9 for the classic CMND; 12 for the 12-digit CMND issued 2012-2016 (same layout as a CCCD). */
  readonly length: 9 | 12
}

export interface MstInfo {
  /** Digits 1-2: the province that issued the code. */
  readonly provinceCode: string
  /** The 10-digit parent code (equal to `value` for a head office). */
  readonly parent: string
  /** The 3-digit branch / dependent-unit number, when present. */
  readonly branch?: string
}

export interface AgencyInfo {
  /** The last segment, e.g. `H56`. */
  readonly root: string
  /** G = ministries and central agencies, H = provinces. */
  readonly level: 'ministry' | 'province' | 'other'
}

export interface DossierInfo {
  readonly agencyCode: string
  /** The receipt date, `YYYY-MM-DD`. */
  readonly date: string
  readonly sequence: string
}

export interface ProcedureInfo {
  /** The national code `N.NNNNNN` (the code itself for a national procedure). */
  readonly national: string
  /** The agency suffix of a local variant. */
  readonly agencyCode?: string
}

export interface ResultCodeInfo {
  /** The issuing ministry or province, e.g. `G15`. */
  readonly issuer: string
}

const invalid = (rule: `HUB_ID_${string}`, message: string): IdInvalid => ({ ok: false, rule, message })
const valid = <I>(value: string, info: I): IdValid<I> => ({ ok: true, value, info })

/** Trims and checks for a string; anything else fails `HUB_ID_<KIND>_CHARS`. */
function prepare(s: unknown, kind: string, label: string): string | IdInvalid {
  if (typeof s !== 'string') return invalid(`HUB_ID_${kind}_CHARS`, `The ${label} must be a string of digits.`)
  return s.trim()
}

/** Shared "N digits" check with distinct rules for bad characters and bad length. */
function checkDigits(v: string, kind: string, label: string, lengths: readonly number[]): IdInvalid | undefined {
  const expected = lengths.join(' or ')
  if (!/^\d*$/.test(v)) return invalid(`HUB_ID_${kind}_CHARS`, `The ${label} must contain digits only (no letters, spaces or punctuation).`)
  if (!lengths.includes(v.length)) return invalid(`HUB_ID_${kind}_LENGTH`, `The ${label} must be exactly ${expected} digits long.`)
  return undefined
}

/** The calendar year in Vietnam (UTC+7, no DST) at instant `now`. */
function vietnamYear(now: Date): number {
  return new Date(now.getTime() + 7 * 3_600_000).getUTCFullYear()
}

/**
 * Validates a 12-digit citizen identity card number (CCCD / số định danh cá nhân):
 * province code (digits 1-3), gender and century (digit 4: even = male, odd = female;
 * 0/1 1900s, 2/3 2000s, 4/5 2100s, 6/7 2200s, 8/9 2300s), birth year (digits 5-6).
 * With `now`, a birth year after the current year (Vietnam time) is rejected.
 */
export function validateCccd(s: string, now?: Date): IdResult<CccdInfo> {
  const v = prepare(s, 'CCCD', 'CCCD number')
  if (typeof v !== 'string') return v
  const bad = checkDigits(v, 'CCCD', 'CCCD number', [12])
  if (bad) return bad
  const provinceCode = v.slice(0, 3)
  const provinceName = CCCD_PROVINCE_CODES[provinceCode]
  if (provinceName === undefined) {
    return invalid(
      'HUB_ID_CCCD_PROVINCE',
      `The first three digits of a CCCD number must be a province code of Circular 07/2016/TT-BCA; ${provinceCode} is not one.`,
    )
  }
  const centuryDigit = Number(v[3])
  const century = 1900 + Math.floor(centuryDigit / 2) * 100
  const birthYear = century + Number(v.slice(4, 6))
  if (now !== undefined) {
    const year = vietnamYear(now)
    if (century > year) {
      return invalid(
        'HUB_ID_CCCD_CENTURY',
        `The fourth digit of a CCCD number encodes gender and birth century; ${centuryDigit} means born in the ${century}s, which has not begun.`,
      )
    }
    if (birthYear > year) {
      return invalid('HUB_ID_CCCD_BIRTH_YEAR', `Digits 4 to 6 of a CCCD number encode the birth year; ${birthYear} is in the future.`)
    }
  }
  return valid(v, { provinceCode, provinceName, gender: centuryDigit % 2 === 0 ? 'male' : 'female', birthYear })
}

/** Validates an old identity card number (CMND): 9 digits, or the 12-digit CMND (flagged in `info.length`). */
export function validateCmnd(s: string): IdResult<CmndInfo> {
  const v = prepare(s, 'CMND', 'CMND number')
  if (typeof v !== 'string') return v
  const bad = checkDigits(v, 'CMND', 'CMND number', [9, 12])
  if (bad) return bad
  return valid(v, { length: v.length === 9 ? 9 : 12 })
}

const MST_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const

/**
 * The MST check digit for the first nine digits: 10 − (Σ Nᵢ·Wᵢ mod 11).
 * Returns 10 when no digit can make the code valid (such codes are never issued).
 */
export function mstCheckDigit(firstNine: string): number {
  let sum = 0
  for (let i = 0; i < MST_WEIGHTS.length; i++) sum += Number(firstNine[i]) * (MST_WEIGHTS[i] ?? 0)
  return 10 - (sum % 11)
}

/**
 * Validates a tax code / enterprise code (MST): 10 digits, or 10 digits + `-` + a
 * 3-digit branch number. Checks the province (not `00`), the sequence (not `0000000`),
 * the check digit (NATIONAL-ENDPOINTS §5) and the branch (not `000`).
 */
export function validateMst(s: string): IdResult<MstInfo> {
  const v = prepare(s, 'MST', 'tax code (MST)')
  if (typeof v !== 'string') return v
  if (!/^[\d-]*$/.test(v)) {
    return invalid('HUB_ID_MST_CHARS', 'A tax code (MST) may contain only digits and one hyphen before the branch number (no letters or spaces).')
  }
  const m = /^(\d{10})(?:-(\d{3}))?$/.exec(v)
  if (m === null) {
    return invalid('HUB_ID_MST_LENGTH', 'A tax code (MST) must be 10 digits, or 10 digits, a hyphen and a 3-digit branch number.')
  }
  const parent = m[1] as string
  const branch = m[2]
  const provinceCode = parent.slice(0, 2)
  if (provinceCode === '00') return invalid('HUB_ID_MST_PROVINCE', 'The first two digits of a tax code (MST) are a province code and cannot be 00.')
  if (parent.slice(2, 9) === '0000000') return invalid('HUB_ID_MST_SEQUENCE', 'Digits 3 to 9 of a tax code (MST) are a sequence number and cannot be 0000000.')
  const expected = mstCheckDigit(parent.slice(0, 9))
  if (expected === 10) {
    return invalid('HUB_ID_MST_CHECK_DIGIT', 'The first nine digits of this tax code (MST) give a check digit of 10, so no valid tax code starts with them.')
  }
  if (Number(parent[9]) !== expected) {
    return invalid('HUB_ID_MST_CHECK_DIGIT', 'The tenth digit of a tax code (MST) must equal its check digit computed from the first nine digits; it does not.')
  }
  if (branch === '000') return invalid('HUB_ID_MST_BRANCH', 'The branch number of a tax code (MST) cannot be 000; omit it for the head office.')
  return valid(v, branch === undefined ? { provinceCode, parent } : { provinceCode, parent, branch })
}

/** Validates a social insurance (BHXH) number: exactly 10 digits. */
export function validateBhxh(s: string): IdResult {
  const v = prepare(s, 'BHXH', 'social insurance (BHXH) number')
  if (typeof v !== 'string') return v
  const bad = checkDigits(v, 'BHXH', 'social insurance (BHXH) number', [10])
  if (bad) return bad
  return valid(v, undefined)
}

const AGENCY_RE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/

/** Validates an agency identifier (mã định danh) `NNN.NN.NN.Xnn`, e.g. `000.00.00.H56`. */
export function validateAgencyCode(s: string): IdResult<AgencyInfo> {
  const v = prepare(s, 'AGENCY', 'agency code')
  if (typeof v !== 'string') return v
  if (!AGENCY_RE.test(v)) {
    return invalid(
      'HUB_ID_AGENCY_FORMAT',
      'An agency code must look like NNN.NN.NN.Xnn (for example 000.00.00.H56): three dot-separated digit groups of 3, 2 and 2 digits, then a capital letter and 2 digits.',
    )
  }
  const root = v.slice(10)
  const level = root.startsWith('G') ? 'ministry' : root.startsWith('H') ? 'province' : 'other'
  return valid(v, { root, level })
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  const d = new Date(Date.UTC(year, month - 1, day))
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day
}

/** Validates a dossier code `<agency code>-<yyMMdd>-<NNNN>`, e.g. `000.00.06.H56-231027-0361`; the date must exist. */
export function validateDossierCode(s: string): IdResult<DossierInfo> {
  const v = prepare(s, 'DOSSIER', 'dossier code')
  if (typeof v !== 'string') return v
  const m = /^(.+)-(\d{2})(\d{2})(\d{2})-(\d{4})$/.exec(v)
  if (m === null) {
    return invalid('HUB_ID_DOSSIER_FORMAT', 'A dossier code must look like <agency code>-<yyMMdd>-<NNNN>, for example 000.00.06.H56-231027-0361.')
  }
  const [, agencyCode, yy, mm, dd, sequence] = m as unknown as [string, string, string, string, string, string]
  if (!AGENCY_RE.test(agencyCode)) {
    return invalid('HUB_ID_DOSSIER_AGENCY', 'A dossier code must start with a valid agency code of the form NNN.NN.NN.Xnn.')
  }
  const year = 2000 + Number(yy)
  if (!isRealDate(year, Number(mm), Number(dd))) {
    return invalid('HUB_ID_DOSSIER_DATE', `The yyMMdd part of a dossier code must be a real calendar date; ${yy}${mm}${dd} is not.`)
  }
  return valid(v, { agencyCode, date: `${year}-${mm}-${dd}`, sequence })
}

/** Validates a procedure code: national `N.NNNNNN` or local `N.NNNNNN.<agency code>`; `info.national` is the national part. */
export function validateProcedureCode(s: string): IdResult<ProcedureInfo> {
  const v = prepare(s, 'PROCEDURE', 'procedure code')
  if (typeof v !== 'string') return v
  const m = /^(\d\.\d{6})(?:\.(.+))?$/.exec(v)
  if (m === null) {
    return invalid('HUB_ID_PROCEDURE_FORMAT', 'A procedure code must be N.NNNNNN (for example 1.003560), optionally followed by a dot and an agency code.')
  }
  const national = m[1] as string
  const agencyCode = m[2]
  if (agencyCode === undefined) return valid(v, { national })
  if (!AGENCY_RE.test(agencyCode)) {
    return invalid('HUB_ID_PROCEDURE_AGENCY', 'The suffix of a local procedure code must be a valid agency code of the form NNN.NN.NN.Xnn.')
  }
  return valid(v, { national, agencyCode })
}

/** Validates a result code `KQ.<issuer>.<6 digits>`, e.g. `KQ.G15.000031`. */
export function validateResultCode(s: string): IdResult<ResultCodeInfo> {
  const v = prepare(s, 'RESULT', 'result code')
  if (typeof v !== 'string') return v
  const m = /^KQ\.([A-Z]\d{2})\.\d{6}$/.exec(v)
  if (m === null) {
    return invalid('HUB_ID_RESULT_FORMAT', 'A result code must look like KQ.<issuer>.<6 digits>, for example KQ.G15.000031.')
  }
  return valid(v, { issuer: m[1] as string })
}
