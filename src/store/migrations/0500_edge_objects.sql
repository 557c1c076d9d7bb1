-- Issue 9 (edge hardening): idempotency keys scoped per client, and a hash of the first body
-- so a key reused with a different body is refused (409) instead of silently dropped.
-- Existing rows keep their data; their hash stays NULL ("matches any body", see docs).

-- Dossier events: the key is (client, eventId); two clients may use the same eventId values.
ALTER TABLE dossier_events ADD COLUMN body_sha256 text CHECK (body_sha256 ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX dossier_events_client_event_id_idx ON dossier_events (client_id, event_id);
DROP INDEX dossier_events_event_id_idx;

-- Local warehouse documents: documentId stays unique hub-wide (it is the national Ma), but
-- only the client that stored it gets its replay; NULL client_id = stored before this migration.
ALTER TABLE warehouse_documents ADD COLUMN client_id text;
ALTER TABLE warehouse_documents ADD COLUMN body_sha256 text CHECK (body_sha256 ~ '^[0-9a-f]{64}$');
