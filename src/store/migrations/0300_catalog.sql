-- Catalog sync (issue 5): national procedures, agencies and fields, versioned, with
-- resumable runs and a change feed. Plain PostgreSQL (no extensions) so the same file
-- runs on PGlite. Procedure codes are the national codes (e.g. '1.003560').

-- One sync run. At most one run is pending/running at a time (index below), across
-- all processes; a crashed run stays 'running' and is resumed, not restarted.
CREATE TABLE catalog_runs (
  id           bigserial PRIMARY KEY,
  trigger      text        NOT NULL,                -- 'schedule' | 'manual' | …
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  state        text        NOT NULL DEFAULT 'running'
               CHECK (state IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  -- {listed, fetched, failed, added, changed, unchanged, removed, upstreamCalls, …}
  counts       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  error        text,
  -- {total, done, failed, phase}: shown while running
  progress     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- The coordinator's lease (the run lock): renewed while it works; an expired lease
  -- on a running run means its process died, and the next coordinator takes over.
  lease_owner  text,
  lease_until  timestamptz
);
CREATE UNIQUE INDEX catalog_runs_one_active ON catalog_runs ((true)) WHERE state IN ('pending', 'running');
CREATE INDEX catalog_runs_started ON catalog_runs (started_at DESC);

-- The run's work list, written once from LayDanhSachTTHC: resuming takes the items not
-- yet 'fetched', so no procedure is fetched twice needlessly and none is skipped.
CREATE TABLE catalog_run_items (
  run_id          bigint      NOT NULL REFERENCES catalog_runs (id) ON DELETE CASCADE,
  procedure_code  text        NOT NULL,
  state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fetched', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text,
  -- what applying the fetched record did, for the run's counts
  outcome         text        CHECK (outcome IN ('added', 'changed', 'unchanged')),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, procedure_code)
);
CREATE INDEX catalog_run_items_state ON catalog_run_items (run_id, state);

-- Current version of each procedure (withdrawn ones kept, with withdrawn_at set).
CREATE TABLE catalog_procedures (
  code              text        PRIMARY KEY,
  hash              text        NOT NULL,            -- canonicalHash(data)
  version           integer     NOT NULL DEFAULT 1,
  data              jsonb       NOT NULL,            -- the normalized Procedure
  name              text        NOT NULL,
  name_folded       text        NOT NULL,            -- foldVietnamese(name)
  search_tokens     text[]      NOT NULL DEFAULT '{}', -- searchTokens(name + keywords)
  agency_code       text,                            -- publishing agency (MACOQUANCONGBO)
  agency_codes      text[]      NOT NULL DEFAULT '{}', -- every agency named, any role
  field_codes       text[]      NOT NULL DEFAULT '{}',
  levels            text[]      NOT NULL DEFAULT '{}', -- CAPTHUCHIEN codes
  status            text,
  first_seen_run    bigint      REFERENCES catalog_runs (id),
  last_changed_run  bigint      REFERENCES catalog_runs (id),
  last_seen_run     bigint      REFERENCES catalog_runs (id),
  withdrawn_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- text_pattern_ops serves prefix LIKE 'giay phep%'; infix search uses search_tokens.
CREATE INDEX catalog_procedures_name_folded ON catalog_procedures (name_folded text_pattern_ops);
CREATE INDEX catalog_procedures_tokens ON catalog_procedures USING gin (search_tokens);
CREATE INDEX catalog_procedures_agency ON catalog_procedures (agency_code);
CREATE INDEX catalog_procedures_agencies ON catalog_procedures USING gin (agency_codes);
CREATE INDEX catalog_procedures_fields ON catalog_procedures USING gin (field_codes);
CREATE INDEX catalog_procedures_levels ON catalog_procedures USING gin (levels);
CREATE INDEX catalog_procedures_active ON catalog_procedures (code) WHERE withdrawn_at IS NULL;

-- Every stored version (version 1 = first seen); the current one is also in catalog_procedures.
CREATE TABLE catalog_procedure_versions (
  procedure_code  text        NOT NULL,
  version         integer     NOT NULL,
  hash            text        NOT NULL,
  data            jsonb       NOT NULL,
  run_id          bigint      REFERENCES catalog_runs (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (procedure_code, version)
);
CREATE INDEX catalog_procedure_versions_run ON catalog_procedure_versions (run_id);

CREATE TABLE catalog_agencies (
  code            text        PRIMARY KEY,           -- NNN.NN.NN.Xnn
  name            text        NOT NULL,
  name_folded     text        NOT NULL,
  level           text,                              -- CAPDONVI
  hash            text,
  last_seen_run   bigint      REFERENCES catalog_runs (id),
  withdrawn_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_agencies_name_folded ON catalog_agencies (name_folded text_pattern_ops);

CREATE TABLE catalog_fields (
  code            text        PRIMARY KEY,
  name            text        NOT NULL,
  name_folded     text        NOT NULL,
  sector_code     text,                              -- MANGANH
  hash            text,
  last_seen_run   bigint      REFERENCES catalog_runs (id),
  withdrawn_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The change feed: `id` is the cursor (GET /v1/catalog/changes?since=<id>). One row per
-- procedure per run (the unique key makes a resumed run's re-apply idempotent).
CREATE TABLE catalog_changes (
  id              bigserial   PRIMARY KEY,
  run_id          bigint      NOT NULL REFERENCES catalog_runs (id),
  procedure_code  text        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('added', 'changed', 'removed')),
  version         integer,                           -- catalog_procedure_versions.version after the change
  changes         jsonb       NOT NULL DEFAULT '[]'::jsonb, -- FieldChange[] (diffProcedures)
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, procedure_code)
);
CREATE INDEX catalog_changes_procedure ON catalog_changes (procedure_code, id);
