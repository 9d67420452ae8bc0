-- Renkei schema, migration 10: confirmed groups (攻撃グループ / 犯行グループ) and actor records
-- (lib/model/group-service.c, docs/correlation.md "Confirmed groups"). Candidate groups are not
-- stored: they are recomputed from the correlation index on every list. What an analyst decides
-- is stored here and never changes by itself when new data arrives.

-- An actor record: the named 攻撃者 / 犯行グループ a group is attributed to.
CREATE TABLE actors (
    id         TEXT PRIMARY KEY,
    name_ja    TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    aliases    TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    notes      TEXT NOT NULL DEFAULT '',
    tlp        TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A confirmed group. `flag_seq` is the audit sequence number at confirmation: only writes after
-- it can flag the group, so what was already known when it was confirmed is not "new".
CREATE TABLE grp_groups (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    aliases      TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    actor_id     TEXT REFERENCES actors (id),
    status       TEXT NOT NULL CHECK (status IN ('confirmed', 'dissolved')),
    merged_into  TEXT,                        -- dissolved by a merge: the group that took it
    tlp          TEXT NOT NULL,
    scope        TEXT NOT NULL,
    flag_seq     INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX grp_groups_status ON grp_groups (status, name);

-- Members: reports and cases, and how each came in.
CREATE TABLE grp_members (
    group_id    TEXT NOT NULL REFERENCES grp_groups (id),
    object_kind TEXT NOT NULL CHECK (object_kind IN ('report', 'case')),
    object_id   TEXT NOT NULL,
    added_how   TEXT NOT NULL CHECK (added_how IN ('candidate', 'manual', 'merge', 'split', 'flag')),
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    PRIMARY KEY (group_id, object_kind, object_id)
) WITHOUT ROWID;
CREATE INDEX grp_members_object ON grp_members (object_kind, object_id);

-- The values that tie a group together, as computed when its membership was last decided
-- (confirmation, merge, split, a member added or removed): kept, not recomputed on reads.
CREATE TABLE grp_ties (
    group_id TEXT NOT NULL REFERENCES grp_groups (id),
    type     TEXT NOT NULL,
    value    TEXT NOT NULL,
    members  INTEGER NOT NULL,
    PRIMARY KEY (group_id, type, value)
) WITHOUT ROWID;

-- A report or case written after the group was confirmed that holds a linking value of one of
-- its members (新たに関連する事案). One flag per object and group; acknowledged once.
CREATE TABLE grp_flags (
    id          TEXT PRIMARY KEY,
    group_id    TEXT NOT NULL REFERENCES grp_groups (id),
    object_kind TEXT NOT NULL CHECK (object_kind IN ('report', 'case')),
    object_id   TEXT NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    audit_seq   INTEGER NOT NULL,             -- the write that raised it
    flagged_at  TEXT NOT NULL,
    acked_by    TEXT,
    acked_at    TEXT,
    ack_action  TEXT CHECK (ack_action IS NULL OR ack_action IN ('acknowledge', 'add')),
    UNIQUE (group_id, object_kind, object_id)
);
CREATE INDEX grp_flags_open ON grp_flags (acked_at, group_id);

-- How far the flagging has read the audit chain (one row).
CREATE TABLE grp_flag_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    flag_seq INTEGER NOT NULL
);
INSERT INTO grp_flag_state (id, flag_seq) VALUES (1, 0);
