-- Renkei schema, migration 8: lookalike review (lib/model/lookalike-service.c, docs/lookalike.md
-- "In Renkei"). One row per lookalike host found by the lookalike engine (engines/lookalike) in
-- a submitted line or a watched feed: the host is the key, so a host seen again updates
-- last_seen and times_seen instead of adding a row. The domain (and the URL when the input was
-- one) are also upserted as observables, linked here so that "seen elsewhere" finds them.
-- A confirmed match gets a takedown record (lookalike_takedowns), a small row that the request
-- tracker can absorb later. lookalike_feeds remembers how far `renkei lookalike --watch` read each
-- feed file; it is written in the same transaction as the matches of those lines.
CREATE TABLE lookalike_matches (
    id               TEXT PRIMARY KEY,
    input            TEXT NOT NULL,              -- the line as first seen (domain or URL)
    host             TEXT NOT NULL UNIQUE,       -- normalised host (Unicode for an IDN)
    registrable      TEXT NOT NULL,
    brand_id         TEXT NOT NULL,
    brand_ja         TEXT NOT NULL,
    brand_en         TEXT NOT NULL,
    sector           TEXT NOT NULL,
    score            INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    reasons          TEXT NOT NULL,              -- JSON [{"kind","score","detail"}]
    source           TEXT NOT NULL,              -- feed file name, or "api"
    domain_obs_id    TEXT REFERENCES observables (id),
    url_obs_id       TEXT REFERENCES observables (id),
    first_seen       TEXT NOT NULL,
    last_seen        TEXT NOT NULL,
    times_seen       INTEGER NOT NULL DEFAULT 1,
    status           TEXT NOT NULL DEFAULT 'new'
                         CHECK (status IN ('new', 'confirmed', 'dismissed')),
    decided_by       TEXT,
    decided_at       TEXT,
    note             TEXT
);
CREATE INDEX lookalike_matches_queue ON lookalike_matches (status, score DESC, last_seen DESC);
CREATE INDEX lookalike_matches_brand ON lookalike_matches (brand_id, status);
CREATE INDEX lookalike_matches_domain_obs ON lookalike_matches (domain_obs_id);
CREATE INDEX lookalike_matches_url_obs ON lookalike_matches (url_obs_id);

CREATE TABLE lookalike_takedowns (
    id           TEXT PRIMARY KEY,
    match_id     TEXT NOT NULL UNIQUE REFERENCES lookalike_matches (id),
    domain       TEXT NOT NULL,                  -- the registrable domain to take down
    brand_id     TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'not_requested'
                     CHECK (status IN ('not_requested', 'requested', 'removed', 'refused')),
    target_org   TEXT,                           -- registrar, host or CDN, free text
    note         TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_by   TEXT,
    updated_at   TEXT
);
CREATE INDEX lookalike_takedowns_status ON lookalike_takedowns (status, created_at);

CREATE TABLE lookalike_feeds (
    feed       TEXT PRIMARY KEY,                 -- the feed file's path as given to --watch
    dev        INTEGER NOT NULL,
    ino        INTEGER NOT NULL,
    offset     INTEGER NOT NULL,                 -- bytes of whole lines already stored
    lines      INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
