-- Renkei schema, migration 2: a covering index for the need-to-know filter of report lists.
-- A list counts every report the caller may see (lib/share/access.c) and pages through them by
-- received_at. Both only need these columns; without the index each count reads every report
-- row, narratives included.
CREATE INDEX reports_access ON reports (received_at, tlp, scope, unit_id, created_by, category,
                                        status);
