-- Renkei schema, migration 11: the correlation index persisted (lib/model/correlate-service.c,
-- docs/correlation.md "In the store"). Values and postings, never pairs: a value held by k
-- objects costs k postings, not k*(k-1)/2 links. Derived values (host, registrable domain,
-- e-mail domain, /24 and /16 networks) are values like any other, held with their relation.
-- The tables are a derived copy of reports, cases and observables: `renkei correlate
-- --rebuild` recomputes them, and nothing else reads them as the truth.

-- One row per object that holds values: a report or a case (later sightings and sources).
-- `sig` is the narrative MinHash signature (64 little-endian 32-bit minima), NULL when the
-- object has no narrative; the text itself is not copied here.
CREATE TABLE corr_object (
    obj       INTEGER PRIMARY KEY,
    kind      INTEGER NOT NULL,   -- enum rk_corr_kind: 1 report, 2 case, 3 sighting, 4 source
    object_id TEXT NOT NULL,      -- the report's or case's id (UUID)
    unit_id   TEXT NOT NULL,      -- owning unit (shown for restricted objects)
    sig       BLOB,
    UNIQUE (kind, object_id)
);

-- One row per distinct (type, canonical value), derived ones included.
CREATE TABLE corr_value (
    value_id INTEGER PRIMARY KEY,
    type     TEXT NOT NULL,
    value    TEXT NOT NULL,
    UNIQUE (type, value)
);

-- One row per (object, value): who holds what, and how (enum rk_corr_rel: 0 same, 1 host,
-- 2 registrable-domain, 3 email-domain, 4 network, 5 wide-network, 6 given).
CREATE TABLE corr_posting (
    obj      INTEGER NOT NULL,
    value_id INTEGER NOT NULL,
    rel      INTEGER NOT NULL,
    PRIMARY KEY (obj, value_id)
) WITHOUT ROWID;
-- "Where else is this value?" in SQL: one range scan of this index.
CREATE INDEX corr_posting_value ON corr_posting (value_id);

-- Where the tables stand. `complete` 1: they hold every report and case as of audit sequence
-- `audit_seq` and rowids `report_rowid`/`case_rowid`, so a start-up loads them and applies
-- only later writes. `rebuilding` 1: `renkei correlate --rebuild` is under way (or was killed);
-- it resumes after `rebuild_report_rowid`/`rebuild_case_rowid`, each batch of objects being
-- committed with its cursor. `generation` counts rebuilds (value ids change with each).
CREATE TABLE corr_state (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO corr_state (name, value) VALUES
    ('complete', 0), ('audit_seq', 0), ('report_rowid', 0), ('case_rowid', 0),
    ('rebuilding', 0), ('rebuild_audit_seq', 0), ('rebuild_report_rowid', 0),
    ('rebuild_case_rowid', 0), ('generation', 0);
