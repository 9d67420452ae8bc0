-- Renkei schema, migration 1: org units, users, sessions, API keys, reports, cases,
-- observables, approvals, the audit chain, and the FTS5 (trigram) search indexes.
-- Times are RFC 3339 UTC text ("2026-11-21T23:40:00Z"), which sorts as time does.

CREATE TABLE units (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL CHECK (kind IN ('hq_division', 'station', 'npa', 'partner')),
    parent_id  TEXT REFERENCES units (id),
    created_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    login      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('station', 'analyst', 'supervisor', 'admin',
                                            'partner', 'peer')),
    unit_id    TEXT NOT NULL REFERENCES units (id),
    pw_hash    TEXT NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

-- Only a hash of the session token is stored: a stolen database yields no live session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE apikeys (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Per-year counters for the people-facing reference numbers R2026-000123 / C2026-000045.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    ref            TEXT NOT NULL UNIQUE,
    intake_type    TEXT NOT NULL,
    channel        TEXT NOT NULL,
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    narrative      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    occurred_at    TEXT,
    damage_amount  INTEGER NOT NULL DEFAULT 0 CHECK (damage_amount >= 0),
    urgent         INTEGER NOT NULL DEFAULT 0,
    reporter       TEXT NOT NULL DEFAULT '{}',  -- JSON object (docs/api.md)
    bank_accounts  TEXT NOT NULL DEFAULT '[]',  -- JSON array
    urls           TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    sender         TEXT NOT NULL DEFAULT '',
    sms_text       TEXT NOT NULL DEFAULT '',
    unit_id        TEXT NOT NULL REFERENCES units (id),
    created_by     TEXT NOT NULL,
    status         TEXT NOT NULL,
    tlp            TEXT NOT NULL,
    scope          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX reports_received ON reports (received_at);
CREATE INDEX reports_unit ON reports (unit_id, received_at);
CREATE INDEX reports_category ON reports (category, received_at);
CREATE INDEX reports_status ON reports (status, received_at);

-- Trigram full-text index over the report text (external content: no second copy of the text).
-- Trigrams find any Japanese substring of three characters or more; shorter queries take the
-- path described in docs/data-model.md (a LIKE scan over the filtered candidates).
CREATE VIRTUAL TABLE reports_fts USING fts5 (
    title, narrative, sms_text,
    content = 'reports', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER reports_fts_ai AFTER INSERT ON reports BEGIN
    INSERT INTO reports_fts (rowid, title, narrative, sms_text)
    VALUES (new.rowid, new.title, new.narrative, new.sms_text);
END;
CREATE TRIGGER reports_fts_ad AFTER DELETE ON reports BEGIN
    INSERT INTO reports_fts (reports_fts, rowid, title, narrative, sms_text)
    VALUES ('delete', old.rowid, old.title, old.narrative, old.sms_text);
END;
CREATE TRIGGER reports_fts_au AFTER UPDATE OF title, narrative, sms_text ON reports BEGIN
    INSERT INTO reports_fts (reports_fts, rowid, title, narrative, sms_text)
    VALUES ('delete', old.rowid, old.title, old.narrative, old.sms_text);
    INSERT INTO reports_fts (rowid, title, narrative, sms_text)
    VALUES (new.rowid, new.title, new.narrative, new.sms_text);
END;

CREATE TABLE observables (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    canonical  TEXT NOT NULL,
    display    TEXT,
    value      TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    UNIQUE (type, canonical)
);
CREATE INDEX observables_canonical ON observables (canonical);

CREATE TABLE report_observables (
    report_id     TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    observable_id TEXT NOT NULL REFERENCES observables (id),
    value         TEXT NOT NULL,
    PRIMARY KEY (report_id, observable_id)
) WITHOUT ROWID;
CREATE INDEX report_observables_obs ON report_observables (observable_id);

CREATE TABLE cases (
    id           TEXT PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    category     TEXT,
    status       TEXT NOT NULL,
    tlp          TEXT NOT NULL,
    scope        TEXT NOT NULL,
    lead_unit_id TEXT NOT NULL REFERENCES units (id),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX cases_lead ON cases (lead_unit_id, updated_at);
CREATE INDEX cases_status ON cases (status, updated_at);
CREATE INDEX cases_updated ON cases (updated_at);

CREATE TABLE case_reports (
    case_id   TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    report_id TEXT NOT NULL REFERENCES reports (id),
    PRIMARY KEY (case_id, report_id)
) WITHOUT ROWID;
CREATE INDEX case_reports_report ON case_reports (report_id);

CREATE TABLE case_assignees (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (case_id, user_id)
) WITHOUT ROWID;
CREATE INDEX case_assignees_user ON case_assignees (user_id);

CREATE TABLE case_tasks (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    assignee_id TEXT REFERENCES users (id),
    due         TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id);

CREATE TABLE case_notes (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);

-- Trigram indexes over case titles and summaries, and over case notes (external content).
CREATE VIRTUAL TABLE cases_fts USING fts5 (
    title, summary, content = 'cases', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER cases_fts_ai AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
END;
CREATE TRIGGER cases_fts_ad AFTER DELETE ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, summary)
    VALUES ('delete', old.rowid, old.title, old.summary);
END;
CREATE TRIGGER cases_fts_au AFTER UPDATE OF title, summary ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, title, summary)
    VALUES ('delete', old.rowid, old.title, old.summary);
    INSERT INTO cases_fts (rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
END;
CREATE VIRTUAL TABLE case_notes_fts USING fts5 (
    text, content = 'case_notes', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER case_notes_fts_ai AFTER INSERT ON case_notes BEGIN
    INSERT INTO case_notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER case_notes_fts_ad AFTER DELETE ON case_notes BEGIN
    INSERT INTO case_notes_fts (case_notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;

CREATE TABLE case_observables (
    case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    observable_id TEXT NOT NULL REFERENCES observables (id),
    role          TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (case_id, observable_id)
) WITHOUT ROWID;
CREATE INDEX case_observables_obs ON case_observables (observable_id);

CREATE TABLE case_links (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    other_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    relation TEXT NOT NULL,
    PRIMARY KEY (case_id, other_id)
) WITHOUT ROWID;

-- The timeline of a case: what was done to it (the audit log also records reads).
CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- 起案/決裁: a step that needs a superior waits here until a supervisor decides.
CREATE TABLE approvals (
    id               TEXT PRIMARY KEY,
    object_type      TEXT NOT NULL CHECK (object_type IN ('report', 'case')),
    object_id        TEXT NOT NULL,
    action           TEXT NOT NULL,
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    comment          TEXT NOT NULL DEFAULT '',
    requested_by     TEXT NOT NULL,
    requested_at     TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by       TEXT,
    decided_at       TEXT,
    decision_comment TEXT
);
CREATE INDEX approvals_status ON approvals (status, requested_at);
CREATE INDEX approvals_object ON approvals (object_type, object_id);

-- The audit chain: hash = SHA-256(prev_hash || "\n" || canonical event), see lib/audit.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_login TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_object ON audit (object_type, object_id);
