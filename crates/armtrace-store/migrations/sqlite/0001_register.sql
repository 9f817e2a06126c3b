-- The item register: items, documented transfers, imports and revisions.
-- Portable SQL: the PostgreSQL migrations keep the same tables, columns and version numbers.

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,            -- 'items' or 'transfers'
    source_name   TEXT NOT NULL,            -- file name as given
    source_sha256 TEXT NOT NULL,            -- hash of the imported bytes
    format        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    inserted      INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    unchanged     INTEGER NOT NULL,
    rejected      INTEGER NOT NULL
);

CREATE TABLE items (
    id                     INTEGER PRIMARY KEY,
    ref                    TEXT NOT NULL UNIQUE,
    category               TEXT NOT NULL,
    item_type              TEXT,
    model                  TEXT,
    calibre                TEXT,
    manufacturer           TEXT,
    country_of_manufacture TEXT,
    year_of_manufacture    INTEGER,
    serial_number          TEXT,
    lot_number             TEXT,
    markings               TEXT,
    quantity               INTEGER,
    recovered_on           TEXT,
    recovered_country      TEXT,
    recovered_place        TEXT,
    latitude               REAL,
    longitude              REAL,
    recovered_from         TEXT,
    documented_by          TEXT,
    confidentiality        TEXT NOT NULL,
    notes                  TEXT,
    content_hash           INTEGER NOT NULL, -- xxh3 of the canonical field values: cheap change detection
    revision               INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    import_id              INTEGER REFERENCES imports(id)
);

CREATE TABLE transfers (
    id                  INTEGER PRIMARY KEY,
    transfer_ref        TEXT NOT NULL UNIQUE,
    supplier            TEXT,
    supplier_country    TEXT,
    recipient           TEXT,
    recipient_country   TEXT,
    end_user            TEXT,
    model               TEXT,
    calibre             TEXT,
    manufacturer        TEXT,
    serial_from         TEXT,
    serial_to           TEXT,
    lot_number          TEXT,
    year_of_manufacture INTEGER,
    quantity            INTEGER,
    authorised_on       TEXT,
    delivered_on        TEXT,
    document            TEXT,
    content_hash        INTEGER NOT NULL,
    revision            INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    import_id           INTEGER REFERENCES imports(id)
);

-- Every change to an existing record: who, what, when, and the values it replaced.
-- A record's creation is revision 1 and is described by its own created_at and import_id.
CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY,
    entity      TEXT NOT NULL,             -- 'item' or 'transfer'
    entity_id   INTEGER NOT NULL,
    revision    INTEGER NOT NULL,          -- the revision these values were replaced by
    changed_at  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    import_id   INTEGER REFERENCES imports(id),
    action      TEXT NOT NULL,             -- 'update'
    previous    TEXT NOT NULL,             -- JSON object of the replaced values
    UNIQUE (entity, entity_id, revision)
);
