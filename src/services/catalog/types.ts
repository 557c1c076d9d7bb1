import type { Procedure } from '../../mappings/dvcqg/catalog/types.js'
import type { FieldChange } from './diff.js'

/** What the catalog capability answers (API shapes; the repository shapes rows into them). */

/** listed, fetched, failed, added, changed, unchanged, removed, upstreamCalls, agencies, fields. */
export type RunCounts = Record<string, number>

export interface RunProgress {
  phase?: 'list' | 'fetch' | 'finish' | 'done'
  total?: number
  done?: number
  failed?: number
}

export interface CatalogRun {
  id: number
  trigger: string
  state: string
  startedAt: string
  finishedAt?: string
  counts: RunCounts
  progress: RunProgress
  error?: string
}

export interface ProcedureQuery {
  agency?: string
  field?: string
  level?: string
  q?: string
  includeWithdrawn?: boolean
  limit: number
  offset: number
}

export interface ProcedureListItem {
  code: string
  name: string
  publishingAgencyCode: string
  levels: string[]
  fieldCodes: string[]
  status: string
  version: number
  withdrawn: boolean
  updatedAt: string
}

export interface StoredProcedure {
  code: string
  version: number
  hash: string
  withdrawnAt?: string
  updatedAt: string
  procedure: Procedure
}

export interface CatalogChange {
  cursor: string
  runId: number
  procedureCode: string
  kind: 'added' | 'changed' | 'removed'
  version?: number
  changes: FieldChange[]
  at: string
}
