-- Renkei schema, migration 9: sweep jobs on a case and the sightings they record
-- (lib/model/sweep-job.c, docs/sweep.md "In Renkei"). A job sweeps uploaded (or named) log files
-- against indicators and records every hit as a sighting of an observable in that case.
--
-- status: uploading (files being added over HTTP) -> queued -> running -> done | failed |
-- cancelled. A job found "running" when the store opens was cut off by a crash or kill -9 and is
-- marked failed with error "interrupted", never left running.
CREATE TABLE sweep_jobs (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN
                      ('uploading', 'queued', 'running', 'done', 'failed', 'cancelled')),
    source        TEXT NOT NULL,            -- 'store' (the store's indicators) or 'files'
    bytes_total   INTEGER NOT NULL DEFAULT 0, -- input bytes on disk (compressed as uploaded)
    bytes_done    INTEGER NOT NULL DEFAULT 0, -- input bytes on disk read so far
    bytes_scanned INTEGER NOT NULL DEFAULT 0, -- bytes swept (after decompression)
    lines         INTEGER NOT NULL DEFAULT 0,
    hits          INTEGER NOT NULL DEFAULT 0,
    files         INTEGER NOT NULL DEFAULT 0,
    files_skipped INTEGER NOT NULL DEFAULT 0,
    files_damaged INTEGER NOT NULL DEFAULT 0,
    skipped       TEXT NOT NULL DEFAULT '[]', -- JSON [{"file","reason"}] of skipped/damaged files
    indicators    INTEGER NOT NULL DEFAULT 0,  -- indicators in the index the job used
    seconds       REAL NOT NULL DEFAULT 0,     -- wall-clock time of the sweep so far
    cancel        INTEGER NOT NULL DEFAULT 0,  -- set by a cancel request; the runner stops
    error         TEXT,
    started_at    TEXT,
    finished_at   TEXT
);
CREATE INDEX sweep_jobs_case ON sweep_jobs (case_id, created_at);
CREATE INDEX sweep_jobs_status ON sweep_jobs (status, created_at);

-- The files of a job: logs to sweep, indicator files (kind 'indicators') compiled for it, or
-- a compiled sweep index (kind 'index', named by the CLI's --index).
CREATE TABLE sweep_job_files (
    job_id  TEXT NOT NULL REFERENCES sweep_jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('log', 'indicators', 'index')),
    name    TEXT NOT NULL,  -- the name the uploader gave (or the path the CLI was given)
    path    TEXT NOT NULL,  -- where it lies on disk
    bytes   INTEGER NOT NULL,
    sha256  TEXT,           -- of the bytes as uploaded (NULL for files the CLI named)
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- One row per (observable, case, host, file, line): sweeping the same log twice counts the
-- second sighting (count, last_seen) instead of adding a row. `host` is the source/client host
-- of the log line ('' when none was recognised, so that the unique key holds); `event_time` the
-- time parsed from the line (RFC 3339 UTC) or NULL.
CREATE TABLE sightings (
    id            INTEGER PRIMARY KEY,
    observable_id TEXT NOT NULL REFERENCES observables (id),
    case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    job_id        TEXT NOT NULL REFERENCES sweep_jobs (id) ON DELETE CASCADE,
    file          TEXT NOT NULL,
    line          INTEGER NOT NULL,
    offset        INTEGER NOT NULL,
    host          TEXT NOT NULL DEFAULT '',
    event_time    TEXT,
    token         TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    count         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (observable_id, case_id, host, file, line)
);
CREATE INDEX sightings_case_time ON sightings (case_id, event_time);
CREATE INDEX sightings_case_host ON sightings (case_id, host);
