import type { Db, Queryable } from '../../store/index.js'
import type { DossierSupplement } from '../../mappings/dvcqg/types.js'

/** One link of a dossier item to a warehouse document, with what the mapping needs of the document. */
export interface LinkRow {
  item_kind: 'component' | 'result'
  item_id: string
  document_id: string
  matched_by: 'usage' | 'code' | 'dossier'
  source: 'local' | 'national'
  signature_status: string | null
  stored: boolean
}

/** A returned dossier without a signed digital result. */
export interface GapRow {
  code: string
  procedure_code: string
  current_status: string | null
  returned_at: string | null
  result_codes: string[] | null
  linked_results: number
  touched_at: Date
}

/**
 * A result document counts as a signed digital result when its file is stored, its signature
 * verified, and the signature policy did not block it (`signature_decision`, migration 0800,
 * read through to_jsonb so this also runs on a schema from before that column: absent = pass).
 */
const SIGNED = `w.blob_sha256 IS NOT NULL AND w.signature_status = 'valid' AND COALESCE(to_jsonb(w)->>'signature_decision', 'pass') <> 'blocked'`

/** One agency of the digitisation summary (console). */
export interface SummaryRow {
  agency: string
  digitised: number
  pushed: number
  mirrored: number
  reused: number
  pass: number
  warn: number
  fail: number
  gaps: number
}

// Periods are cut in Vietnam time (UTC+7, no daylight saving), as the warehouse statistics.
const LOCAL = `(ts AT TIME ZONE 'UTC' + interval '7 hours')`

/**
 * SQL of the digitisation capability: dossier ↔ warehouse links (rebuilt from the dossier's
 * snapshot, the recorded reuses and the warehouse), the gaps report, and what a dossier's
 * portal record gathers (supplement parts of its events, national systems its lookups reached).
 */
export class DigitisationRepository {
  constructor(private readonly db: Db) {}

  /**
   * Rebuilds the links of these dossiers in one transaction. A component is linked to a
   * document reused for it (warehouse_usage of this dossier and component code) and, when
   * the dossier marks it digitised or reused, to the owner's documents of its code (or of
   * its replacing result code). A result is linked to the owner's documents of its result
   * code and to documents that name the dossier. Deleted components are never linked.
   */
  async refresh(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return
    await this.db.tx(async (q: Queryable) => {
      await q.query('DELETE FROM dossier_document_links WHERE dossier_code = ANY($1::text[])', [codes])
      await q.query(
        `WITH d AS (SELECT code, snapshot, snapshot->'applicant'->>'idNumber' AS owner_id FROM dossiers WHERE code = ANY($1::text[])),
         comp AS (
           SELECT d.code, d.owner_id, x->>'id' AS item_id, x->>'componentCode' AS ccode, x->>'replacedByResultCode' AS rcode,
                  (COALESCE(x->>'digitized', 'false') = 'true' OR COALESCE(x->>'reused', 'false') = 'true') AS claimed
           FROM d, jsonb_array_elements(COALESCE(d.snapshot->'documents', '[]'::jsonb)) x
           WHERE COALESCE(x->>'deleted', 'false') <> 'true'),
         res AS (
           SELECT d.code, d.owner_id, x->>'id' AS item_id, x->>'resultCode' AS rcode
           FROM d, jsonb_array_elements(COALESCE(d.snapshot->'results', '[]'::jsonb)) x),
         cand AS (
           SELECT c.code, 'component' AS kind, c.item_id, u.document_id, 'usage' AS how
             FROM comp c JOIN warehouse_usage u ON u.dossier_code = c.code AND u.component_code = c.ccode
           UNION ALL
           SELECT c.code, 'component', c.item_id, w.id, 'code'
             FROM comp c JOIN warehouse_documents w ON w.owner_id = c.owner_id AND (w.document_code = c.ccode OR w.result_code = c.rcode)
             WHERE c.claimed
           UNION ALL
           SELECT r.code, 'result', r.item_id, w.id, 'code'
             FROM res r JOIN warehouse_documents w ON w.owner_id = r.owner_id AND w.result_code = r.rcode
           UNION ALL
           SELECT r.code, 'result', r.item_id, w.id, 'dossier'
             FROM res r JOIN warehouse_documents w ON w.dossier_code = r.code AND (r.rcode IS NULL OR w.result_code IS NULL OR w.result_code = r.rcode))
         INSERT INTO dossier_document_links (dossier_code, item_kind, item_id, document_id, matched_by)
         SELECT DISTINCT ON (code, kind, item_id, document_id) code, kind, item_id, document_id, how
         FROM cand WHERE item_id IS NOT NULL
         ORDER BY code, kind, item_id, document_id, CASE how WHEN 'usage' THEN 0 WHEN 'code' THEN 1 ELSE 2 END
         ON CONFLICT DO NOTHING`,
        [codes],
      )
    })
  }

  async links(dossierCode: string): Promise<LinkRow[]> {
    const { rows } = await this.db.query<LinkRow>(
      `SELECT l.item_kind, l.item_id, l.document_id, l.matched_by, w.source, w.signature_status, (w.blob_sha256 IS NOT NULL) AS stored
       FROM dossier_document_links l JOIN warehouse_documents w ON w.id = l.document_id
       WHERE l.dossier_code = $1 ORDER BY l.item_kind, l.item_id, l.document_id`,
      [dossierCode],
    )
    return rows
  }

  /**
   * Dossiers of `agency` whose current (provincial) status is one of `returnedStatuses` and
   * that have no result linked to a signed digital document, oldest first.
   */
  async gaps(agency: string, returnedStatuses: readonly string[], limit: number): Promise<GapRow[]> {
    const { rows } = await this.db.query<GapRow>(
      `SELECT d.code, d.procedure_code, d.current_status, d.snapshot->>'returnedAt' AS returned_at, d.touched_at,
              (SELECT array_agg(x->>'resultCode') FROM jsonb_array_elements(COALESCE(d.snapshot->'results', '[]'::jsonb)) x
                 WHERE x->>'resultCode' IS NOT NULL) AS result_codes,
              (SELECT count(*)::int FROM dossier_document_links l WHERE l.dossier_code = d.code AND l.item_kind = 'result') AS linked_results
       FROM dossiers d
       WHERE d.agency_code = $1 AND d.current_status = ANY($2::text[])
         AND NOT EXISTS (SELECT 1 FROM dossier_document_links l JOIN warehouse_documents w ON w.id = l.document_id
                         WHERE l.dossier_code = d.code AND l.item_kind = 'result' AND ${SIGNED})
       ORDER BY d.touched_at, d.code LIMIT $3`,
      [agency, returnedStatuses, limit],
    )
    return rows
  }

  /**
   * What a dossier's portal record gathers, in one round trip: the supplement parts of its
   * events up to `seq` (in order), the national systems reached by lookups declared for it
   * (audit rows whose purpose is the dossier code and whose outcome is an answer of the
   * system: found, not found, match or mismatch), and whether its links can be anything but
   * empty (`mayLink`: its snapshot lists documents or results, or links are stored), so a
   * dossier without any skips the rebuild.
   */
  async portalReads(dossierCode: string, seq: number): Promise<{ supplements: DossierSupplement[]; connectedSystems: string[]; mayLink: boolean }> {
    const { rows } = await this.db.query<{ supplements: unknown; connected: string[] | null; may_link: boolean }>(
      `SELECT
         (SELECT COALESCE(jsonb_agg(payload->'supplement' ORDER BY seq), '[]'::jsonb) FROM dossier_events
           WHERE dossier_code = $1 AND seq <= $2 AND payload->'supplement' IS NOT NULL) AS supplements,
         (SELECT array_agg(u ORDER BY u) FROM (SELECT DISTINCT detail->>'upstream' AS u FROM audit_log
           WHERE purpose = $1 AND outcome IN ('found', 'not_found', 'match', 'mismatch') AND detail->>'upstream' IS NOT NULL) s) AS connected,
         (EXISTS (SELECT 1 FROM dossiers WHERE code = $1
                    AND (jsonb_array_length(COALESCE(snapshot->'documents', '[]'::jsonb)) > 0 OR jsonb_array_length(COALESCE(snapshot->'results', '[]'::jsonb)) > 0))
          OR EXISTS (SELECT 1 FROM dossier_document_links WHERE dossier_code = $1)) AS may_link`,
      [dossierCode, seq],
    )
    const r = rows[0]!
    const parse = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T))
    return {
      supplements: parse<unknown[]>(r.supplements).map((x) => parse<DossierSupplement>(x)),
      connectedSystems: r.connected ?? [],
      mayLink: r.may_link,
    }
  }

  /**
   * The oldest dossiers that may be gaps (returned status, no signed result linked), at most
   * `limit`, of the agencies whose code ends with `agencySuffix` (all when null): the summary
   * rebuilds their links before counting, as the gaps report does for its page.
   */
  async gapCandidates(returnedStatuses: readonly string[], agencySuffix: string | null, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ code: string }>(
      `SELECT d.code FROM dossiers d
       WHERE d.current_status = ANY($1::text[]) AND ($2::text IS NULL OR right(d.agency_code, length($2::text)) = $2::text)
         AND NOT EXISTS (SELECT 1 FROM dossier_document_links l JOIN warehouse_documents w ON w.id = l.document_id
                         WHERE l.dossier_code = d.code AND l.item_kind = 'result' AND ${SIGNED})
       ORDER BY d.touched_at, d.code LIMIT $3`,
      [returnedStatuses, agencySuffix, limit],
    )
    return rows.map((r) => r.code)
  }

  /**
   * Per agency (the warehouse row's agency_code; the dossier's for gaps): the warehouse
   * statistics' counts over [from, to] (Vietnam days, as GET /admin/warehouse/stats: local
   * documents created, pushes, national files stored, reuses), the signature policy's
   * decision over the documents created whose signature was checked (pass, warn, blocked),
   * and the gaps in force now (the gaps report's definition, not limited to the period).
   */
  async summary(f: { from: string; to: string; agencySuffix: string | null; returnedStatuses: readonly string[] }): Promise<SummaryRow[]> {
    const { rows } = await this.db.query<SummaryRow>(
      `WITH ev AS (
         SELECT COALESCE(agency_code, '') AS agency, created_at AS ts, (source = 'local')::int AS digitised, 0 AS pushed,
           (source = 'national' AND fetch_state = 'stored')::int AS mirrored, 0 AS reused,
           (signature_status IS NOT NULL AND COALESCE(to_jsonb(w)->>'signature_decision', 'pass') = 'pass')::int AS pass,
           (signature_status IS NOT NULL AND to_jsonb(w)->>'signature_decision' = 'warn')::int AS warn,
           (signature_status IS NOT NULL AND to_jsonb(w)->>'signature_decision' = 'blocked')::int AS fail
         FROM warehouse_documents w
         UNION ALL
         SELECT COALESCE(agency_code, ''), pushed_at, 0, 1, 0, 0, 0, 0, 0 FROM warehouse_documents WHERE pushed_at IS NOT NULL
         UNION ALL
         SELECT COALESCE(agency_code, ''), used_at, 0, 0, 0, 1, 0, 0, 0 FROM warehouse_usage
       ),
       counts AS (
         SELECT agency, sum(digitised)::int AS digitised, sum(pushed)::int AS pushed, sum(mirrored)::int AS mirrored, sum(reused)::int AS reused,
           sum(pass)::int AS pass, sum(warn)::int AS warn, sum(fail)::int AS fail
         FROM ev WHERE ${LOCAL} >= $1::date AND ${LOCAL} < $2::date + 1 AND ($3::text IS NULL OR right(agency, length($3::text)) = $3::text)
         GROUP BY 1),
       gaps AS (
         SELECT d.agency_code AS agency, count(*)::int AS gaps FROM dossiers d
         WHERE d.current_status = ANY($4::text[]) AND ($3::text IS NULL OR right(d.agency_code, length($3::text)) = $3::text)
           AND NOT EXISTS (SELECT 1 FROM dossier_document_links l JOIN warehouse_documents w ON w.id = l.document_id
                           WHERE l.dossier_code = d.code AND l.item_kind = 'result' AND ${SIGNED})
         GROUP BY 1)
       SELECT COALESCE(c.agency, g.agency) AS agency, COALESCE(c.digitised, 0) AS digitised, COALESCE(c.pushed, 0) AS pushed,
         COALESCE(c.mirrored, 0) AS mirrored, COALESCE(c.reused, 0) AS reused, COALESCE(c.pass, 0) AS pass, COALESCE(c.warn, 0) AS warn,
         COALESCE(c.fail, 0) AS fail, COALESCE(g.gaps, 0) AS gaps
       FROM counts c FULL JOIN gaps g ON g.agency = c.agency ORDER BY 1`,
      [f.from, f.to, f.agencySuffix, f.returnedStatuses],
    )
    return rows
  }
}
