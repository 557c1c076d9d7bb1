-- Indicator reports (issue 14): one row per generated file. The file itself is a
-- content-addressed blob (REPORTS_BLOB_DIR); a new generation of the same period, agency and
-- format replaces the row (the latest wins: late events change the numbers).
CREATE TABLE indicator_reports (
  id            bigserial PRIMARY KEY,
  period        text NOT NULL,            -- 2026-11 (month) or 2026-Q4 (quarter)
  period_from   date NOT NULL,            -- first day, Asia/Ho_Chi_Minh (inclusive)
  period_to     date NOT NULL,            -- day after the period (exclusive)
  agency_code   text NOT NULL DEFAULT '', -- '' : the whole province
  format        text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  blob_sha256   text NOT NULL,
  size          bigint NOT NULL,
  trigger       text NOT NULL,            -- schedule | operator
  generated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX indicator_reports_key_idx ON indicator_reports (period, agency_code, format);
CREATE INDEX indicator_reports_generated_idx ON indicator_reports (generated_at DESC);

-- Portal spot-checks: each run samples synced dossiers and asks DVCQG (TraCuuHoSo) about them.
CREATE TABLE portal_check_runs (
  id           bigserial PRIMARY KEY,
  trigger      text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE TABLE portal_checks (
  id              bigserial PRIMARY KEY,
  run_id          bigint NOT NULL REFERENCES portal_check_runs (id),
  dossier_code    text NOT NULL,
  agency_code     text NOT NULL,
  delivered_seq   integer NOT NULL,
  expected_status smallint,               -- DVCQG TrangThaiHoSo of the last status the hub delivered
  portal_status   smallint,               -- what TraCuuHoSo answered (null: not found or unreadable)
  outcome         text NOT NULL CHECK (outcome IN ('confirmed', 'missing', 'status_differs', 'error')),
  confirmed       boolean NOT NULL,
  reason          text,
  checked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_checks_run_idx ON portal_checks (run_id, confirmed);
