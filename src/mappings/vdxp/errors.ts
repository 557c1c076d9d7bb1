/**
 * The VDXP façade's result codes (NATIONAL-ENDPOINTS.md §4), classified once: which
 * refusals are permanent (the same message sent again is refused again: the outbox row
 * is parked with the axis's reason) and which are transient (retried). Pure: no I/O.
 *
 * 0 ok; 10 invalid file; 15 wrong SystemId/SecretKey; 18 receiving unit does not exist;
 * 19 sending unit not registered; 20 LGSP system error; 21 file-processing error;
 * 22 edXML not in the required format; 23 receiving unit locked.
 */
export type VdxpOutcomeKind = 'ok' | 'permanent' | 'transient' | 'auth'

export interface VdxpCodeInfo {
  kind: VdxpOutcomeKind
  /** Stable short name of the reason (metrics label, parked reason prefix). */
  reason: string
  /** What the code means, in words (the axis's own description is appended when it sends one). */
  meaning: string
}

export const VDXP_CODES: Readonly<Record<string, VdxpCodeInfo>> = {
  '0': { kind: 'ok', reason: 'ok', meaning: 'accepted' },
  '10': { kind: 'permanent', reason: 'invalid_file', meaning: 'invalid file' },
  '15': { kind: 'auth', reason: 'bad_credentials', meaning: 'wrong SystemId or SecretKey' },
  '18': { kind: 'permanent', reason: 'unknown_receiver', meaning: 'the receiving unit does not exist' },
  '19': { kind: 'permanent', reason: 'unregistered_sender', meaning: 'the sending unit is not registered' },
  '20': { kind: 'transient', reason: 'axis_error', meaning: 'LGSP system error' },
  '21': { kind: 'transient', reason: 'file_processing', meaning: 'file-processing error at the axis' },
  '22': { kind: 'permanent', reason: 'format_refused', meaning: 'edXML not in the required format' },
  '23': { kind: 'permanent', reason: 'receiver_locked', meaning: 'the receiving unit is locked' },
}

export interface VdxpOutcome extends VdxpCodeInfo {
  /** The code as the axis sent it (string), or undefined when the reply carried none. */
  code?: string
  /** The axis's description (`errorDesc`), cut to 500 characters. */
  description?: string
}

const cut = (s: unknown): string | undefined => (typeof s === 'string' && s.trim() !== '' ? s.trim().slice(0, 500) : undefined)

/** Reads a result code: a number, or digits in a string (leading zeros dropped: "022" is 22). */
function codeOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v)
  if (typeof v === 'string' && /^\s*\d{1,6}\s*$/.test(v)) return String(Number(v.trim()))
  return undefined
}

/**
 * Classifies one façade reply body. The code sits in `errorCode` (or `code`), the
 * description in `errorDesc` (or `message`); `status: "OK"` with no code is success and
 * `status: "FAIL"`/`"ERROR"` with no code an unknown refusal. An unknown numeric code is
 * treated as transient (a new axis fault should be retried and seen, not drop a
 * document), a reply with neither code nor status as malformed (transient too).
 */
export function classifyVdxpReply(body: unknown): VdxpOutcome {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'transient', reason: 'malformed', meaning: 'the axis answered no result object' }
  const o = body as Record<string, unknown>
  const code = codeOf(o['errorCode'] ?? o['ErrorCode'] ?? o['code'])
  const description = cut(o['errorDesc'] ?? o['ErrorDesc'] ?? o['message'])
  const status = typeof o['status'] === 'string' ? o['status'].trim().toUpperCase() : undefined
  if (code !== undefined) {
    const known = VDXP_CODES[code]
    if (known) return { ...known, code, description }
    return { kind: 'transient', reason: 'unknown_code', meaning: `unknown result code ${code}`, code, description }
  }
  if (status === 'OK' || status === 'SUCCESS') return { ...VDXP_CODES['0']!, code: undefined, description }
  if (status === 'FAIL' || status === 'ERROR')
    return { kind: 'transient', reason: 'unknown_code', meaning: 'refused without a result code', code: undefined, description }
  return { kind: 'transient', reason: 'malformed', meaning: 'the axis answered neither a result code nor a status', description }
}

/** One line for logs, parked reasons and problem details: `22 format_refused: edXML not in the required format (axis: …)`. */
export function describeVdxpOutcome(o: VdxpOutcome): string {
  const head = `${o.code ?? '-'} ${o.reason}: ${o.meaning}`
  return o.description ? `${head} (axis: ${o.description})` : head
}
