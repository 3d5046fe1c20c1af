-- Repeat incidents (重复警情), callbacks (回访) and the daily review (三清).
-- The normalised address a repeat is recognised by (NULL: too general, or filed before
-- this migration), the number of earlier incidents it repeats, and the callback state:
-- NULL = none required (yet), 'due' = in the queue, 'done', 'unreachable'.
ALTER TABLE incidents ADD COLUMN address_key TEXT;
ALTER TABLE incidents ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN callback_status TEXT;
ALTER TABLE incidents ADD COLUMN callback_attempts INTEGER NOT NULL DEFAULT 0;
-- The next attempt is due from here (the queue's order); the last attempt's time and answer.
ALTER TABLE incidents ADD COLUMN callback_next_at INTEGER;
ALTER TABLE incidents ADD COLUMN callback_at INTEGER;
ALTER TABLE incidents ADD COLUMN satisfaction TEXT;

CREATE INDEX incidents_address_key ON incidents(address_key, reported_at)
    WHERE address_key IS NOT NULL;
CREATE INDEX incidents_caller_phone ON incidents(caller_phone, reported_at);
CREATE INDEX incidents_callback_due ON incidents(unit_path, callback_next_at)
    WHERE callback_status = 'due';
CREATE INDEX incidents_callback_at ON incidents(callback_at) WHERE callback_at IS NOT NULL;

-- A repeat links to the earlier incidents it repeats (written at intake).
CREATE TABLE incident_repeats (
    incident_id BLOB NOT NULL REFERENCES incidents(id),
    earlier_id  BLOB NOT NULL REFERENCES incidents(id),
    basis       TEXT NOT NULL,
    PRIMARY KEY (incident_id, earlier_id)
);

-- One row per callback attempt; a dissatisfied answer is reviewed by the station chief.
CREATE TABLE callbacks (
    id            BLOB PRIMARY KEY,
    incident_id   BLOB NOT NULL REFERENCES incidents(id),
    attempt       INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    officer_id    BLOB NOT NULL REFERENCES officers(id),
    officer_name  TEXT NOT NULL,
    reached       INTEGER NOT NULL,
    satisfaction  TEXT,
    comment       TEXT NOT NULL DEFAULT '',
    reviewed_at   INTEGER,
    reviewer_id   BLOB REFERENCES officers(id),
    reviewer_name TEXT,
    review_note   TEXT,
    UNIQUE (incident_id, attempt)
);

-- An incident marked reviewed in the daily review of a day, with the instruction to its
-- station (shown on the station's board until acknowledged).
CREATE TABLE incident_reviews (
    review_date     TEXT NOT NULL,
    incident_id     BLOB NOT NULL REFERENCES incidents(id),
    unit_path       TEXT NOT NULL,
    at              INTEGER NOT NULL,
    reviewer_id     BLOB NOT NULL REFERENCES officers(id),
    reviewer_name   TEXT NOT NULL,
    note            TEXT NOT NULL,
    instruction     TEXT NOT NULL DEFAULT '',
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    PRIMARY KEY (review_date, incident_id)
);
CREATE INDEX incident_reviews_unit ON incident_reviews(unit_path, at);

-- Dispute push (双推): the street office a district's residents belong to and its
-- community officer (社区民警; no foreign key: districts load before officers), and what
-- was pushed to a street office with its answer. A partner reads only its own unit's rows.
ALTER TABLE districts ADD COLUMN partner_unit_id BLOB REFERENCES units(id);
ALTER TABLE districts ADD COLUMN community_officer_id BLOB;
CREATE TABLE incident_pushes (
    id              BLOB PRIMARY KEY,
    incident_id     BLOB NOT NULL REFERENCES incidents(id),
    station_path    TEXT NOT NULL,
    partner_unit_id BLOB NOT NULL REFERENCES units(id),
    partner_path    TEXT NOT NULL,
    community_officer_id BLOB,
    pushed_at       INTEGER NOT NULL,
    -- What the partner may read: category, place and account with identifiers masked.
    summary         TEXT NOT NULL,
    answer          TEXT,
    answered_at     INTEGER,
    answered_by     TEXT,
    UNIQUE (incident_id, partner_unit_id)
);
CREATE INDEX incident_pushes_partner ON incident_pushes(partner_path, pushed_at);
CREATE INDEX incident_pushes_station ON incident_pushes(station_path, pushed_at);
