-- Warehouse mirror (issue 6): e-documents of citizens and organisations, local and mirrored from DVCQG.
-- Plain PostgreSQL (13+) that also runs on PGlite. File contents live in the blob store, addressed by SHA-256.

-- One row per file-bearing document: a national result with several files gives one row per file
-- (national_ref identifies the file), so each row has exactly one blob and one signature outcome.
CREATE TABLE warehouse_documents (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Owner: the one-stop desk looks documents up by the clear identity number (access is audited).
  owner_id_type        text NOT NULL CHECK (owner_id_type IN ('cccd', 'cmnd', 'tax_code', 'agency_code', 'other')),
  owner_id             text NOT NULL CHECK (owner_id <> ''),
  owner_name           text,
  document_code        text CHECK (char_length(document_code) <= 50),   -- MaGiayTo
  result_code          text,                                             -- MaKetQua
  title                text,                                             -- TenGiayTo
  number               text,                                             -- SoKyHieu
  issuing_agency       text,                                             -- CoQuanBanHanh
  custodian_agency     text,                                             -- CoQuanChuQuan (needed to download)
  issued_on            date,
  valid_until          date,
  permanent            boolean NOT NULL DEFAULT false,
  scope                text,                                             -- PhamViHieuLuc
  summary              text,                                             -- TrichYeuNoiDung
  signer               text,                                             -- NguoiKy
  digitisation_kind    text,                                             -- LoaiSoHoa
  source               text NOT NULL CHECK (source IN ('local', 'national')),
  -- Agency that digitised (local) or mirrored (national) the document: the unit of the statistics.
  agency_code          text,
  procedure_code       text,                                             -- MaTTHC
  field_code           text,                                             -- MaLinhVuc
  dossier_code         text,
  -- File: null until downloaded (mirror) or stored (local).
  blob_sha256          text CHECK (blob_sha256 ~ '^[0-9a-f]{64}$'),
  size                 bigint CHECK (size >= 0),
  content_type         text,
  file_name            text,
  national_file_path   text,                                             -- DuongDan for GetGiayToByUrl
  fetch_state          text NOT NULL DEFAULT 'none'
                       CHECK (fetch_state IN ('none', 'pending', 'stored', 'failed')),
  fetch_attempts       integer NOT NULL DEFAULT 0,
  last_fetch_error     text,
  -- Signature outcome of the stored file (null until checked).
  signature_status     text CHECK (signature_status IN ('valid', 'invalid', 'unsigned', 'untrusted')),
  signature_reason     text,
  signature_signer     text,
  signature_signed_at  timestamptz,
  signature_checked_at timestamptz,
  -- Identity at the national warehouse: the file path for mirrored files, MaGiayToKhoQuocGia once pushed.
  national_ref         text,
  -- The province's own id of a locally digitised document (Ma): intake and upload are idempotent on it.
  local_id             text,
  push_state           text NOT NULL DEFAULT 'none'
                       CHECK (push_state IN ('none', 'pending', 'pushed', 'failed')),
  push_attempts        integer NOT NULL DEFAULT 0,
  pushed_at            timestamptz,
  last_push_error      text,
  push_next_at         timestamptz,                                      -- backoff: not before
  push_lease_until     timestamptz,                                      -- one pusher at a time
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT (permanent AND valid_until IS NOT NULL)),
  CHECK (fetch_state <> 'stored' OR blob_sha256 IS NOT NULL)
);

-- Mirroring is idempotent on the national identity of a file.
CREATE UNIQUE INDEX warehouse_documents_national_ref_uq
  ON warehouse_documents (national_ref) WHERE national_ref IS NOT NULL;
CREATE UNIQUE INDEX warehouse_documents_local_id_uq
  ON warehouse_documents (local_id) WHERE local_id IS NOT NULL;
-- Reuse query: "valid results of this owner for these codes".
CREATE INDEX warehouse_documents_owner_result_idx ON warehouse_documents (owner_id, result_code);
CREATE INDEX warehouse_documents_owner_document_idx ON warehouse_documents (owner_id, document_code);
CREATE INDEX warehouse_documents_valid_until_idx ON warehouse_documents (valid_until);
-- Work lists: files still to download, documents still to push (small partial indexes).
CREATE INDEX warehouse_documents_fetch_todo_idx
  ON warehouse_documents (created_at) WHERE fetch_state IN ('pending', 'failed');
CREATE INDEX warehouse_documents_push_todo_idx
  ON warehouse_documents (created_at) WHERE push_state IN ('pending', 'failed');
-- Statistics per agency and period.
CREATE INDEX warehouse_documents_stats_idx ON warehouse_documents (agency_code, created_at);
CREATE INDEX warehouse_documents_blob_idx ON warehouse_documents (blob_sha256) WHERE blob_sha256 IS NOT NULL;

-- Resumable mirroring, one row per owner: a backfill enqueues owners, workers move them to done.
CREATE TABLE warehouse_mirror_owners (
  owner_id        text PRIMARY KEY CHECK (owner_id <> ''),
  -- Surrogate key: queue jobs carry this reference, never the identity number.
  ref             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  owner_id_type   text NOT NULL CHECK (owner_id_type IN ('cccd', 'cmnd', 'tax_code', 'agency_code', 'other')),
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'running', 'done', 'failed')),
  -- Where to resume (e.g. the results and files already handled); opaque to the database.
  cursor          jsonb,
  backfill_id     text,
  attempts        integer NOT NULL DEFAULT 0,
  documents_seen  integer NOT NULL DEFAULT 0,
  last_error      text,
  last_synced_at  timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warehouse_mirror_owners_state_idx ON warehouse_mirror_owners (state, updated_at);
CREATE INDEX warehouse_mirror_owners_backfill_idx
  ON warehouse_mirror_owners (backfill_id, state) WHERE backfill_id IS NOT NULL;

-- Reuse of a warehouse document in a dossier (replaces a component), for statistics and audit.
CREATE TABLE warehouse_usage (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  document_id     uuid NOT NULL REFERENCES warehouse_documents (id) ON DELETE CASCADE,
  dossier_code    text NOT NULL,
  procedure_code  text,
  component_code  text NOT NULL DEFAULT '',                               -- MaThanhPhanHoSo
  agency_code     text,
  used_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (document_id, dossier_code, component_code)
);
CREATE INDEX warehouse_usage_stats_idx ON warehouse_usage (agency_code, used_at);
CREATE INDEX warehouse_usage_dossier_idx ON warehouse_usage (dossier_code);
