-- Dossier <-> warehouse links (issue 17): which warehouse document stands behind a dossier's
-- component (digitised or reused) or result. Plain PostgreSQL (13+) that also runs on PGlite.
-- Rebuilt per dossier from its snapshot and the warehouse (src/services/digitisation/repository.ts):
-- the rows are derived data, never the system of record.
CREATE TABLE dossier_document_links (
  dossier_code   text NOT NULL,
  -- component: documents[i] of the dossier (item_id = its id); result: results[i] (item_id = its id).
  item_kind      text NOT NULL CHECK (item_kind IN ('component', 'result')),
  item_id        text NOT NULL,
  document_id    uuid NOT NULL REFERENCES warehouse_documents (id) ON DELETE CASCADE,
  -- How the link was found: usage (a recorded reuse, POST .../usages), code (owner + document/result code),
  -- dossier (the warehouse document names this dossier).
  matched_by     text NOT NULL CHECK (matched_by IN ('usage', 'code', 'dossier')),
  linked_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_code, item_kind, item_id, document_id)
);
CREATE INDEX dossier_document_links_document_idx ON dossier_document_links (document_id);

-- Gaps report: dossiers per agency and status without a full scan of the ledger.
CREATE INDEX dossiers_agency_status_idx ON dossiers (agency_code, current_status);
-- Connected national databases of a dossier: its lookups' audit rows by purpose.
CREATE INDEX digitisation_audit_purpose_idx ON audit_log (purpose) WHERE purpose IS NOT NULL;
