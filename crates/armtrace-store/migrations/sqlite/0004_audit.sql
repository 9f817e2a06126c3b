-- The tamper-evident audit log (issue 6) and content-addressed evidence files.
-- Portable SQL: the PostgreSQL migrations keep the same tables, columns and version numbers.

-- One entry per write (import, trace-request change, evidence file, user change, login).
-- Each entry's hash covers its contents and the previous entry's hash; the rule is in
-- armtrace-core's audit module. armtrace only ever appends here.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,     -- 1, 2, 3, ... without gaps
    at          TEXT NOT NULL,           -- RFC 3339, UTC
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,           -- <thing>.<verb>: import.items, evidence.add, ...
    entity      TEXT,
    entity_ref  TEXT,
    detail      TEXT NOT NULL,           -- canonical JSON (sorted keys, ASCII)
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- The newest entry's number and hash, rewritten with every append: removing entries from
-- the end of the log leaves this pointing past them.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Guards against slips (a tool that updates the wrong table), not against intent: whoever
-- holds the file can drop these, and `armtrace audit verify` catches what they then change.
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Evidence files (photos, documents), stored by the SHA-256 of their bytes under
-- <register>.evidence/sha256/<first 2 hex digits>/<hash>. One row per distinct content.
CREATE TABLE evidence_files (
    sha256      TEXT PRIMARY KEY,        -- 64 lowercase hex digits
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

-- Which item a file documents, under the name it was added with.
CREATE TABLE item_evidence (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items(id),
    sha256     TEXT NOT NULL REFERENCES evidence_files(sha256),
    file_name  TEXT NOT NULL,
    caption    TEXT,
    added_at   TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    UNIQUE (item_id, sha256)
);
CREATE INDEX item_evidence_sha256 ON item_evidence (sha256);
