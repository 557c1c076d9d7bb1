-- Signature policy (issue 17): what the policy decided for each stored file, and the evidence of the check.
-- Plain PostgreSQL (13+) that also runs on PGlite.

-- pass: stored, pushed and offered for reuse; warn: the same, flagged; blocked: stored with its outcome only
-- (never pushed to the national warehouse, never returned by the reuse query). Rows from before: pass.
ALTER TABLE warehouse_documents ADD COLUMN signature_decision text NOT NULL DEFAULT 'pass'
  CHECK (signature_decision IN ('pass', 'warn', 'blocked'));
-- The policy mode applied (require | warn | accept) and why the decision is not pass (e.g. {invalid:signer_revoked}).
ALTER TABLE warehouse_documents ADD COLUMN signature_policy text CHECK (signature_policy IN ('require', 'warn', 'accept'));
ALTER TABLE warehouse_documents ADD COLUMN signature_reasons text[] NOT NULL DEFAULT '{}';
-- The evidence: chain (subjects, serials, SHA-256), algorithms, the OCSP response or the CRL number and
-- thisUpdate used, warnings, the check time (signature_checked_at holds it too).
ALTER TABLE warehouse_documents ADD COLUMN signature_evidence jsonb;

-- Blocked documents are few; operators list them per agency.
CREATE INDEX warehouse_documents_signature_blocked_idx
  ON warehouse_documents (agency_code, created_at) WHERE signature_decision = 'blocked';
