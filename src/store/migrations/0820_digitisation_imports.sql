-- Backlog digitisation (issue 17): bulk imports of previously issued results, a folder of PDFs
-- with a manifest (src/services/digitisation/import/). Plain PostgreSQL (13+) that also runs on PGlite.
CREATE TABLE digitisation_imports (
  id           text PRIMARY KEY,
  -- The folder as given (an operator path, never personal data).
  source       text NOT NULL,
  state        text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
  rows_total   integer NOT NULL DEFAULT 0,
  stored       integer NOT NULL DEFAULT 0,
  already      integer NOT NULL DEFAULT 0,
  blocked      integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  -- Declared inventories given with this import (inventory.csv in the folder), else the configured file's.
  inventory    jsonb,
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);

-- One row per manifest row of an import and its outcome (stored, already, blocked, error).
CREATE TABLE digitisation_import_rows (
  import_id     text NOT NULL REFERENCES digitisation_imports (id) ON DELETE CASCADE,
  row_no        integer NOT NULL,
  document_id   text,
  agency_code   text,
  outcome       text NOT NULL CHECK (outcome IN ('stored', 'already', 'blocked', 'error')),
  rule          text,
  field         text,
  message       text,
  PRIMARY KEY (import_id, row_no)
);

-- Every document the backlog import brought in, once (documentId is the intake's idempotency key;
-- the file hash catches the same PDF under another id): the per-agency progress counts these.
CREATE TABLE digitisation_imported (
  document_id   text PRIMARY KEY,
  warehouse_id  uuid NOT NULL REFERENCES warehouse_documents (id) ON DELETE CASCADE,
  agency_code   text NOT NULL,
  pages         integer NOT NULL CHECK (pages > 0),
  file_sha256   text NOT NULL,
  signed        boolean NOT NULL,
  import_id     text NOT NULL,
  imported_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX digitisation_imported_agency_idx ON digitisation_imported (agency_code);
CREATE INDEX digitisation_imported_sha_idx ON digitisation_imported (file_sha256);
