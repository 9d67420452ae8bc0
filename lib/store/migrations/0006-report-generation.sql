-- Renkei schema, migration 6: a generation number for the reports table, raised by every insert,
-- update and delete of a report (in the same transaction). A report list remembers the total it
-- counted together with the generation it counted at (lib/model/report.c); while the generation
-- is unchanged the set of reports is unchanged, so the remembered total is still exact and the
-- list does not count up to RK_MAX_LIST_COUNT rows through the access filter again.
CREATE TABLE store_generation (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO store_generation (name, value) VALUES ('reports', 0);
CREATE TRIGGER reports_gen_ai AFTER INSERT ON reports BEGIN
    UPDATE store_generation SET value = value + 1 WHERE name = 'reports';
END;
CREATE TRIGGER reports_gen_au AFTER UPDATE ON reports BEGIN
    UPDATE store_generation SET value = value + 1 WHERE name = 'reports';
END;
CREATE TRIGGER reports_gen_ad AFTER DELETE ON reports BEGIN
    UPDATE store_generation SET value = value + 1 WHERE name = 'reports';
END;
