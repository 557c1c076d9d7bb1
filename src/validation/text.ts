/**
 * The one string rule of the API, as plain loops over char codes (linear, no regex
 * backtracking), shared by the ajv formats (`hub-*`, see `registerHubFormats`) and the
 * request walk that refuses NUL, C0 controls and lone surrogates anywhere in a request.
 *
 * - every string: no NUL or other C0 control except TAB, LF, CR; no unpaired surrogate;
 * - names and codes (`hub-name`, `hub-code`): no control character at all (C0, DEL, C1),
 *   no format character (Unicode Cf: bidi overrides and isolates, zero-width joiners,
 *   BOM, soft hyphen…), trimmed and not blank; codes also hold no whitespace;
 * - dates (`hub-date`): `YYYY-MM-DD` on the calendar, years 1800–2200;
 * - timestamps (`hub-timestamp`): `YYYY-MM-DDThh:mm:ss[.f]` with `Z` or `±hh:mm`, on the calendar;
 * - base64 (`hub-base64`): the alphabet and whitespace, then at most two `=`.
 */
import type { Ajv } from 'ajv'

/** Reasons a string is refused; each is one English phrase after "must". */
export const TEXT_RULES = {
  control: 'not contain NUL or other control characters',
  surrogate: 'be well-formed Unicode (no unpaired surrogate)',
  format: 'not contain invisible format characters (bidi controls, zero-width characters)',
  blank: 'not be empty or only whitespace',
  untrimmed: 'not start or end with whitespace',
  whitespace: 'not contain whitespace',
} as const
export type TextRule = keyof typeof TEXT_RULES

const FORMAT_CHAR = /\p{Cf}/u

/**
 * The first problem of any string of a request (free text included): a C0 control other
 * than TAB/LF/CR, or an unpaired surrogate. `undefined` when the string is fine.
 */
export function basicTextProblem(s: string): TextRule | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return 'control'
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A high surrogate must be followed by a low one; a low one never stands alone.
      if (c >= 0xdc00) return 'surrogate'
      const next = s.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'surrogate'
      i++
    }
  }
  return undefined
}

/** The first problem of a name or code (see the module comment). One pass plus one Cf scan. */
export function nameProblem(s: string, code = false): TextRule | undefined {
  let space = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'control'
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1)
      if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return 'surrogate'
      i++
    } else if (
      c === 0x20 ||
      c === 0xa0 ||
      c === 0x3000 ||
      c === 0xfeff ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x1680
    ) {
      space = true
    }
  }
  // A single-character class without quantifier: one pass, no backtracking.
  if (FORMAT_CHAR.test(s)) return 'format'
  if (!space) return s.length === 0 ? 'blank' : undefined
  const trimmed = s.trim()
  if (trimmed === '') return 'blank'
  if (trimmed.length !== s.length) return 'untrimmed'
  return code ? 'whitespace' : undefined
}

/** `n` decimal digits of `s` from `at`, or -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48
    if (!(c >= 0 && c <= 9)) return -1
    v = v * 10 + c
  }
  return v
}

export const MIN_YEAR = 1800
export const MAX_YEAR = 2200

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** `YYYY-MM-DD` at `at` is a real calendar day with a year in [MIN_YEAR, MAX_YEAR]. */
function isDateAt(s: string, at: number): boolean {
  const y = digits(s, at, 4)
  const m = digits(s, at + 5, 2)
  const d = digits(s, at + 8, 2)
  if (s[at + 4] !== '-' || s[at + 7] !== '-' || y < MIN_YEAR || y > MAX_YEAR) return false
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

/** A calendar date `YYYY-MM-DD` (years 1800–2200; Feb 30 and 0000 refused). */
export function isHubDate(s: string): boolean {
  return s.length === 10 && isDateAt(s, 0)
}

/**
 * An ISO-8601 timestamp with seconds and an offset (`Z` or `±hh:mm`, up to ±14:00),
 * an optional fraction of 1 to 9 digits, on the calendar.
 */
export function isHubTimestamp(s: string): boolean {
  if (s.length < 20 || s.length > 35 || !isDateAt(s, 0) || s[10] !== 'T') return false
  const hh = digits(s, 11, 2)
  const mi = digits(s, 14, 2)
  const ss = digits(s, 17, 2)
  if (s[13] !== ':' || s[16] !== ':' || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return false
  let i = 19
  if (s[i] === '.') {
    const start = ++i
    while (i < s.length && digits(s, i, 1) >= 0) i++
    if (i === start || i - start > 9) return false
  }
  if (s[i] === 'Z') return i + 1 === s.length
  if (s[i] !== '+' && s[i] !== '-') return false
  const oh = digits(s, i + 1, 2)
  const om = digits(s, i + 4, 2)
  return i + 6 === s.length && s[i + 3] === ':' && oh >= 0 && (oh < 14 || (oh === 14 && om === 0)) && om >= 0 && om <= 59
}

const isB64Char = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11

/**
 * base64 as the warehouse intake takes it: the standard alphabet with any whitespace
 * (line-wrapped files), then up to two `=` and trailing whitespace. One pass, O(n).
 */
export function isBase64(s: string): boolean {
  let i = 0
  let data = 0
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (isB64Char(c)) data++
    else if (!isSpace(c)) break
  }
  if (data === 0) return false
  let pad = 0
  for (; i < s.length && s.charCodeAt(i) === 61; i++) pad++
  if (pad > 2) return false
  for (; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false
  return true
}

/**
 * Longest string a name/code/text format looks at: every such field has a far smaller
 * maxLength, and ajv (allErrors) runs the format even when maxLength already failed.
 */
export const MAX_TEXT_LENGTH = 10_000
const short = (check: (s: string) => boolean) => (s: string) => s.length <= MAX_TEXT_LENGTH && check(s)

/** What each `hub-*` format asks of a string, for the 400 answer. */
export const HUB_FORMATS = {
  'hub-text': { message: `must ${TEXT_RULES.control} and ${TEXT_RULES.surrogate}`, validate: short((s) => basicTextProblem(s) === undefined) },
  'hub-name': {
    message: 'must be a trimmed, non-empty name without control or invisible format characters (bidi, zero-width)',
    validate: short((s) => nameProblem(s) === undefined),
  },
  'hub-code': {
    message: 'must be a code without whitespace, control or invisible format characters (bidi, zero-width)',
    validate: short((s) => nameProblem(s, true) === undefined),
  },
  'hub-date': { message: `must be a calendar date YYYY-MM-DD (years ${MIN_YEAR}–${MAX_YEAR})`, validate: isHubDate },
  'hub-date-or-year': {
    message: `must be a calendar date YYYY-MM-DD or a year YYYY (years ${MIN_YEAR}–${MAX_YEAR})`,
    validate: (s: string) => isHubDate(s) || (s.length === 4 && digits(s, 0, 4) >= MIN_YEAR && digits(s, 0, 4) <= MAX_YEAR),
  },
  'hub-timestamp': {
    message: `must be an ISO-8601 timestamp with seconds and an offset, on the calendar, e.g. 2023-10-27T08:30:00+07:00 (years ${MIN_YEAR}–${MAX_YEAR})`,
    validate: isHubTimestamp,
  },
  'hub-base64': { message: 'must be base64 (A–Z, a–z, 0–9, +, /, whitespace, then at most two =)', validate: isBase64 },
} as const
export type HubFormat = keyof typeof HUB_FORMATS

/** The ajv plugin registering the `hub-*` formats (app.ts hands it to Fastify's ajv). */
export function registerHubFormats(ajv: Ajv): Ajv {
  for (const [name, f] of Object.entries(HUB_FORMATS)) ajv.addFormat(name, { type: 'string', validate: f.validate })
  return ajv
}

/** Where a request holds a string that breaks the basic rule, as a JSON pointer under `root`. */
export interface TextViolation {
  field: string
  rule: TextRule
}

/** Largest nesting the walk follows; deeper input is refused rather than recursed into. */
export const MAX_DEPTH = 64

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

/** The same walk as findTextViolation without pointers: true when nothing breaks the basic rule. */
function isCleanText(value: unknown): boolean {
  const values: unknown[] = [value]
  const depths: number[] = [0]
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop()!
    if (typeof v === 'string') {
      if (basicTextProblem(v) !== undefined) return false
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) return false
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          values.push(v[i])
          depths.push(depth + 1)
        }
      } else if (!Buffer.isBuffer(v)) {
        const keys = Object.keys(v)
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!
          if (basicTextProblem(k) !== undefined) return false
          values.push((v as Record<string, unknown>)[k])
          depths.push(depth + 1)
        }
      }
    }
  }
  return true
}

/**
 * Walks a parsed request part (body, query, params, headers) iteratively — a hostile
 * body can nest deeper than the call stack — and returns the first string (value or key)
 * holding a NUL/C0 control or an unpaired surrogate, or a nesting beyond MAX_DEPTH.
 */
export function findTextViolation(value: unknown, root: string): TextViolation | { field: string; rule: 'depth' } | undefined {
  // Nearly every request is clean: check without building a pointer per field, then walk again to name the field.
  if (isCleanText(value)) return undefined
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }]
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!
    if (typeof v === 'string') {
      const rule = basicTextProblem(v)
      if (rule) return { field: path, rule }
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) return { field: path, rule: 'depth' }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}/${i}`, depth: depth + 1 })
      } else if (!Buffer.isBuffer(v)) {
        const keys = Object.keys(v)
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!
          const rule = basicTextProblem(k)
          // The key itself is unprintable: name its parent.
          if (rule) return { field: `${path}/(a property name)`, rule }
          stack.push({ v: (v as Record<string, unknown>)[k], path: `${path}/${pointer(k)}`, depth: depth + 1 })
        }
      }
    }
  }
  return undefined
}
