-- Foundation schema (PostgreSQL). Paths use the C collation so that the
-- subtree range [prefix, upper) is byte order, as in SQLite.
CREATE TABLE units (
    id            UUID PRIMARY KEY,
    parent_id     UUID REFERENCES units(id),
    kind          TEXT NOT NULL,
    station_class SMALLINT,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    path          TEXT COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE districts (
    id      UUID PRIMARY KEY,
    unit_id UUID NOT NULL REFERENCES units(id),
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    UNIQUE (unit_id, code)
);

CREATE TABLE officers (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    unit_id       UUID NOT NULL REFERENCES units(id),
    roles         TEXT NOT NULL,
    auxiliary     BOOLEAN NOT NULL DEFAULT FALSE,
    badge_no      TEXT,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX officers_unit ON officers(unit_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id UUID NOT NULL REFERENCES officers(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_officer ON sessions(officer_id);

CREATE TABLE number_counters (
    unit_id UUID NOT NULL,
    kind    TEXT NOT NULL,
    year    INTEGER NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (unit_id, kind, year)
);

CREATE TABLE incidents (
    id               UUID PRIMARY KEY,
    number           TEXT NOT NULL,
    unit_id          UUID NOT NULL REFERENCES units(id),
    unit_path        TEXT COLLATE "C" NOT NULL,
    year             INTEGER NOT NULL,
    seq              BIGINT NOT NULL,
    reported_at      TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    category         TEXT COLLATE "C" NOT NULL,
    address          TEXT NOT NULL,
    district_id      UUID REFERENCES districts(id),
    caller_name      TEXT NOT NULL,
    caller_phone     TEXT NOT NULL,
    caller_id_number TEXT,
    narrative        TEXT NOT NULL,
    created_by       UUID NOT NULL REFERENCES officers(id),
    UNIQUE (unit_id, year, seq)
);
CREATE INDEX incidents_path_time ON incidents(unit_path, reported_at);
CREATE INDEX incidents_time ON incidents(reported_at);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    UUID,
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
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
