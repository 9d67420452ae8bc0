-- Renkei schema, migration 12: requests for access to what a caller may not read, and the grants
-- that answer them (lib/model/access-request.c; docs/access.md "Asking for access").
--
-- A request never names the hidden object: it names its context (the report, case or
-- observable the requester was working on), the unit that holds the
-- restricted objects and their kind. The objects it concerns are worked out when the request is
-- made (those of that kind, held by that unit, related to the context and unreadable by the
-- requester) and kept in access_request_objects, so the holding unit decides on exactly those;
-- the requester is never shown that table.
CREATE TABLE access_requests (
    id              TEXT PRIMARY KEY,
    requester_id    TEXT NOT NULL REFERENCES users(id),
    requester_unit  TEXT NOT NULL REFERENCES units(id),
    context_kind    TEXT NOT NULL CHECK (context_kind IN ('report', 'case', 'observable')),
    context_id      TEXT NOT NULL,   -- the report, case or observable the requester works on
    target_unit     TEXT NOT NULL REFERENCES units(id),
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('report', 'case')),
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                        ('pending', 'granted', 'partly_granted', 'refused', 'withdrawn')),
    created_at      TEXT NOT NULL,
    decided_by      TEXT REFERENCES users(id),
    decided_at      TEXT,
    decision_note   TEXT
);
CREATE INDEX access_requests_in ON access_requests (target_unit, status, created_at);
CREATE INDEX access_requests_out ON access_requests (requester_id, created_at);

CREATE TABLE access_request_objects (
    request_id  TEXT NOT NULL REFERENCES access_requests(id),
    object_kind TEXT NOT NULL CHECK (object_kind IN ('report', 'case')),
    object_id   TEXT NOT NULL,
    PRIMARY KEY (request_id, object_kind, object_id)
);

-- A grant makes its grantee a named person on the object (lib/share/access.c) until expires_at
-- (RFC 3339 UTC, compared as text; NULL: no expiry).
CREATE TABLE access_grants (
    id          TEXT PRIMARY KEY,
    object_kind TEXT NOT NULL CHECK (object_kind IN ('report', 'case')),
    object_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id),
    granted_by  TEXT NOT NULL REFERENCES users(id),
    request_id  TEXT REFERENCES access_requests(id),
    granted_at  TEXT NOT NULL,
    expires_at  TEXT
);
CREATE INDEX access_grants_object ON access_grants (object_kind, object_id, user_id);
CREATE INDEX access_grants_user ON access_grants (user_id, object_kind);
