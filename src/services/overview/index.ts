import { LOOKUP_CONNECTORS } from '../../connectors/lookups.js'
import type { ServiceContext } from '../context.js'
import type { CatalogRun } from '../catalog/index.js'
import { OverviewRepository } from './repository.js'
import { WINDOW_MINUTES, type UpstreamCalls } from './calls.js'
import type { Overview, OverviewSystem } from './types.js'

export type { Overview } from './types.js'

/**
 * The national systems the overview lists, by connector id: the portal, every lookup connector
 * (src/connectors/lookups.ts, so a new one appears without an edit here), the document exchange.
 */
export const SYSTEMS: readonly string[] = ['dvcqg', ...LOOKUP_CONNECTORS.map((d) => d.id), 'vdxp']

const SERIES_HOURS = 6
const BUCKET_S = 600
/** A breaker state published longer ago than this is 'unknown' (no process has spoken for it). */
const BREAKER_STALE_MS = 90_000

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * `GET /admin/overview` (docs/console-api.md): per national system the last 15 minutes of
 * calls of the whole cluster (UpstreamCalls in Redis) and its breaker as last published;
 * status sync, documents and warehouse from the database; the catalog's last run.
 */
export class OverviewService {
  private readonly repo: OverviewRepository

  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalogRuns: (limit: number) => Promise<CatalogRun[]>,
    private readonly calls: UpstreamCalls | undefined = ctx.upstreamCalls,
  ) {
    this.repo = new OverviewRepository(ctx.readDb)
  }

  async overview(now = Date.now()): Promise<Overview> {
    // This process's latest calls first: what the page shows includes the call just made here.
    await this.calls?.flush().catch(() => undefined)
    const enabled = new Set(this.ctx.config.CONNECTORS_ENABLED.split(',').filter(Boolean))
    const seriesFrom = Math.floor((now - SERIES_HOURS * 3_600_000) / (BUCKET_S * 1000)) * BUCKET_S * 1000 + BUCKET_S * 1000
    const [windows, series, sync, documents, warehouse, runs] = await Promise.all([
      this.calls ? this.calls.window([...SYSTEMS], WINDOW_MINUTES, now) : Promise.resolve(new Map()),
      this.repo.series(new Date(seriesFrom), BUCKET_S),
      this.repo.syncNow(),
      this.repo.documents(),
      this.repo.warehouse(),
      this.catalogRuns(1),
    ])
    const systems: OverviewSystem[] = SYSTEMS.map((id) => {
      const w = windows.get(id)
      const breaker = w?.breaker && now - w.breaker.at <= BREAKER_STALE_MS ? w.breaker.state : 'unknown'
      const calls = w?.calls ?? 0
      const errors = w?.errors ?? 0
      return {
        system: id,
        enabled: enabled.has(id),
        breaker,
        ...(w?.breaker ? { breakerAt: iso(w.breaker.at) } : {}),
        calls,
        errors,
        errorRate: calls ? errors / calls : null,
        p95Ms: w?.p95Ms ?? null,
        lastSuccessAt: w?.lastSuccessAt ? iso(w.lastSuccessAt) : null,
        windowMinutes: WINDOW_MINUTES,
      }
    })
    // Backlog at the end of each bucket, walked back from now: + delivered after it, - accepted (not parked) after it.
    const byBucket = new Map(series.map((r) => [r.bucket.getTime(), r]))
    const points: Overview['statusSync']['series'] = []
    let backlog = sync.backlog
    for (let at = Math.floor(now / (BUCKET_S * 1000)) * BUCKET_S * 1000; at >= seriesFrom; at -= BUCKET_S * 1000) {
      const r = byBucket.get(at)
      // The bucket [at, at + 10 min): its end is the backlog before its own arrivals and deliveries are undone.
      points.push({ at: iso(at), accepted: r?.accepted ?? 0, delivered: r?.delivered ?? 0, backlog: Math.max(0, backlog) })
      backlog = backlog - (r?.accepted_live ?? 0) + (r?.delivered ?? 0)
    }
    points.reverse()
    const run = runs[0]
    return {
      at: iso(now),
      systems,
      statusSync: {
        series: points,
        backlog: sync.backlog,
        oldestReadyAgeSeconds: sync.oldest_ready_age === null ? null : Math.round(sync.oldest_ready_age),
        retryWaiting: { dossiers: sync.retry_dossiers, oldestAgeSeconds: sync.retry_oldest_age === null ? null : Math.round(sync.retry_oldest_age) },
        parked: sync.parked,
      },
      catalog: {
        lastRun: run
          ? { id: run.id, state: run.state, startedAt: run.startedAt, finishedAt: run.finishedAt ?? null, counts: run.counts as Record<string, number> }
          : null,
      },
      warehouse,
      documents,
    }
  }
}
