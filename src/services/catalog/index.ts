import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { HubError, fieldError } from '../../errors.js'
import { requireConnector, type HubService, type ServiceContext } from '../context.js'
import type { CatalogReader } from './reader.js'
import { CatalogRepository } from './repository.js'
import { CatalogReadRepository } from './reads/repository.js'
import type { CatalogChange, CatalogRun, ProcedureListItem, ProcedureQuery, StoredProcedure } from './types.js'
import { CatalogWorker } from './worker.js'

export type { CatalogChange, CatalogRun, ProcedureListItem, ProcedureQuery, RunCounts, RunProgress } from './types.js'
export type { CatalogFetchJob, CatalogRunJob } from './worker.js'

/**
 * The national procedure catalog (issue 5): what the routes and other capabilities
 * call. Its SQL is in repository.ts, the sync's queue work (coordinator, per-procedure
 * fetches, schedule, resume probe) in worker.ts.
 */
export class CatalogSyncService implements HubService, CatalogReader {
  private readonly repo: CatalogRepository
  /** The API's reads (lists, one procedure, the change feed, reuse codes): on the read replica when there is one. */
  private readonly reads: CatalogReadRepository
  private readonly worker: CatalogWorker
  /** Document and result codes of the catalog as of run `run` (warehouse intake checks). */
  private codes?: { run: string; documentCodes: Set<string>; resultCodes: Set<string> }

  constructor(private readonly ctx: ServiceContext) {
    this.repo = new CatalogRepository(ctx.db)
    this.reads = new CatalogReadRepository(ctx.readDb)
    this.worker = new CatalogWorker(ctx, this.repo)
  }

  startWorkers(): Promise<void> {
    return this.worker.startWorkers()
  }

  stop(): Promise<void> {
    return this.worker.stop()
  }

  /** `POST /admin/catalog/sync`: start a run now, or report the one already under way. */
  async requestSync(trigger = 'manual'): Promise<{ runId: number; alreadyRunning: boolean }> {
    requireConnector<DvcqgApi>(this.ctx.connectors, 'dvcqg')
    const { runId, created } = await this.repo.createOrAttachRun(trigger)
    if (created) await this.worker.enqueueRun(runId, trigger)
    return { runId, alreadyRunning: !created }
  }

  /** National code of a national or local (mapped) procedure code. */
  nationalCode(code: string): string {
    const map = this.ctx.maps.procedureCodes
    return Object.hasOwn(map, code) ? (map[code] ?? code) : code
  }

  async listProcedures(f: ProcedureQuery): Promise<{ items: ProcedureListItem[]; total: number; limit: number; offset: number }> {
    const { items, total } = await this.reads.listProcedures(f, f.q ? this.nationalCode(f.q.trim()) : undefined)
    return { items, total, limit: f.limit, offset: f.offset }
  }

  /** One procedure by national or local code (404 when neither is known). */
  async getProcedure(code: string): Promise<Omit<StoredProcedure, 'hash'> & { requestedCode: string }> {
    const national = this.nationalCode(code)
    const stored = await this.reads.getProcedure(national)
    if (!stored) throw new HubError('HUB_ERR_NOT_FOUND', `procedure ${code} is not in the catalog${national !== code ? ` (mapped to ${national})` : ''}`)
    const { hash: _hash, ...rest } = stored
    return { ...rest, requestedCode: code }
  }

  listAgencies(q?: string): Promise<{ code: string; name: string; level: string; withdrawn: boolean }[]> {
    return this.reads.listAgencies(q)
  }

  listFields(): Promise<{ code: string; name: string; sectorCode: string; withdrawn: boolean }[]> {
    return this.reads.listFields()
  }

  /** The change feed after `since` (an opaque cursor: the last change id seen). */
  async changes(since: string | undefined, limit: number): Promise<{ items: CatalogChange[]; nextCursor: string }> {
    const after = since && /^\d{1,18}$/.test(since) ? since : since ? undefined : '0'
    if (after === undefined) throw fieldError('/querystring/since', 'since must be a cursor returned by this feed', 'HUB_CATALOG_CURSOR')
    const items = await this.reads.changes(after, limit)
    return { items, nextCursor: items.length ? items[items.length - 1]!.cursor : after }
  }

  runs(limit: number): Promise<CatalogRun[]> {
    return this.repo.runs(limit)
  }

  /** CatalogReader: document and result codes that may replace components of a procedure. */
  reusableCodes(code: string): Promise<{ inCatalog: boolean; documentCodes: string[]; resultCodes: string[] }> {
    return this.reads.reusableCodes(code)
  }

  /**
   * Dossier intake check (`POST /v1/dossiers`): once a catalog has been synced, the
   * procedure code (national, or local through the code map) must be an active
   * procedure, and each `documents[i].componentCode` one of its document codes
   * (`MAGIAYTO`). Skipped entirely while no run has completed.
   */
  async checkDossierCodes(
    procedureCode: string,
    componentCodes: readonly (string | undefined)[],
    resultCodes: readonly (string | undefined)[] = [],
  ): Promise<void> {
    const { synced, procedure } = await this.repo.activeProcedure(this.nationalCode(procedureCode))
    if (!synced) return
    if (!procedure)
      throw fieldError(
        '/body/procedureCode',
        `procedure code ${procedureCode} is not in the national catalog`,
        'HUB_CATALOG_UNKNOWN_PROCEDURE',
        'HUB_ERR_UNKNOWN_CODE',
      )
    const known = new Set(procedure.components.flatMap((c) => c.documents.map((d) => d.code)).filter(Boolean))
    // Results: the procedure's result codes (MAKETQUA) and those that may replace its components (MA_KQ_THAYTHE).
    const results = new Set(
      [...procedure.results.map((r) => r.code), ...procedure.components.flatMap((c) => c.documents.map((d) => d.replacementResultCode ?? ''))].filter(Boolean),
    )
    const unknownResults = resultCodes.flatMap((c, i) =>
      c !== undefined && results.size > 0 && !results.has(c)
        ? [
            {
              field: `/body/results/${i}/resultCode`,
              message: `result code ${c} is not a result of procedure ${procedure.code}`,
              rule: 'HUB_CATALOG_UNKNOWN_RESULT',
            },
          ]
        : [],
    )
    if (known.size === 0) {
      if (unknownResults.length) throw new HubError('HUB_ERR_UNKNOWN_CODE', unknownResults[0]!.message, { errors: unknownResults })
      return
    }
    const errors = componentCodes.flatMap((c, i) =>
      c !== undefined && !known.has(c)
        ? [
            {
              field: `/body/documents/${i}/componentCode`,
              message: `document code ${c} is not a component of procedure ${procedure.code}`,
              rule: 'HUB_CATALOG_UNKNOWN_COMPONENT',
            },
          ]
        : [],
    )
    errors.push(...unknownResults)
    if (errors.length) throw new HubError('HUB_ERR_UNKNOWN_CODE', errors[0]!.message, { errors })
  }

  /**
   * Warehouse intake check (`POST /v1/warehouse/documents`): once a catalog has been synced,
   * `documentCode` must be a document code (MAGIAYTO) of some active procedure and
   * `resultCode`, when given, one of their result codes (MAKETQUA or MA_KQ_THAYTHE). Passes
   * while no run has completed. The code sets are reloaded when a newer run completed.
   */
  async checkDocumentCodes(documentCode: string | undefined, resultCode: string | undefined): Promise<void> {
    const { run, codes } = await this.repo.catalogCodes(this.codes?.run)
    if (run === undefined) return
    if (codes) this.codes = { run, documentCodes: new Set(codes.documentCodes), resultCodes: new Set(codes.resultCodes) }
    const known = this.codes!
    const errors = [
      ...(documentCode !== undefined && !known.documentCodes.has(documentCode)
        ? [{ field: '/body/documentCode', message: `document code ${documentCode} is not in the national catalog`, rule: 'HUB_CATALOG_UNKNOWN_DOCUMENT' }]
        : []),
      ...(resultCode !== undefined && !known.resultCodes.has(resultCode)
        ? [{ field: '/body/resultCode', message: `result code ${resultCode} is not in the national catalog`, rule: 'HUB_CATALOG_UNKNOWN_RESULT' }]
        : []),
    ]
    if (errors.length) throw new HubError('HUB_ERR_UNKNOWN_CODE', errors[0]!.message, { errors })
  }
}
