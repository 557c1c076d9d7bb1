/**
 * Normalized API v1, lookup side: what every lookup answer shares (the source block,
 * national codes with their names, identifier params, the purpose header) and the
 * audit log. Each national system's answers are in `lookups/<connector id>.ts`,
 * named by that connector's `lookup.ts`. National codes come with their Vietnamese name when the
 * hub knows it; `source.reference` keeps the upstream's own reference of the answer.
 */
import { Type, type Static } from '@sinclair/typebox'

export const Opt = Type.Optional
export const S = (description?: string) => Type.String(description ? { description } : {})
export const Coded = Type.Object({ code: Type.String(), name: Opt(Type.String({ description: 'Vietnamese name, when the hub knows the code' })) })
export const CodedOrNull = Type.Union([Coded, Type.Null()])
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })
/** A normalized status: the national code, its name, and the hub's state. */
export const Status = Type.Object({ code: S(), name: Opt(S()), state: S('normalized state') })
export const LookupSource = Type.Object({
  upstream: Type.String({ description: 'National system that answered' }),
  reference: Opt(Type.String({ description: "The upstream's own reference of this answer (record id, transaction id, echoed request id)" })),
  retrievedAt: Type.String({ description: 'When the hub received the answer (ISO-8601 with offset)' }),
})

/** A lookup answer: the translated record and where it came from. */
export const wrap = <T extends ReturnType<typeof Type.Object> | ReturnType<typeof Type.Union>>(data: T, description: string) =>
  Type.Object({ data, source: LookupSource }, { description })

// Identifier params: only a length bound and the string rule here; src/validation/identifiers.ts names the broken rule.
export const Id = (description: string, examples?: string[]) =>
  Type.String({ minLength: 1, maxLength: 40, format: 'hub-code', description, ...(examples ? { examples } : {}) })
export const TaxCodeParams = Type.Object({ taxCode: Id('MST: 10 digits, or 10 digits + "-" + 3-digit branch', ['0100109106']) })

// ---------------------------------------------------------------- audit (admin)
export const PurposeHeaders = Type.Object({
  'x-purpose': Opt(
    Type.String({
      description:
        'Required: why this personal data is accessed (audited): a dossier code (e.g. 000.00.06.H56-231027-0361) or a code of the purpose catalogue (AUDIT_PURPOSES, e.g. TTHC); free text is refused',
      maxLength: 200,
      format: 'hub-text',
    }),
  ),
})
export const AuditQuery = Type.Object({
  client: Opt(Type.String({ maxLength: 64, format: 'hub-code' })),
  service: Opt(Type.String({ maxLength: 40, format: 'hub-code' })),
  subjectId: Opt(Type.String({ maxLength: 40, format: 'hub-code', description: 'Clear subject identifier; hashed by the hub before the search' })),
  from: Opt(Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset' })),
  to: Opt(Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  // An audit row id (bigint): 18 digits at most stays below 2^63.
  cursor: Opt(Type.String({ pattern: '^\\d{1,18}$', maxLength: 18, description: 'nextCursor of the previous page (a number)' })),
})
export type AuditQuery = Static<typeof AuditQuery>
export const AuditEntry = Type.Object({
  id: S(),
  at: S(),
  requestId: Opt(S()),
  clientId: S(),
  service: S(),
  action: S(),
  purpose: Opt(S()),
  subjectHash: Opt(S('HMAC-SHA256 of the subject identifier')),
  outcome: S(),
  status: Opt(Type.Integer()),
  latencyMs: Opt(Type.Integer()),
  upstream: Opt(S()),
  upstreamRef: Opt(S()),
})
export type AuditEntry = Static<typeof AuditEntry>
export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), nextCursor: Opt(S()) })
