-- Audit trail of access to personal data and of operator actions.
-- subject_hash is a keyed SHA-256 of the subject's identifier, never the identifier.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  request_id  text,
  client_id   text NOT NULL,
  service     text NOT NULL,
  action      text NOT NULL,
  purpose     text,
  subject_hash text,
  outcome     text NOT NULL,
  status      integer,
  latency_ms  integer,
  detail      jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_client_idx ON audit_log (client_id, at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_hash, at);
