/**
 * Normalized API v1, catalog side: the national procedure catalog the hub keeps in sync
 * with DVCQG (`GET /v1/catalog/...`) and the operators' view of sync runs
 * (`/admin/catalog/...`). The procedure shape mirrors `src/mappings/dvcqg/catalog/types.ts`.
 */
import { Type, type Static } from '@sinclair/typebox'

const str = (description?: string) => Type.String(description ? { description } : {})
const CodeName = Type.Object({ code: Type.String(), name: Type.String() })
const Fee = Type.Object({ code: str('MAPHILEPHI'), amount: Type.Union([Type.Number(), Type.Null()]), currency: Type.String(), description: Type.String() })
const Duration = Type.Object({ amount: Type.Union([Type.Number(), Type.Null()]), unit: Type.String(), description: Type.String(), fees: Type.Array(Fee) })
const Document = Type.Object({
  code: str('MAGIAYTO: national document code'),
  replacementResultCode: Type.Optional(str('MA_KQ_THAYTHE: a result code that may replace this document')),
  originals: Type.Integer(),
  copies: Type.Integer(),
  name: Type.String(),
  templateName: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
})
const LegalBasis = Type.Object({
  number: Type.String(),
  name: Type.String(),
  issuer: Type.String(),
  issuedOn: Type.Optional(Type.String({ description: 'YYYY-MM-DD' })),
  effectiveOn: Type.Optional(Type.String({ description: 'YYYY-MM-DD' })),
  url: Type.Optional(Type.String()),
})

/** One national procedure in full. */
export const Procedure = Type.Object({
  code: str('National procedure code, e.g. 1.003560'),
  id: Type.String(),
  name: Type.String(),
  publishingAgencyCode: Type.String(),
  kind: Type.String(),
  level: Type.Array(CodeName),
  fields: Type.Array(CodeName),
  cases: Type.Array(Type.Object({ name: Type.String(), steps: Type.Array(Type.String()) })),
  channels: Type.Array(Type.Object({ channel: str('in-person | online | postal'), durations: Type.Array(Duration) })),
  subjects: Type.Array(CodeName),
  components: Type.Array(Type.Object({ case: Type.String(), documents: Type.Array(Document) })),
  results: Type.Array(
    Type.Object({ code: str('MAKETQUA, KQ.Gnn.nnnnnn'), name: Type.String(), fileName: Type.Optional(Type.String()), url: Type.Optional(Type.String()) }),
  ),
  legalBases: Type.Array(LegalBasis),
  agencies: Type.Object({
    implementing: Type.Array(CodeName),
    competent: Type.Array(CodeName),
    authorized: Type.Array(CodeName),
    coordinating: Type.Array(CodeName),
  }),
  related: Type.Array(Type.String()),
  linked: Type.Array(Type.String()),
  status: Type.String(),
  keywords: Type.Optional(Type.String()),
  decisionId: Type.Optional(Type.String()),
  decision: Type.Optional(Type.String()),
  requirements: Type.Optional(Type.String()),
  subjectDescription: Type.Optional(Type.String()),
  receivingAddress: Type.Optional(Type.String()),
})

/** Deepest offset paging reaches; beyond it, narrow the filters (the database would scan that far). */
export const MAX_OFFSET = 100_000

export const ProcedureListQuery = Type.Object(
  {
    agency: Type.Optional(Type.String({ maxLength: 40, format: 'hub-code', description: 'Agency code (any role)' })),
    field: Type.Optional(Type.String({ maxLength: 40, format: 'hub-code', description: 'Field (lĩnh vực) code' })),
    level: Type.Optional(Type.String({ maxLength: 10, format: 'hub-code', description: 'Level code (CAPTHUCHIEN)' })),
    q: Type.Optional(Type.String({ maxLength: 200, format: 'hub-text', description: 'Text search in the name, with or without Vietnamese diacritics' })),
    includeWithdrawn: Type.Boolean({ default: false }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
  },
  { additionalProperties: false },
)

export const ProcedureListReply = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  items: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      publishingAgencyCode: Type.String(),
      levels: Type.Array(Type.String()),
      fieldCodes: Type.Array(Type.String()),
      status: Type.String(),
      version: Type.Integer(),
      withdrawn: Type.Boolean(),
      updatedAt: Type.String(),
    }),
  ),
})

export const ProcedureCodeParams = Type.Object(
  { code: Type.String({ pattern: '^[A-Za-z0-9._-]{1,80}$', description: 'National code, or a local code of PROCEDURE_CODE_MAP_FILE' }) },
  { additionalProperties: false },
)

export const ProcedureReply = Type.Object({
  code: str('National code'),
  requestedCode: str('The code asked for (local or national)'),
  version: Type.Integer(),
  withdrawnAt: Type.Optional(Type.String()),
  updatedAt: Type.String(),
  procedure: Procedure,
})

export const AgencyListQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200, format: 'hub-text' })) }, { additionalProperties: false })
export const AgencyListReply = Type.Object({
  items: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: Type.String(), withdrawn: Type.Boolean() })),
})
export const FieldListReply = Type.Object({
  items: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), sectorCode: Type.String(), withdrawn: Type.Boolean() })),
})

export const ChangesQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ maxLength: 20, format: 'hub-code', description: 'Cursor from a previous page (nextCursor); omitted: from the start' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
)

const FieldChange = Type.Object({
  path: str('e.g. components[Trường hợp 1].documents[GT-001].code'),
  kind: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
})

export const ChangesReply = Type.Object({
  items: Type.Array(
    Type.Object({
      cursor: Type.String(),
      runId: Type.Integer(),
      procedureCode: Type.String(),
      kind: Type.Union([Type.Literal('added'), Type.Literal('changed'), Type.Literal('removed')]),
      version: Type.Optional(Type.Integer()),
      changes: Type.Array(FieldChange),
      at: Type.String(),
    }),
  ),
  nextCursor: str('Pass as since to get what follows'),
})

const Counts = Type.Record(Type.String(), Type.Integer(), {
  description: 'listed, fetched, failed, added, changed, unchanged, removed, upstreamCalls, agencies, fields',
})
export const CatalogRun = Type.Object({
  id: Type.Integer(),
  trigger: Type.String(),
  state: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
  counts: Counts,
  progress: Type.Object({
    phase: Type.Optional(Type.String()),
    total: Type.Optional(Type.Integer()),
    done: Type.Optional(Type.Integer()),
    failed: Type.Optional(Type.Integer()),
  }),
  error: Type.Optional(Type.String()),
})
export const RunsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }) }, { additionalProperties: false })
export const RunsReply = Type.Object({ items: Type.Array(CatalogRun) })
export const SyncAccepted = Type.Object({ runId: Type.Integer(), alreadyRunning: Type.Boolean() })

export type ProcedureListQuery = Static<typeof ProcedureListQuery>
