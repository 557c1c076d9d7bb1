-- Operator console (issue 15): dossier code prefix search is an index range in byte order.
CREATE INDEX dossiers_code_c_idx ON dossiers (code COLLATE "C");
-- Overview: retrying dossiers (next attempt in the future) and status-sync series.
CREATE INDEX dossiers_retry_wait_idx ON dossiers (next_attempt_at) WHERE state = 'active' AND next_attempt_at IS NOT NULL;
CREATE INDEX dossier_events_accepted_idx ON dossier_events (accepted_at);
CREATE INDEX dossier_events_delivered_at_idx ON dossier_events (delivered_at) WHERE delivered_at IS NOT NULL;
