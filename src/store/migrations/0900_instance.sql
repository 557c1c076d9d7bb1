-- Issue 16: an identity of this database, random and created once, so that queue job ids
-- derived from serial numbers (catalog run 1, 2, …) never collide with jobs an earlier
-- database (wiped ./data, restored dump) left in a Redis that was kept.
CREATE TABLE hub_instance (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  instance_id uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO hub_instance DEFAULT VALUES;
