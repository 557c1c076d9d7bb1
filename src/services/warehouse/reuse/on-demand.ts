import type { Logger } from 'pino'
import { singleFlight } from '../../../lib/single-flight.js'
import type { ReuseRepository } from './repository.js'

/** How complete a reuse answer is (the `freshness` of the reply). */
export interface Freshness {
  complete: boolean
  /** This query fetched (or waited for a fetch of) the owner from the national warehouse. */
  fetched: boolean
  mirroredAt?: string
  reason?: 'deadline' | 'upstream_error' | 'disabled'
}

/** The mirror's per-owner fetch (MirrorService.mirrorOwner): the one fetch code, reused here. */
export interface OwnerFetcher {
  mirrorOwner(ownerId: string): Promise<unknown>
  /** Records an on-demand fetch that failed, so the owner is not left "running". */
  failed(ownerId: string, message: string): Promise<void>
}

export interface OnDemandOptions {
  /** An owner mirrored longer ago than this is fetched again; 0 turns on-demand fetching off. */
  maxAgeMs: number
  /** Longest wait for a fetch before answering with what the hub holds. */
  deadlineMs: number
}

/**
 * Reuse that finds what exists (issue 17): before the reuse query reads the store, an owner
 * never mirrored (or mirrored longer ago than the configured age) is fetched from the
 * national warehouse on demand, through the mirror's own fetch. Concurrent queries for the
 * same owner share one fetch (single flight). The query waits at most the deadline; a fetch
 * still running then goes on in the background (bounded by the upstream timeouts), so the
 * next query finds its documents, and this answer says it is incomplete.
 */
export class OnDemandMirror {
  private readonly flights = new Map<string, () => Promise<void>>()

  constructor(
    private readonly repo: ReuseRepository,
    private readonly fetcher: OwnerFetcher,
    private readonly opts: OnDemandOptions,
    private readonly logger: Logger,
  ) {}

  async ensure(ownerId: string): Promise<Freshness> {
    const last = await this.repo.lastMirrored(ownerId)
    const mirroredAt = last ? { mirroredAt: last.toISOString() } : {}
    if (this.opts.maxAgeMs === 0) return last ? { complete: true, fetched: false, ...mirroredAt } : { complete: false, fetched: false, reason: 'disabled' }
    if (last && Date.now() - last.getTime() <= this.opts.maxAgeMs) return { complete: true, fetched: false, ...mirroredAt }
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.opts.deadlineMs)
    })
    const outcome = await Promise.race([
      this.flight(ownerId)().then(
        () => 'done' as const,
        () => 'error' as const,
      ),
      deadline,
    ])
    clearTimeout(timer)
    if (outcome === 'done') {
      const now = await this.repo.lastMirrored(ownerId)
      return { complete: true, fetched: true, ...(now ? { mirroredAt: now.toISOString() } : {}) }
    }
    return { complete: false, fetched: true, ...mirroredAt, reason: outcome === 'deadline' ? 'deadline' : 'upstream_error' }
  }

  /** The one fetch of an owner in flight, shared by every query that asks meanwhile. */
  private flight(ownerId: string): () => Promise<void> {
    let f = this.flights.get(ownerId)
    if (!f) {
      f = singleFlight(async () => {
        try {
          await this.fetcher.mirrorOwner(ownerId)
        } catch (e) {
          const err = e as Error
          // Logged by type and message only: the owner id is personal data.
          this.logger.warn({ err: { type: err.name, message: err.message.slice(0, 200) } }, 'on-demand warehouse fetch failed')
          await this.fetcher.failed(ownerId, err.message.slice(0, 1000)).catch(() => undefined)
          throw e
        } finally {
          this.flights.delete(ownerId)
        }
      })
      this.flights.set(ownerId, f)
    }
    return f
  }
}
