-- Renkei schema, migration 7: the cyber-patrol review queue (lib/model/patrol-service.c). One row
-- per finding of the patrol engine (engines/patrol) on a submitted post: the post as given, the
-- category the engine scored, its evidence spans (JSON [{"start","end"}], byte offsets into
-- `text`) and rule ids (JSON array), and the analyst's decision once made. A finding is decided
-- once; `decision` NULL means it is still open.
CREATE TABLE patrol_findings (
    id             TEXT PRIMARY KEY,
    source_url     TEXT,
    post_id        TEXT,
    posted_at      TEXT,
    text           TEXT NOT NULL,
    category       TEXT NOT NULL,
    category_label TEXT NOT NULL,
    score          REAL NOT NULL,
    spans          TEXT NOT NULL,
    rule_ids       TEXT NOT NULL,
    unit_id        TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    decision       TEXT CHECK (decision IS NULL OR decision IN
                       ('deletion_request', 'case_review', 'warning_post', 'not_applicable')),
    decided_by     TEXT,
    decided_at     TEXT,
    comment        TEXT
);
CREATE INDEX patrol_findings_queue ON patrol_findings (decision, score DESC, created_at);
