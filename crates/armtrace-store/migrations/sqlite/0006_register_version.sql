-- A counter bumped by every write that changes items or transfers (imports), in the
-- write's own transaction. A server compares it with the version its in-memory search
-- index and statistics columns were built from, so several servers sharing one
-- register each notice the others' writes (see armtrace_store::changes).
CREATE TABLE register_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO register_version (id, version) VALUES (1, 0);
