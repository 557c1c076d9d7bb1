-- Issue 12: document exchange through the national axis (VDXP, edXML QCVN 102:2016).

-- The axis's agency list, synced like the catalog; recipients are checked against it at the edge.
CREATE TABLE vdxp_agencies (
  organ_id text PRIMARY KEY,
  name text NOT NULL,
  parent_id text,
  -- false: locked at the axis (it cannot receive, error 23)
  active boolean NOT NULL DEFAULT true,
  synced_at timestamptz NOT NULL DEFAULT now()
);

-- Every document the hub sent (direction 'out') or received (direction 'in').
-- agency: the hub's agency (sender of 'out', receiver of 'in'); peer: the other side
-- (sender of 'in'; first receiver of 'out', all of them in receivers).
CREATE TABLE documents (
  id uuid PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('out', 'in')),
  agency text NOT NULL,
  peer text NOT NULL,
  receivers jsonb NOT NULL DEFAULT '[]',
  business_type text NOT NULL DEFAULT 'new' CHECK (business_type IN ('new', 'revoke', 'update', 'replace')),
  edxml_document_id text NOT NULL,
  code text,
  subject text,
  meta jsonb NOT NULL DEFAULT '{}',
  -- out: pending | sent | parked; in: received | revoked | updated | replaced
  state text NOT NULL,
  state_reason text,
  -- The stored document a revoke/update/replace message applies to, and the newer one that changed it.
  related_id uuid REFERENCES documents (id),
  changed_by uuid REFERENCES documents (id),
  axis_doc_id text,
  dedup_key text,
  edxml_sha256 text CHECK (edxml_sha256 ~ '^[0-9a-f]{64}$'),
  signature text,
  client_id text,
  idempotency_key text,
  body_sha256 text CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
  -- Inbox cursor of received documents: assigned under one lock, so cursor order is commit order.
  inbox_seq bigint,
  acked_at timestamptz,
  acked_by text,
  webhook_state text CHECK (webhook_state IN ('pending', 'delivered', 'parked')),
  webhook_attempts integer NOT NULL DEFAULT 0,
  webhook_error text,
  send_lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX documents_client_key_idx ON documents (client_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX documents_in_dedup_idx ON documents (agency, dedup_key) WHERE direction = 'in';
CREATE UNIQUE INDEX documents_inbox_seq_idx ON documents (inbox_seq) WHERE inbox_seq IS NOT NULL;
CREATE INDEX documents_edxml_id_idx ON documents (edxml_document_id, direction);
CREATE INDEX documents_unacked_idx ON documents (created_at) WHERE direction = 'in' AND acked_at IS NULL;
CREATE SEQUENCE documents_inbox_seq;

CREATE TABLE document_attachments (
  document_id uuid NOT NULL REFERENCES documents (id),
  n integer NOT NULL,
  name text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (document_id, n)
);
CREATE INDEX document_attachments_sha_idx ON document_attachments (sha256);

-- Business statuses (01–16) of a document: posted by the province ('out') or received ('in').
CREATE TABLE document_statuses (
  id bigserial PRIMARY KEY,
  document_id uuid NOT NULL REFERENCES documents (id),
  direction text NOT NULL CHECK (direction IN ('out', 'in')),
  code text NOT NULL,
  description text,
  staff jsonb,
  at text NOT NULL,
  dedup_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX document_statuses_dedup_idx ON document_statuses (document_id, direction, dedup_key);

-- The outbox: every message to send to the axis, delivered per document in id order.
CREATE TABLE document_outbox (
  id bigserial PRIMARY KEY,
  document_id uuid NOT NULL REFERENCES documents (id),
  kind text NOT NULL CHECK (kind IN ('document', 'status')),
  status_id bigint REFERENCES document_statuses (id),
  sender text NOT NULL,
  edxml_sha256 text NOT NULL CHECK (edxml_sha256 ~ '^[0-9a-f]{64}$'),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'parked')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  axis_doc_id text,
  hold_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX document_outbox_pending_idx ON document_outbox (document_id, id) WHERE state = 'pending';

-- Every axis message the hub took from a received list, by the axis's id: the dedup of the
-- overlapping poll windows, and the transport acknowledgement owed (acked after the commit).
CREATE TABLE vdxp_received (
  agency text NOT NULL,
  axis_doc_id text NOT NULL,
  message_type text NOT NULL CHECK (message_type IN ('edoc', 'status')),
  outcome text NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'failed')),
  reason text,
  document_id uuid,
  acked boolean NOT NULL DEFAULT false,
  ack_count integer NOT NULL DEFAULT 0,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agency, axis_doc_id)
);

-- Where each agency's received-list polling got to (the next window starts before it).
CREATE TABLE vdxp_poll_state (
  agency text NOT NULL,
  message_type text NOT NULL,
  last_window_start_ms bigint NOT NULL,
  polled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agency, message_type)
);
