-- Foundation schema (SQLite). Keys are UUIDv7 stored as 16-byte BLOBs;
-- instants are INTEGER microseconds since the Unix epoch, UTC.
CREATE TABLE units (
    id            BLOB PRIMARY KEY,
    parent_id     BLOB REFERENCES units(id),
    kind          TEXT NOT NULL,
    station_class INTEGER,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    path          TEXT NOT NULL UNIQUE
);

CREATE TABLE districts (
    id      BLOB PRIMARY KEY,
    unit_id BLOB NOT NULL REFERENCES units(id),
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    UNIQUE (unit_id, code)
);

CREATE TABLE officers (
    id            BLOB PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    unit_id       BLOB NOT NULL REFERENCES units(id),
    roles         TEXT NOT NULL,
    auxiliary     INTEGER NOT NULL DEFAULT 0,
    badge_no      TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE INDEX officers_unit ON officers(unit_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id BLOB NOT NULL REFERENCES officers(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_officer ON sessions(officer_id);

-- Human numbers: one counter per unit, kind and year; allocated inside the
-- inserting transaction, so a rolled-back insert leaves no gap.
CREATE TABLE number_counters (
    unit_id BLOB NOT NULL,
    kind    TEXT NOT NULL,
    year    INTEGER NOT NULL,
    last    INTEGER NOT NULL,
    PRIMARY KEY (unit_id, kind, year)
);

CREATE TABLE incidents (
    id               BLOB PRIMARY KEY,
    number           TEXT NOT NULL,
    unit_id          BLOB NOT NULL REFERENCES units(id),
    unit_path        TEXT NOT NULL,
    year             INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    reported_at      INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    category         TEXT NOT NULL,
    address          TEXT NOT NULL,
    district_id      BLOB REFERENCES districts(id),
    caller_name      TEXT NOT NULL,
    caller_phone     TEXT NOT NULL,
    caller_id_number TEXT,
    narrative        TEXT NOT NULL,
    created_by       BLOB NOT NULL REFERENCES officers(id),
    UNIQUE (unit_id, year, seq)
);
CREATE INDEX incidents_path_time ON incidents(unit_path, reported_at);
CREATE INDEX incidents_time ON incidents(reported_at);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    purpose     TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_log(object_type, object_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
