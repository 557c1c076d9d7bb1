import { HubError, fieldError } from '../errors.js'
import type { Logger } from '../log.js'
import { validateDossierCode } from '../validation/identifiers.js'
import type { AuditEntry } from './index.js'

/**
 * The purpose of an access to personal data (Decree 13/2023): a dossier code
 * (`<agency code>-<yyMMdd>-<NNNN>`, the dossier the access serves) or a code of the
 * configured purpose catalogue (AUDIT_PURPOSES). Nothing else: free text in a purpose
 * field ends up holding names and identifiers, and cannot be reported on.
 * The codes and their meaning: docs/audit-coverage.md.
 */
export const DEFAULT_PURPOSES = [
  'TTHC',
  'KIEM-TRA-HO-SO',
  'XAC-MINH-DANH-TINH',
  'TAI-SU-DUNG-GIAY-TO',
  'HO-TRO-CONG-DAN',
  'THANH-TRA',
  'YEU-CAU-CHU-THE',
] as const

/** The catalogue code of a data-subject request (the citizen asking who accessed their data). */
export const SUBJECT_REQUEST_PURPOSE = 'YEU-CAU-CHU-THE'

/** Longest accepted purpose: a dossier code is at most 40 characters, a catalogue code too. */
const MAX_PURPOSE = 64

/** The configured catalogue (AUDIT_PURPOSES, comma-separated). */
export function purposeCatalogue(list: string): ReadonlySet<string> {
  return new Set(
    list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
}

/**
 * Checks the declared purpose at the edge: missing → 400 HUB_PURPOSE_REQUIRED, anything
 * but a dossier code or a catalogue code → 400 HUB_PURPOSE_FORMAT, both naming `field`.
 */
export function requirePurpose(value: string | undefined, catalogue: ReadonlySet<string>, field = '/headers/x-purpose'): string {
  const p = value?.trim()
  if (!p)
    throw fieldError(field, 'Access to personal data needs a declared purpose: a dossier code or a code of the purpose catalogue.', 'HUB_PURPOSE_REQUIRED')
  if (p.length <= MAX_PURPOSE && (catalogue.has(p) || validateDossierCode(p).ok)) return p
  throw fieldError(
    field,
    `The purpose must be a dossier code (e.g. 000.00.06.H56-231027-0361) or one of the catalogue codes ${[...catalogue].join(', ')}; free text is refused.`,
    'HUB_PURPOSE_FORMAT',
  )
}

export type DegradedMode = 'refuse' | 'serve-and-log'

/** Longest wait for the audit record of a read before it counts as unavailable. */
export const AUDIT_WRITE_TIMEOUT_MS = 5000

/**
 * Writes the audit record of a personal-data read and waits for it to be durable, before
 * the caller lets the data leave the hub. When the audit store cannot take it, the read is
 * refused (503 HUB_ERR_AUDIT_UNAVAILABLE) unless AUDIT_DEGRADED_MODE=serve-and-log, where
 * it is served and logged as unaudited (docs/audit-coverage.md says what that mode means).
 */
export async function auditBeforeServing(
  audit: { write(e: AuditEntry): Promise<void> },
  entry: AuditEntry,
  opts: { mode: DegradedMode; logger: Logger; timeoutMs?: number },
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    // Bounded: a database that stopped answering (not refusing) must not hold the request; a write that
    // commits after the deadline only means a refused read has a record, never the reverse.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`audit write took more than ${opts.timeoutMs ?? AUDIT_WRITE_TIMEOUT_MS} ms`)),
        opts.timeoutMs ?? AUDIT_WRITE_TIMEOUT_MS,
      )
    })
    await Promise.race([audit.write(entry), deadline])
  } catch (e) {
    const err = e as Error
    // Type and message only: the entry holds the subject in clear.
    const line = {
      err: { type: err.name, message: String(err.message).slice(0, 200) },
      service: entry.service,
      action: entry.action,
      requestId: entry.requestId,
    }
    if (opts.mode === 'serve-and-log') {
      opts.logger.error(
        { ...line, unaudited: true, clientId: entry.clientId, purpose: entry.purpose },
        'audit store unavailable: personal data SERVED UNAUDITED (AUDIT_DEGRADED_MODE=serve-and-log)',
      )
      return
    }
    opts.logger.error(line, 'audit store unavailable: personal-data read refused')
    throw new HubError('HUB_ERR_AUDIT_UNAVAILABLE', 'The audit store is unavailable; personal data is not served without its audit record. Retry later.', {
      retryAfter: 5,
      cause: e,
    })
  } finally {
    clearTimeout(timer)
  }
}
