-- The incident lifecycle: state and version on the incident, the first time of each
-- step (for response times), the current dispatch, and one timeline row per step.
-- Rows filed before this migration are registered incidents at version 1.
ALTER TABLE incidents ADD COLUMN status TEXT NOT NULL DEFAULT 'registered';
ALTER TABLE incidents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE incidents ADD COLUMN dispatched_at INTEGER;
ALTER TABLE incidents ADD COLUMN arrived_at INTEGER;
ALTER TABLE incidents ADD COLUMN disposed_at INTEGER;
ALTER TABLE incidents ADD COLUMN ended_at INTEGER;
ALTER TABLE incidents ADD COLUMN patrol_unit TEXT;
-- Officer ids of the current dispatch, comma-separated.
ALTER TABLE incidents ADD COLUMN assigned TEXT NOT NULL DEFAULT '';

-- Open incidents by unit and age: the live board reads only these.
CREATE INDEX incidents_open ON incidents(unit_path, reported_at)
    WHERE status IN ('registered', 'dispatched', 'on_scene', 'disposed');

-- seq = the incident's version after the step; 1 is the registration.
CREATE TABLE incident_events (
    incident_id BLOB NOT NULL REFERENCES incidents(id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    BLOB REFERENCES officers(id),
    actor_name  TEXT NOT NULL,
    step        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (incident_id, seq)
);

INSERT INTO incident_events (incident_id, seq, at, actor_id, actor_name, step, to_status)
SELECT i.id, 1, i.created_at, i.created_by, COALESCE(o.display_name, ''), 'register', 'registered'
FROM incidents i LEFT JOIN officers o ON o.id = i.created_by;

-- An incident converted into a case or a dispute: the link, whose target the cases
-- (or disputes) capability fills in when it takes the incident over.
CREATE TABLE incident_conversions (
    incident_id  BLOB PRIMARY KEY REFERENCES incidents(id),
    target       TEXT NOT NULL,
    target_id    BLOB,
    converted_at INTEGER NOT NULL
);

ALTER TABLE districts ADD COLUMN area_type TEXT NOT NULL DEFAULT 'urban';
