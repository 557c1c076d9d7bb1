import type { Db } from '../../store/index.js'

/**
 * The overview's database reads: status sync (dossier_events, dossiers), documents and the
 * warehouse work lists. Each is one statement on a partial or time index
 * (migration 1500_console and earlier), so the page stays fast with 100,000s of dossiers.
 */

export interface SeriesRow {
  bucket: Date
  accepted: number
  accepted_live: number
  delivered: number
}

export interface SyncNow {
  backlog: number
  oldest_ready_age: number | null
  retry_dossiers: number
  retry_oldest_age: number | null
  parked: number
}

export class OverviewRepository {
  constructor(private readonly db: Db) {}

  /**
   * Events accepted (all, and not parked) and delivered per `bucketSeconds` bucket since `from`,
   * plus what was accepted/delivered after the last bucket's end (`until`), for the backlog walk-back.
   */
  async series(from: Date, bucketSeconds: number): Promise<SeriesRow[]> {
    const { rows } = await this.db.query<{ bucket: Date; accepted: string; accepted_live: string; delivered: string }>(
      `WITH a AS (
         SELECT date_bin(make_interval(secs => $2), accepted_at, timestamptz '1970-01-01') AS bucket, count(*) AS accepted,
                count(*) FILTER (WHERE state <> 'parked') AS accepted_live
         FROM dossier_events WHERE accepted_at >= $1 GROUP BY 1),
       d AS (
         SELECT date_bin(make_interval(secs => $2), delivered_at, timestamptz '1970-01-01') AS bucket, count(*) AS delivered
         FROM dossier_events WHERE delivered_at >= $1 GROUP BY 1)
       SELECT COALESCE(a.bucket, d.bucket) AS bucket, COALESCE(a.accepted, 0) AS accepted, COALESCE(a.accepted_live, 0) AS accepted_live,
              COALESCE(d.delivered, 0) AS delivered
       FROM a FULL JOIN d ON a.bucket = d.bucket`,
      [from, bucketSeconds],
    )
    return rows.map((r) => ({
      bucket: new Date(r.bucket),
      accepted: Number(r.accepted),
      accepted_live: Number(r.accepted_live),
      delivered: Number(r.delivered),
    }))
  }

  /** Status sync now: backlog (parked excluded), the oldest event not waiting for a retry, retry-waiting dossiers, parked dossiers. */
  async syncNow(): Promise<SyncNow> {
    const { rows } = await this.db.query<{
      backlog: string
      oldest_ready_age: number | null
      retry_dossiers: string
      retry_oldest_age: number | null
      parked: string
    }>(
      `SELECT
         (SELECT count(*) FROM dossier_events WHERE state <> 'delivered' AND state <> 'parked') AS backlog,
         (SELECT EXTRACT(EPOCH FROM now() - e.accepted_at)::float8 FROM dossier_events e JOIN dossiers d ON d.code = e.dossier_code
           WHERE e.state <> 'delivered' AND e.state <> 'parked' AND d.state = 'active' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
           ORDER BY e.accepted_at LIMIT 1) AS oldest_ready_age,
         (SELECT count(*) FROM dossiers WHERE state = 'active' AND next_attempt_at IS NOT NULL AND next_attempt_at > now() AND delivered_seq < last_seq) AS retry_dossiers,
         (SELECT EXTRACT(EPOCH FROM now() - min(e.accepted_at))::float8 FROM dossiers d JOIN dossier_events e ON e.dossier_code = d.code AND e.seq > d.delivered_seq
           WHERE d.state = 'active' AND d.next_attempt_at IS NOT NULL AND d.next_attempt_at > now() AND d.delivered_seq < d.last_seq) AS retry_oldest_age,
         (SELECT count(*) FROM dossiers WHERE state = 'parked') AS parked`,
    )
    const r = rows[0]!
    return {
      backlog: Number(r.backlog),
      oldest_ready_age: r.oldest_ready_age === null ? null : Number(r.oldest_ready_age),
      retry_dossiers: Number(r.retry_dossiers),
      retry_oldest_age: r.retry_oldest_age === null ? null : Number(r.retry_oldest_age),
      parked: Number(r.parked),
    }
  }

  /** VDXP: received documents not acknowledged by their agency system; outgoing messages parked (given up). */
  async documents(): Promise<{ awaitingAck: number; failed: number }> {
    const { rows } = await this.db.query<{ unacked: string; failed: string }>(
      `SELECT (SELECT count(*) FROM documents WHERE direction = 'in' AND acked_at IS NULL) AS unacked,
              (SELECT count(*) FROM document_outbox WHERE state = 'parked') AS failed`,
    )
    return { awaitingAck: Number(rows[0]?.unacked ?? 0), failed: Number(rows[0]?.failed ?? 0) }
  }

  /** Warehouse work lists: owners to mirror (by state), files to fetch, documents to push (pending, failed). */
  async warehouse(): Promise<{ mirror: Record<string, number>; push: Record<string, number> }> {
    const { rows } = await this.db.query<Record<string, string>>(
      `SELECT
         (SELECT count(*) FROM warehouse_mirror_owners WHERE state = 'pending') AS owners_pending,
         (SELECT count(*) FROM warehouse_mirror_owners WHERE state = 'running') AS owners_running,
         (SELECT count(*) FROM warehouse_mirror_owners WHERE state = 'failed') AS owners_failed,
         (SELECT count(*) FROM warehouse_documents WHERE fetch_state IN ('pending', 'failed')) AS files_to_fetch,
         (SELECT count(*) FROM warehouse_documents WHERE push_state = 'pending') AS push_pending,
         (SELECT count(*) FROM warehouse_documents WHERE push_state = 'failed') AS push_failed`,
    )
    const r = rows[0] ?? {}
    const n = (k: string) => Number(r[k] ?? 0)
    return {
      mirror: { ownersPending: n('owners_pending'), ownersRunning: n('owners_running'), ownersFailed: n('owners_failed'), filesToFetch: n('files_to_fetch') },
      push: { pending: n('push_pending'), failed: n('push_failed') },
    }
  }
}
