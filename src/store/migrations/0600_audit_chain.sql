-- Tamper-evident audit log (issue 11); see docs/audit.md.
--
-- audit_log becomes APPEND-ONLY: UPDATE, DELETE and TRUNCATE are refused by the triggers below.
-- The one exception is the retention archiver: inside its own transaction it sets the session
-- variable lgsp.audit_archiver to 'on' (set_config(..., true), transaction-local) and deletes rows
-- it has just exported, with their signed checkpoint, to the archive store and recorded in
-- audit_archive. Anyone able to set that variable can delete rows too: such a deletion is not
-- hidden, `lgsp-hub audit verify` reports any chain position that is neither online nor archived.
--
-- Each chained row carries its chain position (seq, from 0, no gaps), the hash of the previous
-- row (prev_hash) and the SHA-256 of its own canonical content (hash). Rows written before this
-- migration keep seq NULL; their highest id is kept in audit_head.legacy_max_id so that a later
-- row without a chain position is reported as inserted.
ALTER TABLE audit_log ADD COLUMN seq bigint;
ALTER TABLE audit_log ADD COLUMN prev_hash text;
ALTER TABLE audit_log ADD COLUMN hash text;
CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);

-- The chain head, one row: every append locks it (SELECT … FOR UPDATE) in the appending
-- transaction, so several API processes extend one chain without forks. `compact` holds the
-- roots of the perfect Merkle subtrees of the log (RFC 6962), so a checkpoint needs no re-read.
CREATE TABLE audit_head (
  singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  size            bigint NOT NULL DEFAULT 0,
  head_hash       text NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
  compact         jsonb NOT NULL DEFAULT '[]',
  checkpoint_size bigint NOT NULL DEFAULT 0,
  legacy_max_id   bigint NOT NULL
);
INSERT INTO audit_head (legacy_max_id) SELECT COALESCE(max(id), 0) FROM audit_log;

-- Signed checkpoints (append-only): the signature covers the canonical JSON of
-- {v, type, treeSize, rootHash, headHash, at, keyId} (src/audit/evidence/canonical.ts).
CREATE TABLE audit_checkpoint (
  id          bigserial PRIMARY KEY,
  tree_size   bigint NOT NULL UNIQUE,
  root_hash   text NOT NULL,
  head_hash   text NOT NULL,
  at          timestamptz NOT NULL,
  key_id      text NOT NULL,
  signature   text NOT NULL
);

-- Archived segments (append-only): chain positions [from_seq, to_seq) exported as JSON lines
-- with the checkpoint of size to_seq, stored by SHA-256 in the archive store.
CREATE TABLE audit_archive (
  id           bigserial PRIMARY KEY,
  from_seq     bigint NOT NULL UNIQUE,
  to_seq       bigint NOT NULL,
  blob_sha256  text NOT NULL,
  archived_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log' AND current_setting('lgsp.audit_archiver', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON audit_archive FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_append_only();
