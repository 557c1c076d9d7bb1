import type { DossierAccepted, DossierEvent, DossierSync, DossierUpsert } from '../../../schemas/v1/dossier.js'
import { ClientRegistry, type Client } from '../../inbound-auth/clients.js'
import { HubError, fieldError } from '../../errors.js'
import { isMappingError } from '../../mappings/shared/errors.js'
import { NATIONAL_RECEIVED, provincialCodeFor, toNationalStatus } from '../../mappings/dvcqg/status-map.js'
import { toHoSo, toTienDo } from '../../mappings/dvcqg/to-dvcqg.js'
import { QUEUES } from '../../queue/names.js'
import { bodyHash } from '../../lib/body-hash.js'
import type { HubService, ServiceContext } from '../context.js'
import type { CatalogReader } from '../catalog/reader.js'
import type { DossierReader } from './reader.js'
import type { PortalExtrasSource } from '../digitisation/index.js'
import { toHoSoBoSung } from '../../mappings/dvcqg/to-dvcqg-digitisation.js'
import { dossierMetrics, type DossierMetrics } from './metrics.js'
import { DossierRepository, type DeliveryAttempt, type DossierListItem, type DossierListState, type StoredRow } from './repository.js'
import { DossierWorker } from './worker.js'
import { DossierConsole } from './console/index.js'

export type { DossierListItem } from './repository.js'
export type { DrainJob } from './worker.js'

type Accepted = DossierAccepted & { replayed: boolean }

/**
 * Dossier status sync, the API the routes call. Intake stores each event with a
 * per-dossier sequence number in one statement before answering 202 and triggers a
 * drain; delivery, retries, parking and the reconciler live in worker.ts, every SQL
 * statement in repository.ts.
 */
export class DossierService implements HubService, DossierReader {
  readonly metrics: DossierMetrics
  /** The operator console's reads: search, timeline (console/index.ts). */
  readonly console: DossierConsole
  private readonly repo: DossierRepository
  private readonly worker: DossierWorker
  /**
   * The provincial status a step is checked against when its event carries none (the one
   * mapped to "received"). Only the step's own fields are checked at intake; delivery
   * reports the dossier's stored current status.
   */
  private readonly stepCheckStatus: string

  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalog: CatalogReader,
    extras?: PortalExtrasSource,
  ) {
    const queue = ctx.queues.queue(QUEUES.dossierSync)
    this.repo = new DossierRepository(ctx.db, ctx.config.INDICATOR_FACTS === 'on')
    this.metrics = dossierMetrics(ctx.metrics, () => this.repo.undelivered(), queue)
    this.worker = new DossierWorker(ctx, this.repo, queue, this.metrics, extras)
    this.console = new DossierConsole(ctx.readDb, ctx.db)
    const status = ctx.maps.status
    this.stepCheckStatus = provincialCodeFor(status, NATIONAL_RECEIVED) ?? status.keys().next().value!
  }

  // ---------------------------------------------------------------- intake

  private checkStatus(status: string) {
    if (toNationalStatus(this.ctx.maps.status, status) === undefined) {
      throw fieldError('/body/status', `status "${status}" has no DVCQG mapping in the status map`, 'HUB_STATUS_UNMAPPED', 'HUB_ERR_UNKNOWN_CODE')
    }
  }

  /** Runs a translation at intake so a body DVCQG could never take is a 400 naming the field. */
  private checkMapping(translate: () => unknown) {
    try {
      translate()
    } catch (e) {
      if (isMappingError(e)) throw fieldError(`/body/${e.field}`, e.message, e.code, 'HUB_ERR_MAPPING')
      throw e
    }
  }

  /**
   * `POST /v1/dossiers`: create or update a dossier. The client must serve the body's
   * agency (403 naming the field) and, for an existing dossier, its stored agency: a
   * dossier of another agency answers 404, as if it did not exist, and is not touched.
   */
  async upsert(body: DossierUpsert, client: Client): Promise<Accepted> {
    if (!ClientRegistry.servesAgency(client, body.agencyCode)) {
      throw fieldError('/body/agencyCode', `this client does not serve agency ${body.agencyCode}`, 'HUB_AGENCY_NOT_SERVED', 'HUB_ERR_FORBIDDEN')
    }
    const { eventId, ...dossier } = body
    this.checkStatus(dossier.status)
    this.checkMapping(() => toHoSo(body, { statusMap: this.ctx.maps.status, procedureCodeMap: this.ctx.maps.procedureCodes }))
    await this.catalog.checkDossierCodes(
      body.procedureCode,
      (body.documents ?? []).map((d) => d.componentCode),
      (body.results ?? []).map((r) => r.resultCode),
    )
    const hash = bodyHash({ kind: 'upsert', body })
    return this.store(eventId, body.dossierCode, 'upsert', client.id, hash, `dossier ${body.dossierCode} is unknown`, () =>
      this.repo.storeUpsert({ dossier, eventId, clientId: client.id, agencies: ClientRegistry.agencyList(client), hash }),
    )
  }

  /** `POST /v1/dossiers/{code}/events`: a status change and/or a processing step (404 for another agency's dossier). */
  async addEvent(dossierCode: string, body: DossierEvent, client: Client): Promise<Accepted> {
    if (body.status !== undefined) this.checkStatus(body.status)
    if (body.supplement) this.checkMapping(() => toHoSoBoSung([body.supplement!]))
    if (body.step) this.checkMapping(() => toTienDo(dossierCode, body, { statusMap: this.ctx.maps.status, currentStatus: body.status ?? this.stepCheckStatus }))
    const hash = bodyHash({ kind: 'event', dossierCode, body })
    return this.store(body.eventId, dossierCode, 'event', client.id, hash, `dossier ${dossierCode} is unknown: create it with POST /v1/dossiers first`, () =>
      this.repo.storeEvent({
        dossierCode,
        event: body,
        clientId: client.id,
        agencies: ClientRegistry.agencyList(client),
        hash,
        ...(body.status !== undefined ? { national: toNationalStatus(this.ctx.maps.status, body.status) } : {}),
      }),
    )
  }

  /**
   * Stores one event idempotently. The key is (client, eventId): two clients never share
   * keys. The same key with the same body (its canonical SHA-256) returns the first
   * answer; with another body it is a 409 HUB_ERR_IDEMPOTENCY_CONFLICT and nothing changes.
   * A dossier the client may not touch behaves like a missing one (`notFound`).
   */
  private async store(
    eventId: string,
    dossierCode: string,
    kind: 'upsert' | 'event',
    clientId: string,
    hash: string,
    notFound: string,
    write: () => Promise<StoredRow>,
  ): Promise<Accepted> {
    const replay = async (): Promise<Accepted | undefined> => {
      const r = await this.repo.findEvent(clientId, eventId)
      if (!r) return undefined
      // Rows stored before hashes existed (body_sha256 NULL) match any body of the same dossier.
      if (r.body_sha256 !== null && r.body_sha256 !== hash) {
        throw fieldError('/body/eventId', 'eventId was already used with a different body', 'HUB_EVENT_ID_BODY_DIFFERS', 'HUB_ERR_IDEMPOTENCY_CONFLICT')
      }
      if (r.dossier_code !== dossierCode) {
        throw fieldError('/body/eventId', `eventId was already used for another dossier`, 'HUB_EVENT_ID_REUSED', 'HUB_ERR_CONFLICT')
      }
      this.metrics.replayed.inc()
      return { dossierCode, eventId, seq: r.seq, replayed: true }
    }
    const retryLater = () => new HubError('HUB_ERR_CONFLICT', `event ${eventId} could not be stored; send it again`)
    // One statement, one round trip: bump the dossier and insert the event, unless the key
    // is known. Two concurrent requests with one key serialise on the dossier row; the
    // loser's insert then violates the (client, eventId) index, which aborts its whole
    // statement (nothing bumped or changed), and it answers from the winner's row.
    let stored: StoredRow
    try {
      stored = await write()
    } catch (e) {
      if ((e as { code?: unknown }).code !== '23505') throw e
      const winner = await replay()
      if (winner) return winner
      throw retryLater()
    }
    if (!stored.fresh || Number(stored.inserted) === 0) {
      if (stored.fresh && stored.seq === null) throw new HubError('HUB_ERR_NOT_FOUND', notFound)
      const winner = await replay()
      if (winner) return winner
      throw retryLater()
    }
    this.metrics.accepted.labels(kind).inc()
    // A worker draining this dossier right now picks the event up when it releases the
    // lease (the release waits for this commit), so no job is needed.
    if (!stored.leased) await this.worker.triggerIntake(dossierCode)
    return { dossierCode, eventId, seq: stored.seq!, replayed: false }
  }

  // ---------------------------------------------------------------- queries and operators

  /** Delivery state of a dossier's events; another agency's dossier is unknown to the client. */
  async syncState(dossierCode: string, client: Client): Promise<DossierSync> {
    const state = await this.repo.syncState(dossierCode, ClientRegistry.agencyList(client))
    if (!state) throw new HubError('HUB_ERR_NOT_FOUND', `dossier ${dossierCode} is unknown`)
    return state
  }

  list(state: DossierListState, limit: number, offset: number): Promise<DossierListItem[]> {
    return this.repo.list(state, limit, offset)
  }

  /** Puts a parked dossier (or all) back in line; returns the dossiers replayed. */
  async replay(dossierCode?: string): Promise<string[]> {
    const rows = await this.repo.unpark(dossierCode)
    if (dossierCode && rows.length === 0) {
      throw (await this.repo.exists(dossierCode))
        ? new HubError('HUB_ERR_CONFLICT', `dossier ${dossierCode} is not parked`)
        : new HubError('HUB_ERR_NOT_FOUND', `dossier ${dossierCode} is unknown`)
    }
    for (const r of rows) await this.worker.trigger(r.code, `replay${r.last_seq}-${Date.now()}`)
    return rows.map((r) => r.code)
  }

  /**
   * The parked dossiers of an agency (and its units) and/or a procedure, back in line; with
   * `dryRun`, only how many and which (the first 20), nothing changed.
   */
  async replayWhere(f: { agency?: string; procedure?: string; dryRun?: boolean }): Promise<{ count: number; sample: string[] } | { replayed: string[] }> {
    if (f.dryRun) return this.console.preview(f)
    const rows = await this.console.unpark(f)
    for (const r of rows) await this.worker.trigger(r.code, `replay${r.last_seq}-${Date.now()}`)
    return { replayed: rows.map((r) => r.code) }
  }

  /** DossierReader: the agency of a dossier the hub holds. */
  agencyOf(dossierCode: string): Promise<string | undefined> {
    return this.repo.agencyOf(dossierCode)
  }

  attempts(dossierCode: string, limit = 200): Promise<DeliveryAttempt[]> {
    return this.repo.attempts(dossierCode, limit)
  }

  // ---------------------------------------------------------------- background work

  async startWorkers(): Promise<void> {
    this.worker.start()
  }

  async stop(): Promise<void> {
    this.worker.stop()
  }
}
