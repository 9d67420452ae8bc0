-- Renkei schema, migration 4: the station's view of report lists. A station officer's list
-- filters on the receiving unit first; make that index carry the access columns too, so that
-- counting a station's reports never reads report rows (whose later columns sit behind the
-- narrative's overflow pages).
DROP INDEX reports_unit;
CREATE INDEX reports_unit_access ON reports (unit_id, received_at, tlp, scope, created_by,
                                             category, status);
