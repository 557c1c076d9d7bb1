import { isNativeError } from 'node:util/types'

/**
 * Personal-data masking for logs (Decree 13/2023). Two nets:
 * 1. keys that name personal data (name, idNumber, phone, passport, SoDinhDanh, HoVaTen, …)
 *    have their values masked wherever they sit in a logged object;
 * 2. every string is scanned for identity-shaped digit runs (CMND 9, BHXH/phone 10,
 *    CCCD 12 digits), passport-shaped tokens (one or two letters + 7–8 digits), e-mail
 *    addresses and bearer tokens, which are masked too.
 * Secrets (passwords, tokens, keys) are removed entirely. Errors are reduced to
 * {type, code, message, stack} (and a short `cause` chain): their other properties
 * (SQL parameters, field values, HTTP bodies) never reach a log line.
 * Every pattern is linear and strings are truncated before scanning, so masking a
 * caller-controlled 100 KB URL costs microseconds, not seconds.
 */

const SECRET_KEYS = new Set([
  'password',
  'matkhau',
  'secret',
  'secretkey',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'session',
  'authorization',
  'cookie',
  'setcookie',
  'xapikey',
  'apikey',
  'lgspaccesstoken',
  'privatekey',
  'passphrase',
])

const PII_KEYS = new Set([
  // normalized API
  'name',
  'fullname',
  'familyname',
  'middlename',
  'givenname',
  'idnumber',
  'oldidnumber',
  'phone',
  'email',
  'birthdate',
  'address',
  'detail',
  'portalaccountid',
  'ownerid',
  'subjectid',
  'number',
  // national wire names
  'hovaten',
  'ho',
  'chudem',
  'ten',
  'chuhoso',
  'sodinhdanh',
  'socmnd',
  'sogiaytochuhoso',
  'sodienthoai',
  'madoituong',
  'ngaythangnamsinh',
  'ngaythangnam',
  'chitiet',
  'sodinhdanhchusohuu',
  'sodinhdanhnguoiyeucau',
  'hotennguoiyeucau',
  'madinhdanh',
  'chugiayto',
  'sosohokhau',
  'msdn',
  'masothue',
  // foreign identity documents (any alphanumeric value under these keys)
  'passport',
  'passportno',
  'passportnumber',
  'passportid',
  'hochieu',
  'sohochieu',
  'traveldocument',
  'traveldocumentnumber',
  'documentnumber',
  'sogiayto',
  'sogiaytotuythan',
])

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Masks a digit run, keeping its length class visible and the last two digits. */
function maskDigits(d: string): string {
  return `*`.repeat(Math.max(0, d.length - 2)) + d.slice(-2)
}

// Every pattern below is linear: bounded quantifiers, or a single class run after a literal.
// Not inside a longer token (hex ids, UUIDs): only runs bounded by non-word characters.
const DIGIT_RUN = /(?<![\w-])(\+?84|0)?\d{8,11}(?![\w-])/g
// Vietnamese passports are a letter + 7 digits (C1234567); many foreign ones 1–2 letters + 7–8 digits.
const PASSPORT = /(?<![\w-])[A-Za-z]{1,2}\d{7,8}(?![\w-])/g
// Anchored on '@': the domain run stops at the next '@', so no position is scanned twice.
const EMAIL_AT = /@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi
const MST_BRANCH = /(?<!\d)\d{10}-\d{3}(?!\d)/g

/** Longest text masked and logged as is; longer text keeps its head and a length marker. */
export const MAX_LOGGED_CHARS = 4096

/** `s` cut to `max` characters plus `…[+N chars]`, never inside a word (no half identifier left). */
export function truncateText(s: string, max = MAX_LOGGED_CHARS): string {
  if (s.length <= max) return s
  let cut = max
  while (cut > max - 32 && /\w/.test(s[cut - 1]!) && /\w/.test(s[cut]!)) cut--
  return `${s.slice(0, cut)}…[+${s.length - cut} chars]`
}

const isLocalChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45

/** `an.nguyen@example.vn` → `a***@example.vn`: the local part is found by walking back from each '@'. */
function maskEmails(s: string): string {
  let out = ''
  let last = 0
  for (const m of s.matchAll(EMAIL_AT)) {
    const at = m.index
    if (at < last) continue
    let start = at
    while (start > last && isLocalChar(s.charCodeAt(start - 1))) start--
    if (start === at) continue
    out += `${s.slice(last, start)}${s[start]}***@${m[1]}`
    last = at + m[0].length
  }
  return last === 0 ? s : out + s.slice(last)
}

/** Masks identity-shaped numbers, passports, e-mail addresses and credentials inside free text (truncated first). */
export function maskText(s: string, max = MAX_LOGGED_CHARS): string {
  if (s.length < 8) return s
  return maskEmails(truncateText(s, max).replace(BEARER, '$1 [redacted]'))
    .replace(MST_BRANCH, (m) => maskDigits(m.slice(0, 10)) + m.slice(10))
    .replace(DIGIT_RUN, (m) => maskDigits(m))
    .replace(PASSPORT, (m) => `${m[0]}${'*'.repeat(m.length - 3)}${m.slice(-2)}`)
}

// PostgreSQL messages quote offending input ('invalid input syntax for type uuid: "…"');
// constraint and relation names (plain identifiers) are kept, anything else is hidden.
const QUOTED = /"([^"\n]*)"/g
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_$]{0,62}$/

function isDatabaseError(e: Error): boolean {
  const x = e as { code?: unknown; severity?: unknown; routine?: unknown }
  return typeof x.severity === 'string' || typeof x.routine === 'string' || (typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code) && 'detail' in x)
}

function maskErrorText(e: Error, s: string): string {
  const masked = maskText(s)
  return isDatabaseError(e) ? masked.replace(QUOTED, (q, inner: string) => (SQL_IDENTIFIER.test(inner) ? q : `"[redacted:${inner.length}]"`)) : masked
}

/** An error's message as it may be logged (masked, database input hidden). */
export function maskErrorMessage(e: Error): string {
  return maskErrorText(e, String(e.message ?? ''))
}

/** Cause levels kept under a logged error. */
const MAX_CAUSES = 2

/**
 * An error as it may be logged: {type, code, message, stack} (masked), its cause chain
 * (at most two levels) reduced the same way. Nothing else of the error object is kept.
 */
export function serializeError(e: Error, level = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.name }
  const code = (e as { code?: unknown }).code
  if (typeof code === 'string') out['code'] = maskText(code)
  else if (typeof code === 'number') out['code'] = code
  out['message'] = maskErrorMessage(e)
  if (typeof e.stack === 'string') out['stack'] = maskErrorText(e, e.stack)
  const cause = (e as { cause?: unknown }).cause
  if (cause !== undefined && cause !== null) {
    if (level >= MAX_CAUSES) out['cause'] = '[more causes]'
    else out['cause'] = isNativeError(cause) || cause instanceof Error ? serializeError(cause, level + 1) : `[${typeof cause}]`
  }
  return out
}

/** Masks a value held under a personal-data key: keep only a hint of its shape. */
export function maskValue(v: unknown): unknown {
  if (v === null || v === undefined) return v
  if (typeof v === 'string') {
    if (v.length === 0) return v
    if (/^\+?\d[\d\s.-]*$/.test(v)) return maskDigits(v.replace(/\D/g, ''))
    return `[redacted:${v.length}]`
  }
  if (typeof v === 'number') return '[redacted]'
  if (Array.isArray(v)) return v.map((x) => maskValue(x))
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = maskValue(x)
    return out
  }
  return '[redacted]'
}

/** Deep copy of `obj` with personal data masked and secrets removed. Cycles are cut. */
export function redact(obj: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof obj === 'string') return maskText(obj)
  if (obj === null || typeof obj !== 'object') return obj
  if (depth > 8) return '[deep]'
  if (seen.has(obj)) return '[circular]'
  seen.add(obj)
  if (isNativeError(obj) || obj instanceof Error) return serializeError(obj as Error)
  if (Buffer.isBuffer(obj)) return `[buffer:${obj.length}]`
  if (Array.isArray(obj)) return obj.map((x) => redact(x, depth + 1, seen))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const nk = norm(k)
    if (SECRET_KEYS.has(nk)) out[k] = '[secret]'
    else if (PII_KEYS.has(nk)) out[k] = maskValue(v)
    else out[k] = redact(v, depth + 1, seen)
  }
  return out
}
