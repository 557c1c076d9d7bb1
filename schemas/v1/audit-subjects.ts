/**
 * `GET /admin/audit/subjects/{idType}/{idNumber}`: the data subject's question (Decree
 * 13/2023): every recorded access to one person's data, who, when, why, with what outcome.
 */
import { Type, type Static } from '@sinclair/typebox'

const closed = { additionalProperties: false }

export const SUBJECT_ID_TYPES = ['cccd', 'cmnd', 'mst', 'social-insurance'] as const
export type SubjectIdType = (typeof SUBJECT_ID_TYPES)[number]

export const SubjectParams = Type.Object(
  {
    idType: Type.Union(
      SUBJECT_ID_TYPES.map((t) => Type.Literal(t)),
      { description: 'cccd (12-digit citizen id), cmnd (9-digit old id), mst (tax code), social-insurance (BHXH number)' },
    ),
    idNumber: Type.String({ minLength: 1, maxLength: 40, format: 'hub-code', description: 'The identifier, checked by the rules of its type' }),
  },
  closed,
)
export type SubjectParams = Static<typeof SubjectParams>

export const SubjectQuery = Type.Object(
  {
    format: Type.Union([Type.Literal('json'), Type.Literal('csv')], {
      default: 'json',
      description: 'json (default) or csv (text/csv export, one access per line)',
    }),
    from: Type.Optional(Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset' })),
    to: Type.Optional(Type.String({ format: 'hub-timestamp', maxLength: 35, description: 'ISO-8601 with offset' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
    cursor: Type.Optional(
      Type.String({ pattern: '^\\d{1,18}$', maxLength: 18, description: 'nextCursor of the previous page (also sent as x-next-cursor with csv)' }),
    ),
  },
  closed,
)
export type SubjectQuery = Static<typeof SubjectQuery>

export const SubjectAccess = Type.Object({
  id: Type.String({ description: 'Audit record id' }),
  at: Type.String({ description: 'When (ISO-8601)' }),
  clientId: Type.String({ description: 'Who: the API client (system or operator) that accessed the data' }),
  service: Type.String(),
  action: Type.String(),
  purpose: Type.Optional(Type.String({ description: 'Why: a dossier code or a purpose catalogue code' })),
  outcome: Type.String({ description: 'found, not_found, match, mismatch, empty, not_served, an error code…' }),
  status: Type.Optional(Type.Integer()),
  requestId: Type.Optional(Type.String()),
  upstream: Type.Optional(Type.String({ description: 'The national system asked, for lookups' })),
})
export type SubjectAccess = Static<typeof SubjectAccess>

export const SubjectReport = Type.Object({
  idType: Type.String(),
  items: Type.Array(SubjectAccess),
  nextCursor: Type.Optional(Type.String()),
})
export type SubjectReport = Static<typeof SubjectReport>
