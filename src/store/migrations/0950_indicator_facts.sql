-- Service-quality indicators (issue 14): one row of facts per dossier, maintained in the
-- same statement as intake (upsert, status event) and delivery (portal_known), so that an
-- indicator query is an aggregate over this table, never a rescan of dossier_events.
-- Definitions: docs/indicators.md.
CREATE TABLE dossier_facts (
  code               text PRIMARY KEY,
  agency_code        text NOT NULL,
  -- The agency code's fields most general first (`000.01.06.H56` -> `H56.06.01.000`): an
  -- agency and its children are one range of this column (src/services/indicators/agency.ts).
  agency_path        text COLLATE "C" NOT NULL,
  procedure_code     text NOT NULL,
  received_at        timestamptz NOT NULL,
  due_at             timestamptz NOT NULL,
  upsert_finished_at timestamptz,          -- the latest upsert's finishedAt
  event_finished_at  timestamptz,          -- the earliest event mapping to TrangThaiHoSo 9 or 10
  finished_at        timestamptz GENERATED ALWAYS AS (LEAST(upsert_finished_at, event_finished_at)) STORED,
  online             boolean NOT NULL,     -- channel = online
  fee                boolean NOT NULL,     -- at least one fee > 0
  paid_online        boolean NOT NULL,
  component          boolean NOT NULL,     -- at least one (not deleted) component
  digitised          boolean NOT NULL,     -- a component digitized
  reused             boolean NOT NULL,     -- a component reused or fromNationalWarehouse
  national_wh        boolean NOT NULL,     -- a component fromNationalWarehouse
  result_digitised   boolean NOT NULL,     -- a result with a url or a resultCode
  vneid              boolean NOT NULL,     -- applicant.vneidVerified
  lookup             boolean NOT NULL DEFAULT false,  -- a national-database lookup made for the dossier (audit purpose)
  synced             boolean NOT NULL DEFAULT false,  -- its create reached DVCQG (dossiers.portal_known)
  pause_count        integer NOT NULL DEFAULT 0,      -- supplement pauses (events mapping to 5)
  pause_seconds      double precision NOT NULL DEFAULT 0,  -- total length of the closed pauses
  pause_open_at      timestamptz                      -- start of a pause still open
);
CREATE INDEX dossier_facts_agency_received_idx ON dossier_facts (agency_path, received_at);
CREATE INDEX dossier_facts_agency_finished_idx ON dossier_facts (agency_path, finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX dossier_facts_received_idx ON dossier_facts (received_at);
CREATE INDEX dossier_facts_finished_idx ON dossier_facts (finished_at) WHERE finished_at IS NOT NULL;
-- Dossiers open at an instant t (received_at < t <= finished_at): the finished ones by the
-- interval (GiST), the unfinished ones by agency and receipt; the due list by due time.
CREATE INDEX dossier_facts_open_idx ON dossier_facts USING gist (
  tstzrange(received_at, CASE WHEN finished_at < received_at THEN received_at ELSE finished_at END, '(]')) WHERE finished_at IS NOT NULL;
CREATE INDEX dossier_facts_unfinished_idx ON dossier_facts (agency_path, received_at) WHERE finished_at IS NULL;
CREATE INDEX dossier_facts_unfinished_due_idx ON dossier_facts (due_at) WHERE finished_at IS NULL;

-- Lookups made for a dossier: the audit log's purpose is the dossier code (src/audit/purpose.ts).
CREATE INDEX audit_log_purpose_idx ON audit_log (purpose) WHERE purpose IS NOT NULL;

-- Dossiers stored before this migration: their facts from the latest snapshot and events.
INSERT INTO dossier_facts (code, agency_code, agency_path, procedure_code, received_at, due_at, upsert_finished_at,
  online, fee, paid_online, component, digitised, reused, national_wh, result_digitised, vneid, synced)
SELECT d.code, d.agency_code,
  split_part(d.agency_code, '.', 4) || '.' || split_part(d.agency_code, '.', 3) || '.' || split_part(d.agency_code, '.', 2) || '.' || split_part(d.agency_code, '.', 1),
  d.procedure_code, (d.snapshot->>'receivedAt')::timestamptz, (d.snapshot->>'dueAt')::timestamptz, (d.snapshot->>'finishedAt')::timestamptz,
  d.snapshot->>'channel' = 'online',
  EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.snapshot->'fees', '[]')) f WHERE (f->>'amount')::numeric > 0),
  COALESCE((d.snapshot->>'paidOnline')::boolean, false),
  EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.snapshot->'documents', '[]')) c WHERE NOT COALESCE((c->>'deleted')::boolean, false)),
  EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.snapshot->'documents', '[]')) c WHERE NOT COALESCE((c->>'deleted')::boolean, false) AND COALESCE((c->>'digitized')::boolean, false)),
  EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.snapshot->'documents', '[]')) c WHERE NOT COALESCE((c->>'deleted')::boolean, false)
    AND (COALESCE((c->>'reused')::boolean, false) OR COALESCE((c->>'fromNationalWarehouse')::boolean, false))),
  EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.snapshot->'documents', '[]')) c WHERE NOT COALESCE((c->>'deleted')::boolean, false) AND COALESCE((c->>'fromNationalWarehouse')::boolean, false)),
  EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(d.snapshot->'results', '[]')) r WHERE r ? 'url' OR r ? 'resultCode'),
  COALESCE((d.snapshot->'applicant'->>'vneidVerified')::boolean, false),
  d.portal_known
FROM dossiers d
WHERE d.snapshot ? 'receivedAt' AND d.snapshot ? 'dueAt';
