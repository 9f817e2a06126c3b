-- PostgreSQL dialect of migrations/sqlite/0006_register_version.sql.
-- A counter bumped by every write that changes items or transfers (imports), in the
-- write's own transaction, which also sends NOTIFY armtrace_register with the new value:
-- every server sharing the database LISTENs and reloads its in-memory search index and
-- statistics columns (see armtrace_store::changes).
CREATE TABLE register_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO register_version (id, version) VALUES (1, 0);
