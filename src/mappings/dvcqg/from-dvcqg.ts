/**
 * DVCQG replies → one outcome the connector can act on. Pure.
 *
 * The outcome classifies the **body**. Retry decisions stay with the caller, which
 * looks at the HTTP status first: a 5xx/429/408 is transient whatever `kind` says
 * (a proxy's HTML 502 is `malformed`, a JSON 500 with an error_code is `rejected`).
 */

/** What a DVCQG reply means. */
export type DvcqgOutcome =
  /** Accepted. `result` is the reply's `result` (wrapped in an array if single, [] if absent). */
  | { kind: 'ok'; result: unknown[]; message?: string }
  /** "đã tồn tại": a create hit an existing dossier; send it again as an update. */
  | { kind: 'already_exists'; message: string }
  /** Session missing/expired or credentials refused: log in again once, then retry. */
  | { kind: 'auth'; message: string }
  /** The portal refused the payload (business error); `message` is the portal's own text. */
  | { kind: 'rejected'; errorCode: string; message: string }
  /** Not a DVCQG reply at all (HTML, empty, unparseable, unknown shape). */
  | { kind: 'malformed'; message: string }

/**
 * `error_code` values treated as auth failures. No spec is public: these are the
 * HTTP-like codes some provincial adapters echo in the body. Messages are also
 * checked (session/phiên, token invalid/expired), which covers the common case.
 */
export const DVCQG_AUTH_ERROR_CODES: ReadonlySet<string> = new Set(['401', '403'])

const SUCCESS_CODES: ReadonlySet<string> = new Set(['0', '00'])
const MAX_MESSAGE = 500

/** Lower-case, without Vietnamese diacritics, single spaces: "Đã tồn tại" → "da ton tai". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ')
}

const ALREADY_EXISTS = /\bda ton tai\b/
const AUTH_MESSAGE =
  /\bsession\b|\bphien\b(?! ban)|\btoken\b.*\b(invalid|expired|khong hop le|het han|khong ton tai)\b|\b(invalid|expired)\b.*\btoken\b|unauthori[sz]ed|chua dang nhap|dang nhap lai/
const SUCCESS_TEXT = /\bthanh cong\b/
const FAILURE_TEXT = /\b(khong|chua) thanh cong\b|\bthat bai\b/

const clip = (text: string): string => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text)

function firstString(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record[key]
    if (typeof value === 'string') return value
  }
  return undefined
}

function isAuthStatus(status: number): boolean {
  return status === 401 || status === 403
}

function fromText(status: number, raw: string): DvcqgOutcome {
  const text = raw.trim()
  const folded = fold(text)
  if (ALREADY_EXISTS.test(folded)) return { kind: 'already_exists', message: clip(text) }
  if (AUTH_MESSAGE.test(folded) || isAuthStatus(status)) return { kind: 'auth', message: clip(text) }
  if (FAILURE_TEXT.test(folded)) return { kind: 'rejected', errorCode: 'TEXT', message: clip(text) }
  if (SUCCESS_TEXT.test(folded) && status < 400) return { kind: 'ok', result: [], message: clip(text) }
  return { kind: 'malformed', message: `HTTP ${status}: unrecognised text reply: ${clip(text)}` }
}

function fromRecord(status: number, record: Record<string, unknown>): DvcqgOutcome {
  const rawCode = record['error_code'] ?? record['errorCode'] ?? record['ErrorCode']
  const message = firstString(record, ['message', 'Message', 'msg', 'errorMessage', 'error_message']) ?? ''
  const code = typeof rawCode === 'number' || typeof rawCode === 'string' ? String(rawCode).trim() : undefined
  if (code === undefined) {
    if (isAuthStatus(status)) return { kind: 'auth', message: clip(message || `HTTP ${status}`) }
    return { kind: 'malformed', message: `HTTP ${status}: JSON reply without error_code` }
  }
  if (SUCCESS_CODES.has(code)) {
    const result = record['result']
    const list = Array.isArray(result) ? (result as unknown[]) : result === undefined || result === null ? [] : [result]
    return message === '' ? { kind: 'ok', result: list } : { kind: 'ok', result: list, message: clip(message) }
  }
  const folded = fold(message)
  if (ALREADY_EXISTS.test(folded)) return { kind: 'already_exists', message: clip(message) }
  if (DVCQG_AUTH_ERROR_CODES.has(code) || AUTH_MESSAGE.test(folded) || isAuthStatus(status)) {
    return { kind: 'auth', message: clip(message || `error_code ${code}`) }
  }
  return { kind: 'rejected', errorCode: code, message: clip(message) }
}

function decode(body: unknown): unknown {
  if (body instanceof Uint8Array) return new TextDecoder('utf-8').decode(body)
  return body
}

/**
 * Classifies a DVCQG reply (both transport styles).
 * @param status HTTP status code.
 * @param contentType the `Content-Type` header, if any.
 * @param body the raw body text, a Buffer, or an already parsed JSON value.
 */
export function parseDvcqgReply(status: number, contentType: string | undefined, body: unknown): DvcqgOutcome {
  return classify(status, (contentType ?? '').toLowerCase(), decode(body), true)
}

function classify(status: number, type: string, value: unknown, mayParse: boolean): DvcqgOutcome {
  if (value === undefined || value === null) return { kind: 'malformed', message: `HTTP ${status}: empty body` }
  if (typeof value === 'object' && !Array.isArray(value)) return fromRecord(status, value as Record<string, unknown>)
  if (typeof value !== 'string') return { kind: 'malformed', message: `HTTP ${status}: unexpected reply shape` }
  const text = value.replace(/^\uFEFF/, '').trim()
  if (text === '') return { kind: 'malformed', message: `HTTP ${status}: empty body` }
  if (type.includes('html') || text.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    return { kind: 'malformed', message: `HTTP ${status}: HTML/XML page instead of JSON${title ? ` (${clip(title)})` : ''}` }
  }
  // Some .NET services double-encode: a JSON string holding JSON. Parse twice at most.
  if (mayParse && (type.includes('json') || /^[{["]/.test(text))) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return { kind: 'malformed', message: `HTTP ${status}: invalid JSON body` }
    }
    const again = typeof parsed === 'string' && /^\s*\{/.test(parsed)
    return classify(status, '', parsed, again)
  }
  return fromText(status, text)
}
