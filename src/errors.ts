/**
 * The HUB_ERR_* catalogue: every error the hub answers with has one stable code,
 * mapped once to an HTTP status. Responses are RFC 9457 problem+json
 * (see `problem()` and the error handler in app.ts).
 */
export interface ErrorSpec {
  status: number
  title: string
}

export const ERRORS = {
  HUB_ERR_VALIDATION: { status: 400, title: 'Request validation failed' },
  HUB_ERR_BAD_IDENTIFIER: { status: 400, title: 'Identifier is not valid' },
  HUB_ERR_UNKNOWN_CODE: { status: 400, title: 'Code is not in the catalog or map' },
  HUB_ERR_MAPPING: { status: 400, title: 'Value cannot be translated for the national system' },
  HUB_ERR_UNAUTHENTICATED: { status: 401, title: 'Missing or unknown client credential' },
  HUB_ERR_FORBIDDEN: { status: 403, title: 'Client is not granted this service' },
  HUB_ERR_CSRF: { status: 403, title: 'State-changing request refused: send application/json or the x-requested-with header' },
  HUB_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  HUB_ERR_UPSTREAM_NOT_FOUND: { status: 404, title: 'The national system has no such record' },
  HUB_ERR_REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  HUB_ERR_CONFLICT: { status: 409, title: 'Conflict with the current state' },
  HUB_ERR_IDEMPOTENCY_CONFLICT: { status: 409, title: 'The idempotency key was already used with a different body' },
  HUB_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  HUB_ERR_URI_TOO_LONG: { status: 414, title: 'Request target too long' },
  HUB_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  HUB_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HUB_ERR_HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large' },
  HUB_ERR_INTERNAL: { status: 500, title: 'Internal error' },
  HUB_ERR_UPSTREAM_BAD_REPLY: { status: 502, title: 'The national system answered with something unusable' },
  HUB_ERR_UPSTREAM_REJECTED: { status: 502, title: 'The national system rejected the request' },
  HUB_ERR_UPSTREAM_REPLY_TOO_LARGE: { status: 502, title: 'The national system answered with more than the configured reply limit' },
  HUB_ERR_UPSTREAM_UNAVAILABLE: { status: 503, title: 'The national system is unavailable' },
  HUB_ERR_CIRCUIT_OPEN: { status: 503, title: 'The national system is failing; calls are paused' },
  HUB_ERR_DEPENDENCY_DOWN: { status: 503, title: 'A dependency of the hub is unavailable' },
  HUB_ERR_CONNECTOR_DISABLED: { status: 503, title: 'The national system this needs is not enabled on this hub' },
  HUB_ERR_OVERLOADED: { status: 503, title: 'The hub is overloaded; retry later' },
  HUB_ERR_AUDIT_UNAVAILABLE: { status: 503, title: 'The audit store is unavailable: personal data is not served unaudited' },
  HUB_ERR_UPSTREAM_TIMEOUT: { status: 504, title: 'The national system did not answer in time' },
  // edXML (VDXP) messages: src/edxml/. 400 for a message that is not acceptable edXML, 413 for one over a cap.
  HUB_ERR_EDXML_MALFORMED: { status: 400, title: 'The edXML message is not well-formed XML' },
  HUB_ERR_EDXML_DTD_FORBIDDEN: { status: 400, title: 'The edXML message has a DTD or entity declarations, which are refused' },
  HUB_ERR_EDXML_INVALID: { status: 400, title: 'The edXML message does not follow QCVN 102:2016' },
  HUB_ERR_EDXML_TOO_LARGE: { status: 413, title: 'The edXML message is larger than the configured limit' },
  HUB_ERR_EDXML_TOO_DEEP: { status: 413, title: 'The edXML message nests elements deeper than the configured limit' },
  HUB_ERR_EDXML_TOO_MANY_ELEMENTS: { status: 413, title: 'The edXML message has more elements than the configured limit' },
  HUB_ERR_EDXML_TOO_MANY_ATTACHMENTS: { status: 413, title: 'The edXML message has more attachments than the configured limit' },
  HUB_ERR_EDXML_ATTACHMENT_TOO_LARGE: { status: 413, title: 'An edXML attachment is larger than the configured limit' },
  // Backlog import (docs/digitisation.md): the folder or its manifest cannot be read.
  HUB_ERR_IMPORT_MANIFEST: { status: 400, title: 'The import folder or its manifest cannot be read' },
} as const satisfies Record<string, ErrorSpec>

export type HubErrorCode = keyof typeof ERRORS

/**
 * Stable rule names of field errors (`errors[].rule` in problem+json): which rule a
 * value broke, finer than the error code. Every `HUB_*` literal in src/ is listed here
 * or in ERRORS (test/unit/boundaries.test.ts); ajv keywords and mapping codes pass through as they are.
 */
export const RULES = [
  'HUB_AGENCY_NOT_SERVED',
  'HUB_CATALOG_CURSOR',
  'HUB_CATALOG_UNKNOWN_COMPONENT',
  'HUB_CATALOG_UNKNOWN_DOCUMENT',
  'HUB_CATALOG_UNKNOWN_PROCEDURE',
  'HUB_CATALOG_UNKNOWN_RESULT',
  'HUB_CONFIG_FILE',
  'HUB_DOCUMENT_CHANGE_CONTENT',
  'HUB_DOCUMENT_MULTIPART',
  'HUB_DOCUMENT_UNKNOWN_RECIPIENT',
  'HUB_DOSSIER_NOT_SERVED',
  'HUB_EVENT_ID_BODY_DIFFERS',
  'HUB_EVENT_ID_REUSED',
  'HUB_ID_AGENCY_FORMAT',
  'HUB_ID_CCCD_BIRTH_YEAR',
  'HUB_ID_CCCD_CENTURY',
  'HUB_ID_CCCD_PROVINCE',
  'HUB_ID_DOSSIER_AGENCY',
  'HUB_ID_DOSSIER_DATE',
  'HUB_ID_DOSSIER_FORMAT',
  'HUB_ID_MST_BRANCH',
  'HUB_ID_MST_CHARS',
  'HUB_ID_MST_CHECK_DIGIT',
  'HUB_ID_MST_LENGTH',
  'HUB_ID_MST_PROVINCE',
  'HUB_ID_MST_SEQUENCE',
  'HUB_ID_PROCEDURE_AGENCY',
  'HUB_ID_PROCEDURE_FORMAT',
  'HUB_ID_RESULT_FORMAT',
  'HUB_IMPORT_DUPLICATE_FILE',
  'HUB_INDICATOR_PERIOD',
  'HUB_IMPORT_FILE',
  'HUB_IMPORT_PAGES',
  'HUB_IMPORT_ROW',
  'HUB_MULTIPART_FORMAT',
  'HUB_MULTIPART_LIMIT',
  'HUB_NAME_REQUIRED',
  'HUB_PURPOSE_FORMAT',
  'HUB_PURPOSE_REQUIRED',
  'HUB_QUEUE_DASHBOARD',
  'HUB_STATUS_UNMAPPED',
  'HUB_WAREHOUSE_CONTENT_MISMATCH',
  'HUB_WAREHOUSE_CONTENT_TYPE',
  'HUB_WAREHOUSE_EMPTY_FILE',
  'HUB_WAREHOUSE_HASH_MISMATCH',
  'HUB_WAREHOUSE_ID_REUSED',
  'HUB_WAREHOUSE_ID_TAKEN',
  'HUB_WAREHOUSE_MULTIPART',
  'HUB_WAREHOUSE_RECORD',
] as const

export type HubRule = (typeof RULES)[number]

/** One offending field of a request, as reported in problem+json `errors`. */
export interface FieldError {
  /** JSON pointer-ish location, e.g. `/body/applicant/idNumber` */
  field: string
  message: string
  /** A stable rule name when one applies (e.g. `HUB_ID_CCCD_PROVINCE`). */
  rule?: string
}

export interface HubErrorOptions {
  errors?: FieldError[]
  /** Seconds a client should wait (429/503); sent as `Retry-After`. */
  retryAfter?: number
  cause?: unknown
  /** Extra problem members (e.g. `upstream`). Never personal data. */
  extra?: Record<string, unknown>
}

/** The one error type the hub throws on purpose. Anything else is a 500. */
export class HubError extends Error {
  readonly code: HubErrorCode
  readonly status: number
  readonly errors?: FieldError[]
  readonly retryAfter?: number
  readonly extra?: Record<string, unknown>

  constructor(code: HubErrorCode, detail?: string, opts: HubErrorOptions = {}) {
    super(detail ?? ERRORS[code].title, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'HubError'
    this.code = code
    this.status = ERRORS[code].status
    this.errors = opts.errors
    this.retryAfter = opts.retryAfter
    this.extra = opts.extra
  }
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError
}

/** A single-field validation error, the common case at the edge. */
export function fieldError(field: string, message: string, rule?: string, code: HubErrorCode = 'HUB_ERR_VALIDATION'): HubError {
  return new HubError(code, message, { errors: [{ field, message, ...(rule ? { rule } : {}) }] })
}

export interface Problem {
  type: string
  title: string
  status: number
  code: HubErrorCode
  detail?: string
  instance?: string
  errors?: FieldError[]
  [extra: string]: unknown
}

export const PROBLEM_TYPE_BASE = 'https://lgsp-hub.local/problems/'

/** RFC 9457 body for a hub error. 5xx details are replaced unless `expose`. */
export function problem(err: HubError, instance?: string): Problem {
  const spec = ERRORS[err.code]
  return {
    type:
      PROBLEM_TYPE_BASE +
      err.code
        .replace(/^HUB_ERR_/, '')
        .toLowerCase()
        .replace(/_/g, '-'),
    title: spec.title,
    status: err.status,
    code: err.code,
    detail: err.message,
    ...(instance ? { instance } : {}),
    ...(err.errors ? { errors: err.errors } : {}),
    ...(err.extra ?? {}),
  }
}
