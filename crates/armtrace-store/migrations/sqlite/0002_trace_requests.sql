-- Trace requests: the request document as JSON, with the columns lists and filters need.
CREATE TABLE trace_requests (
    id          INTEGER PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL,
    addressee   TEXT NOT NULL,
    created_on  TEXT NOT NULL,
    due_on      TEXT,
    document    TEXT NOT NULL,           -- the TraceRequest as JSON
    revision    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
