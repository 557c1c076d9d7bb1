/**
 * Backlog digitisation imports (issue 17, docs/digitisation.md): `POST /admin/digitisation/imports`
 * and `GET /admin/digitisation/imports/{id}`.
 */
import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

const closed = { additionalProperties: false } as const

export const ImportBody = Type.Object(
  {
    folder: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Folder relative to IMPORT_ROOT holding manifest.csv or manifest.json, the PDFs, and optionally inventory.csv',
    }),
  },
  closed,
)
export type ImportBody = Static<typeof ImportBody>

export const ImportStarted = Type.Object({ importId: Type.String(), rows: Type.Integer() }, closed)

export const ImportParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, pattern: '^im[0-9a-z]{1,38}$' }) }, closed)

const RowError = Type.Object(
  { row: Type.Integer(), documentId: Type.Optional(Type.String()), rule: Type.String(), field: Type.String(), message: Type.String() },
  closed,
)

const AgencyProgress = Type.Object(
  {
    agencyCode: Type.String(),
    documents: Type.Integer({ description: 'Signed documents imported (every import)' }),
    pages: Type.Integer({ description: 'Their pages' }),
    blocked: Type.Integer({ description: 'Imported but blocked by the signature policy (not counted as digitised)' }),
    declared: Type.Optional(Type.Object({ documents: Type.Integer(), pages: Type.Integer() }, closed)),
    documentsPercent: Type.Optional(Type.Number()),
    pagesPercent: Type.Optional(Type.Number()),
  },
  closed,
)

export const ImportReport = Type.Object(
  {
    importId: Type.String(),
    state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    source: Type.String(),
    rows: Type.Integer(),
    stored: Type.Integer({ description: 'Rows stored by this import (signed under the import policy; queued for push)' }),
    already: Type.Integer({ description: 'Rows already stored by an earlier import (nothing stored twice)' }),
    blocked: Type.Integer({ description: 'Rows stored but blocked by the signature policy (not pushed)' }),
    failed: Type.Integer({ description: 'Rows refused; see errors' }),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
    error: Type.Optional(Type.String()),
    errors: Type.Array(RowError, { description: 'The first 100 refused rows' }),
    agencies: Type.Array(AgencyProgress),
  },
  closed,
)
