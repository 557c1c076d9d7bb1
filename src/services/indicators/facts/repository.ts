/**
 * The statements that keep `dossier_facts` (migration 0950) current, as common table
 * expressions the dossier intake and delivery statements embed: the facts change in the
 * same statement (and transaction) as the dossier, one round trip, no extra statement.
 * Each fragment names the parameter it reads; the embedding statement supplies it and
 * defines the CTE `d` (the dossier row it wrote, with `code` where noted).
 *
 * Each also queues the row's code in `indicator_dirty` when the change may alter what the row
 * contributes to the monthly rollup (migration 1600, rollup/repository.ts); the fold takes it
 * off. The queue insert reads the facts CTE's output, so it runs after the facts row is locked
 * (the fold locks the row too: a change is either seen by a fold or queued after it). A status
 * event changes only the finish and pause columns, which count only once the dossier is
 * finished: it queues a finished row or one it finishes, so the events of an open dossier do not.
 */

/** After `f` (a facts statement returning `code`): queue its rows (those meeting `when`) for the rollup fold. */
export const dirtyCte = (when = 'true') => `,
  fdirty AS (INSERT INTO indicator_dirty (code) SELECT code FROM f WHERE ${when} ON CONFLICT (code) DO NOTHING)`

/**
 * After `d` (the upsert's dossier row): `$1` dossier code, `$2` procedure, `$3` agency,
 * `$p` the facts (facts/derive.ts `UpsertFacts` as JSON; NULL when facts are off). Event- and
 * delivery-derived columns are kept; `lookup` is set when a national-database lookup was
 * already made for this dossier (an audit record whose purpose is its code, answered 200/404).
 */
export const upsertFactsCte = (p: number) => `,
  f AS (
    INSERT INTO dossier_facts (code, agency_code, agency_path, procedure_code, received_at, due_at, upsert_finished_at,
      online, fee, paid_online, component, digitised, reused, national_wh, result_digitised, vneid, lookup)
    SELECT $1, $3, x."agencyPath", $2, x."receivedAt", x."dueAt", x."finishedAt", x.online, x.fee, x."paidOnline", x.component,
      x.digitised, x.reused, x."nationalWh", x."resultDigitised", x.vneid,
      EXISTS (SELECT 1 FROM audit_log WHERE purpose = $1 AND status IN (200, 404) AND detail ? 'upstream')
    FROM d, jsonb_to_record($${p}::jsonb) AS x("agencyPath" text, "receivedAt" timestamptz, "dueAt" timestamptz, "finishedAt" timestamptz,
      online boolean, fee boolean, "paidOnline" boolean, component boolean, digitised boolean, reused boolean, "nationalWh" boolean,
      "resultDigitised" boolean, vneid boolean)
    WHERE $${p}::jsonb IS NOT NULL
    ON CONFLICT (code) DO UPDATE SET agency_code = EXCLUDED.agency_code, agency_path = EXCLUDED.agency_path, procedure_code = EXCLUDED.procedure_code,
      received_at = EXCLUDED.received_at, due_at = EXCLUDED.due_at, upsert_finished_at = EXCLUDED.upsert_finished_at, online = EXCLUDED.online,
      fee = EXCLUDED.fee, paid_online = EXCLUDED.paid_online, component = EXCLUDED.component, digitised = EXCLUDED.digitised,
      reused = EXCLUDED.reused, national_wh = EXCLUDED.national_wh, result_digitised = EXCLUDED.result_digitised, vneid = EXCLUDED.vneid,
      lookup = dossier_facts.lookup OR EXCLUDED.lookup
    RETURNING code)${dirtyCte()}`

/**
 * After `d` (the event's dossier row): `$1` dossier code, `$5` occurredAt, `$p` the national
 * status (TrangThaiHoSo) the event's status maps to, NULL for an event without a status or
 * when facts are off. 9/10 set the finish (earliest wins); 5 opens a supplement pause (counted
 * once however many 5s follow); any other status closes an open pause, adding its length.
 */
export const eventFactsCte = (p: number) => `,
  f AS (
    UPDATE dossier_facts SET
      event_finished_at = CASE WHEN $${p}::int IN (9, 10) THEN LEAST(event_finished_at, $5::timestamptz) ELSE event_finished_at END,
      pause_count = pause_count + CASE WHEN $${p}::int = 5 AND pause_open_at IS NULL THEN 1 ELSE 0 END,
      pause_seconds = pause_seconds + CASE WHEN $${p}::int <> 5 AND pause_open_at IS NOT NULL
        THEN GREATEST(0, EXTRACT(EPOCH FROM $5::timestamptz - pause_open_at)) ELSE 0 END,
      pause_open_at = CASE WHEN $${p}::int = 5 THEN COALESCE(pause_open_at, $5::timestamptz) ELSE NULL END
    WHERE code = $1 AND $${p}::int IS NOT NULL AND EXISTS (SELECT 1 FROM d)
    RETURNING code, finished_at IS NOT NULL AS counted)${dirtyCte('counted')}`

/** After `d` (delivery's dossier rows, with `code`): `known` (a parameter or `true`) says the portal now knows the dossier. */
export const syncedFactsCte = (known: string) => `,
  f AS (UPDATE dossier_facts SET synced = true WHERE code IN (SELECT code FROM d) AND ${known}::boolean AND NOT synced RETURNING code)${dirtyCte()}`
