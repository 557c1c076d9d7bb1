-- Indicator rollup (issue 14, docs/indicators.md "Rollup"): per Vietnam month, agency path and
-- procedure, the counts of the received and of the finished dossiers that every ratio of the
-- received / finished populations needs, so that a summary over whole months sums a few rows
-- instead of scanning a year of facts. Intake never writes here (a shared row per intake would
-- serialise concurrent intakes): a facts row is marked dirty by the statements that change it,
-- remembers what it last contributed (r_*), and a periodic fold moves the difference into the
-- rollup. A summary adds the dirty rows' correction, so it is exact before a fold as well.
CREATE TABLE indicator_rollup (
  month            date NOT NULL,                   -- first day of the month in Asia/Ho_Chi_Minh
  agency_path      text COLLATE "C" NOT NULL,
  procedure_code   text NOT NULL,
  received         bigint NOT NULL,                 -- dossiers received in the month
  received_counts  bigint[] NOT NULL,               -- of those, per condition of the received population (src/services/indicators/rollup)
  finished         bigint NOT NULL,                 -- dossiers finished in the month
  finished_counts  bigint[] NOT NULL,               -- of those, per condition of the finished population
  finished_seconds numeric NOT NULL,                -- their processing seconds (receipt to finish), exact
  PRIMARY KEY (month, agency_path, procedure_code)
);

-- One row: the fingerprint of the conditions the counts were folded with (positions of the
-- arrays above) and whether a fold has drained the dirty rows once since (the rollup is used then).
CREATE TABLE indicator_rollup_state (
  id    boolean PRIMARY KEY DEFAULT true CHECK (id),
  defs  text NOT NULL,
  ready boolean NOT NULL
);
INSERT INTO indicator_rollup_state (defs, ready) VALUES ('', false);

-- What a facts row last contributed to the rollup (NULL months: nothing), and whether it changed since.
ALTER TABLE dossier_facts
  ADD COLUMN dirty boolean NOT NULL DEFAULT true,
  ADD COLUMN r_rmonth date,
  ADD COLUMN r_fmonth date,
  ADD COLUMN r_path text COLLATE "C",
  ADD COLUMN r_procedure text,
  ADD COLUMN r_rbits integer,
  ADD COLUMN r_fbits integer,
  ADD COLUMN r_seconds numeric;
CREATE INDEX dossier_facts_dirty_idx ON dossier_facts (code) WHERE dirty;
