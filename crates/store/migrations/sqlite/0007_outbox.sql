-- The outbox: messages written in the business transaction and delivered afterwards,
-- at least once, by the dispatcher in `serve`. A message is claimed for a lease
-- (claimed_until); a crashed claimer's lease runs out and another takes the message.
CREATE TABLE outbox (
    id              BLOB PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    -- The receiver's de-duplication key: the same message is delivered under it however
    -- often it is retried.
    idempotency_key TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    delivered_at    INTEGER,
    -- Given up after the last attempt (kept for the operator, never retried).
    dead            INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL AND dead = 0;

-- The in-app inbox (the bell): one row per delivered inbox message.
CREATE TABLE notifications (
    id              BLOB PRIMARY KEY,
    officer_id      BLOB NOT NULL REFERENCES officers(id),
    created_at      INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    title_zh        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT,
    read_at         INTEGER,
    idempotency_key TEXT NOT NULL UNIQUE
);
CREATE INDEX notifications_officer ON notifications(officer_id, created_at);
CREATE INDEX notifications_unread ON notifications(officer_id) WHERE read_at IS NULL;
