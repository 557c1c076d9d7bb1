/**
 * Personal-data masking for logs (Decree 13/2023). Two nets:
 * 1. keys that name personal data (name, idNumber, phone, SoDinhDanh, HoVaTen, …)
 *    have their values masked wherever they sit in a logged object;
 * 2. every string is scanned for identity-shaped digit runs (CMND 9, BHXH/phone 10,
 *    CCCD 12 digits), e-mail addresses and bearer tokens, which are masked too.
 * Secrets (passwords, tokens, keys) are removed entirely.
 */

const SECRET_KEYS = new Set(
  ['password', 'matkhau', 'secret', 'secretkey', 'clientsecret', 'token', 'accesstoken', 'refreshtoken',
    'session', 'authorization', 'cookie', 'setcookie', 'xapikey', 'apikey', 'lgspaccesstoken', 'privatekey', 'passphrase'],
)

const PII_KEYS = new Set(
  [
    // normalized API
    'name', 'fullname', 'familyname', 'middlename', 'givenname', 'idnumber', 'oldidnumber', 'phone', 'email',
    'birthdate', 'address', 'detail', 'portalaccountid', 'ownerid', 'subjectid', 'number',
    // national wire names
    'hovaten', 'ho', 'chudem', 'ten', 'chuhoso', 'sodinhdanh', 'socmnd', 'sogiaytochuhoso', 'sodienthoai',
    'madoituong', 'ngaythangnamsinh', 'ngaythangnam', 'chitiet', 'sodinhdanhchusohuu', 'sodinhdanhnguoiyeucau',
    'hotennguoiyeucau', 'madinhdanh', 'chugiayto', 'sosohokhau', 'msdn', 'masothue',
  ],
)

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Masks a digit run, keeping its length class visible and the last two digits. */
function maskDigits(d: string): string {
  return `*`.repeat(Math.max(0, d.length - 2)) + d.slice(-2)
}

// Not inside a longer token (hex ids, UUIDs): only runs bounded by non-word characters.
const DIGIT_RUN = /(?<![\w-])(\+?84|0)?\d{8,11}(?![\w-])/g
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi
const MST_BRANCH = /(?<!\d)\d{10}-\d{3}(?!\d)/g

/** Masks identity-shaped numbers, e-mail addresses and credentials inside free text. */
export function maskText(s: string): string {
  if (s.length < 8) return s
  return s
    .replace(BEARER, '$1 [redacted]')
    .replace(EMAIL, '$1***@$2')
    .replace(MST_BRANCH, (m) => maskDigits(m.slice(0, 10)) + m.slice(10))
    .replace(DIGIT_RUN, (m) => maskDigits(m))
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
  if (obj instanceof Error) {
    return { type: obj.name, message: maskText(obj.message), stack: obj.stack ? maskText(obj.stack) : undefined, ...(redact({ ...obj }, depth + 1, seen) as object) }
  }
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

