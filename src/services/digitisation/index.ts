import type { GapsReplyBody } from '../../../schemas/v1/dossiers-digitisation.js'
import type { ComponentLink, PortalExtras } from '../../mappings/dvcqg/to-dvcqg-digitisation.js'
import type { ServiceContext } from '../context.js'
import { nationalDatabaseOf } from '../../connectors/lookups.js'
import { DigitisationRepository } from './repository.js'
import { agencySuffix } from '../dossiers/console/index.js'
import { fieldError } from '../../errors.js'

/** Most gap candidates whose links the summary rebuilds before counting (the oldest first). */
export const SUMMARY_REFRESH_MAX = 2000

export interface DigitisationSummaryRow {
  agencyCode: string
  digitised: number
  pushed: number
  mirrored: number
  reused: number
  signature: { pass: number; warn: number; fail: number }
  gaps: number
}

/** National status "result returned" (NATIONAL-ENDPOINTS.md §1.3). */
export const NATIONAL_RESULT_RETURNED = 10

/** What the dossier sync asks before mapping a dossier to the portal (the worker holds this port, not the service). */
export interface PortalExtrasSource {
  portalExtras(dossierCode: string, seq: number): Promise<PortalExtras>
}

/**
 * Dossier ↔ warehouse (issue 17). Links a dossier's components and results to warehouse
 * documents, reports returned dossiers that left no signed digital result behind, and
 * gathers what the portal record needs beyond the dossier body: connected national
 * databases (from the hub's own lookup audit), supplement requests (from the events) and
 * the components' reuse flags (from the links). The mapping formats; this gathers.
 */
export class DigitisationService implements PortalExtrasSource {
  private readonly repo: DigitisationRepository

  constructor(private readonly ctx: ServiceContext) {
    this.repo = new DigitisationRepository(ctx.db)
  }

  /** Provincial status codes that the status map sends as "result returned". */
  returnedStatuses(): string[] {
    return [...this.ctx.maps.status].filter(([, national]) => national === NATIONAL_RESULT_RETURNED).map(([code]) => code)
  }

  /** Rebuilds a dossier's links now (delivery, gaps report). */
  refresh(dossierCodes: readonly string[]): Promise<void> {
    return this.repo.refresh(dossierCodes)
  }

  /** Component id → link, from the rebuilt links of the dossier. */
  async componentLinks(dossierCode: string): Promise<Record<string, ComponentLink>> {
    await this.repo.refresh([dossierCode])
    const out: Record<string, ComponentLink> = {}
    for (const l of await this.repo.links(dossierCode)) {
      if (l.item_kind !== 'component') continue
      const link = (out[l.item_id] ??= {})
      link.digitised = true
      // Reused and "taken from the national warehouse" only when a reuse was recorded for this component.
      if (l.matched_by === 'usage') {
        link.reused = true
        if (l.source === 'national') link.fromNationalWarehouse = true
      }
    }
    return out
  }

  /** PortalExtrasSource: everything the `<hoso>` record of the dossier as of event `seq` needs. */
  async portalExtras(dossierCode: string, seq: number): Promise<PortalExtras> {
    // Lookup audit rows may still sit in the writer's buffer: flush before reading them.
    await this.ctx.audit.flush()
    // One read; the links are rebuilt only when the dossier lists documents or results, or had links
    // (otherwise the rebuild deletes nothing and inserts nothing: issue 13, SQL round trips per event).
    const { supplements, connectedSystems, mayLink } = await this.repo.portalReads(dossierCode, seq)
    const links = mayLink ? await this.componentLinks(dossierCode) : {}
    // Each lookup connector declares its national database's MaCSDL; an undeclared one is sent upper-cased.
    const connectedDatabases = connectedSystems.map((id) => nationalDatabaseOf(id) ?? id.toUpperCase())
    return { links, supplements, connectedDatabases }
  }

  /**
   * `GET /admin/digitisation/gaps`: dossiers of the agency in a "result returned" status with
   * no result linked to a signed digital document. The candidates' links are rebuilt first,
   * so a result ingested since the last delivery clears its dossier at once.
   */
  async gaps(agency: string, limit: number): Promise<GapsReplyBody> {
    const statuses = this.returnedStatuses()
    const first = await this.repo.gaps(agency, statuses, limit)
    if (first.length > 0) await this.repo.refresh(first.map((r) => r.code))
    const rows = first.length > 0 ? await this.repo.gaps(agency, statuses, limit) : first
    return {
      agency,
      items: rows.map((r) => ({
        dossierCode: r.code,
        procedureCode: r.procedure_code,
        status: r.current_status ?? '',
        ...(r.returned_at ? { returnedAt: r.returned_at } : {}),
        resultCodes: r.result_codes ?? [],
        unsignedLinkedResults: r.linked_results,
        since: new Date(r.touched_at).toISOString(),
      })),
    }
  }

  /**
   * `GET /admin/digitisation/summary` (docs/console-api.md): per agency the warehouse
   * statistics' counts over the period, the signature policy's decisions, and the gaps in
   * force (the oldest SUMMARY_REFRESH_MAX candidates' links rebuilt first, as the gaps report does).
   */
  async summary(q: { agency?: string; from?: string; to?: string }): Promise<{ from?: string; to?: string; agency?: string; rows: DigitisationSummaryRow[] }> {
    if (q.from && q.to && q.from > q.to) throw fieldError('/querystring/to', 'must not be before from', 'range')
    const suffix = q.agency ? agencySuffix(q.agency) : null
    const statuses = this.returnedStatuses()
    const candidates = await this.repo.gapCandidates(statuses, suffix, SUMMARY_REFRESH_MAX)
    if (candidates.length > 0) await this.repo.refresh(candidates)
    const rows = await this.repo.summary({ from: q.from ?? '1970-01-01', to: q.to ?? '9999-12-31', agencySuffix: suffix, returnedStatuses: statuses })
    return {
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.agency ? { agency: q.agency } : {}),
      rows: rows.map((r) => ({
        agencyCode: r.agency,
        digitised: r.digitised,
        pushed: r.pushed,
        mirrored: r.mirrored,
        reused: r.reused,
        signature: { pass: r.pass, warn: r.warn, fail: r.fail },
        gaps: r.gaps,
      })),
    }
  }
}
