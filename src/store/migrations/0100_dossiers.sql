-- Dossier status sync: the outbox/ledger. Every accepted event is stored here, with a
-- per-dossier sequence number, before the API answers 202.
CREATE TABLE dossiers (
  code            text PRIMARY KEY,
  procedure_code  text NOT NULL,
  agency_code     text NOT NULL,
  snapshot        jsonb NOT NULL,          -- latest normalized dossier (system of record; never in queues)
  current_status  text,                    -- provincial status after the last event
  last_seq        integer NOT NULL,        -- last sequence number assigned
  delivered_seq   integer NOT NULL DEFAULT 0,
  portal_known    boolean NOT NULL DEFAULT false,  -- DVCQG accepted a create
  state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'parked')),
  attempts        integer NOT NULL DEFAULT 0,      -- consecutive failed attempts of the head event
  next_attempt_at timestamptz,
  last_error      text,
  parked_reason   text,
  parked_at       timestamptz,
  lease_token     text,                    -- the worker draining this dossier now
  lease_until     timestamptz,
  touched_at      timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- The reconciler's and the operators' view: dossiers with undelivered events.
CREATE INDEX dossiers_undelivered_idx ON dossiers (touched_at) WHERE delivered_seq < last_seq;
CREATE INDEX dossiers_parked_idx ON dossiers (parked_at) WHERE state = 'parked';

CREATE TABLE dossier_events (
  dossier_code  text NOT NULL REFERENCES dossiers (code),
  seq           integer NOT NULL,
  event_id      text NOT NULL,
  client_id     text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('upsert', 'event')),
  payload       jsonb NOT NULL,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'parked')),
  attempts      integer NOT NULL DEFAULT 0,
  -- 1 once the dossier part of an event (status + step) reached DVCQG: a retry sends only the step.
  parts_done    smallint NOT NULL DEFAULT 0,
  last_error    text,
  accepted_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  PRIMARY KEY (dossier_code, seq)
);
-- The idempotency key: the same eventId again returns the original answer.
CREATE UNIQUE INDEX dossier_events_event_id_idx ON dossier_events (event_id);
CREATE INDEX dossier_events_undelivered_idx ON dossier_events (accepted_at) WHERE state <> 'delivered';

-- Every delivery attempt: what was sent, what the portal said, how long it took.
CREATE TABLE delivery_attempts (
  id              bigserial PRIMARY KEY,
  dossier_code    text NOT NULL,
  first_seq       integer NOT NULL,
  last_seq        integer NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  operation       text NOT NULL,
  outcome         text NOT NULL,      -- delivered | retry | parked
  upstream_status integer,
  error_kind      text,
  message         text,
  latency_ms      integer NOT NULL
);
CREATE INDEX delivery_attempts_dossier_idx ON delivery_attempts (dossier_code, id);
