-- Holiday calendars (节假日安排) uploaded by an administrator, one row per year. A stored
-- year adds to, or replaces, the calendar of that year shipped with the binary; every
-- upload (and so every replacement) is also in the audit log.
CREATE TABLE calendars (
    year        INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,
    uploaded_by UUID NOT NULL REFERENCES officers(id),
    uploaded_at TIMESTAMPTZ NOT NULL
);
