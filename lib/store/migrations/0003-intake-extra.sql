-- Renkei schema, migration 3: the rest of the intake fields of DOMAIN.md §7 — when the victim
-- recognised the incident (認知), the ransomware block (§3: size, intrusion route, demand,
-- backups, recovery, cost), crypto-asset details, attachments with their SHA-256, and the
-- 警察庁報告済 flag. Structured blocks are JSON validated by lib/model/report.c.
ALTER TABLE reports ADD COLUMN recognised_at TEXT;
ALTER TABLE reports ADD COLUMN ransomware TEXT;
ALTER TABLE reports ADD COLUMN crypto TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN npa_reported INTEGER NOT NULL DEFAULT 0;
