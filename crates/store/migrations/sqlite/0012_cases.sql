-- Cases (案件): criminal and administrative cases with their officers, parties,
-- timeline and legal deadlines. seq of case_events = the case's version after the step
-- (1 = acceptance).
CREATE TABLE cases (
    id              BLOB PRIMARY KEY,
    number          TEXT NOT NULL,
    unit_id         BLOB NOT NULL REFERENCES units(id),
    unit_path       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    year            INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    outcome         TEXT,
    lead_officer_id BLOB REFERENCES officers(id),
    incident_id     BLOB REFERENCES incidents(id),
    query_code      TEXT NOT NULL,
    accepted_at     INTEGER NOT NULL,
    closed_at       INTEGER,
    created_by      BLOB NOT NULL REFERENCES officers(id),
    UNIQUE (unit_id, kind, year, seq)
);
CREATE INDEX cases_path_time ON cases(unit_path, accepted_at);
CREATE UNIQUE INDEX cases_query_code ON cases(query_code);
CREATE UNIQUE INDEX cases_incident ON cases(incident_id) WHERE incident_id IS NOT NULL;

-- The officers working a case besides its lead (办案民警).
CREATE TABLE case_officers (
    case_id    BLOB NOT NULL REFERENCES cases(id),
    officer_id BLOB NOT NULL REFERENCES officers(id),
    PRIMARY KEY (case_id, officer_id)
);
CREATE INDEX case_officers_officer ON case_officers(officer_id);

-- Parties (当事人); identifiers are stored whole and masked by every view.
CREATE TABLE case_parties (
    case_id   BLOB NOT NULL REFERENCES cases(id),
    seq       INTEGER NOT NULL,
    role      TEXT NOT NULL,
    name      TEXT NOT NULL,
    id_number TEXT,
    phone     TEXT,
    consent   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_parties_id_number ON case_parties(id_number) WHERE id_number IS NOT NULL;

CREATE TABLE case_events (
    case_id     BLOB NOT NULL REFERENCES cases(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    BLOB REFERENCES officers(id),
    actor_name  TEXT NOT NULL,
    step        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (case_id, seq)
);

-- Legal deadlines (办案期限): one row per rule started on a case. next_at is when the
-- sweep next has something to do with a running deadline (a reminder, the overdue
-- notice), NULL when nothing is left; the sweep reads only the partial index.
CREATE TABLE deadlines (
    id          BLOB PRIMARY KEY,
    case_id     BLOB NOT NULL REFERENCES cases(id),
    unit_id     BLOB NOT NULL REFERENCES units(id),
    unit_path   TEXT NOT NULL,
    rule        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    warn_at     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    ended_at    INTEGER,
    next_at     INTEGER,
    stage       INTEGER NOT NULL DEFAULT 0,
    events      TEXT NOT NULL DEFAULT '[]',
    -- The coercive measure whose deadline this is (ending it meets what still runs).
    measure_id  BLOB
);
CREATE INDEX deadlines_case ON deadlines(case_id);
CREATE INDEX deadlines_sweep ON deadlines(next_at) WHERE state = 'running' AND next_at IS NOT NULL;
CREATE INDEX deadlines_running ON deadlines(unit_path, due_at, warn_at) WHERE state = 'running';
CREATE INDEX deadlines_met ON deadlines(unit_path, ended_at) WHERE state = 'met';

-- Enforcement advice letters (执法建议书): issued by the deadline sweep to the handling
-- unit when a deadline is still overdue after the grace period; one per deadline.
CREATE TABLE case_advice_letters (
    id          BLOB PRIMARY KEY,
    case_id     BLOB NOT NULL REFERENCES cases(id),
    deadline_id BLOB NOT NULL UNIQUE REFERENCES deadlines(id),
    unit_id     BLOB NOT NULL REFERENCES units(id),
    unit_path   TEXT NOT NULL,
    number      TEXT NOT NULL,
    issued_at   INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    due_at      INTEGER NOT NULL
);
CREATE INDEX case_advice_letters_case ON case_advice_letters(case_id);
CREATE INDEX case_advice_letters_unit ON case_advice_letters(unit_path, issued_at);

-- Every lookup of the public status page (案件进展查询): who asked (the client's
-- address key), for which code (its hash: the log must not hand out valid codes), and
-- whether it was answered. The throttle counts from here.
CREATE TABLE case_status_lookups (
    id        BLOB PRIMARY KEY,
    at        INTEGER NOT NULL,
    client    TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    found     INTEGER NOT NULL,
    case_id   BLOB
);
CREATE INDEX case_status_lookups_client ON case_status_lookups(client, at);
CREATE INDEX case_status_lookups_code ON case_status_lookups(code_hash, at);
-- The retention purge (the log is kept for a while, then dropped).
CREATE INDEX case_status_lookups_at ON case_status_lookups(at);

-- Coercive measures (强制措施) on a suspect: started at, the acts recorded (送押、通知家属、
-- 讯问, comma-separated), ended at.
CREATE TABLE case_measures (
    id         BLOB PRIMARY KEY,
    case_id    BLOB NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,
    party_seq  INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    acts       TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_measures_case ON case_measures(case_id);
CREATE INDEX deadlines_measure ON deadlines(measure_id) WHERE measure_id IS NOT NULL;
