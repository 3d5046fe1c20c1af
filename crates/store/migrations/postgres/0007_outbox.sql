-- The outbox: messages written in the business transaction and delivered afterwards,
-- at least once, by the dispatcher in `serve`. Claimers take due rows with
-- FOR UPDATE SKIP LOCKED for a lease (claimed_until); a crashed claimer's lease runs
-- out and another instance takes the message.
CREATE TABLE outbox (
    id              UUID PRIMARY KEY,
    created_at      TIMESTAMPTZ NOT NULL,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    -- The receiver's de-duplication key: the same message is delivered under it however
    -- often it is retried.
    idempotency_key TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_until   TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    -- Given up after the last attempt (kept for the operator, never retried).
    dead            BOOLEAN NOT NULL DEFAULT FALSE,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL AND NOT dead;

-- The in-app inbox (the bell): one row per delivered inbox message.
CREATE TABLE notifications (
    id              UUID PRIMARY KEY,
    officer_id      UUID NOT NULL REFERENCES officers(id),
    created_at      TIMESTAMPTZ NOT NULL,
    kind            TEXT NOT NULL,
    title_zh        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT,
    read_at         TIMESTAMPTZ,
    idempotency_key TEXT NOT NULL UNIQUE
);
CREATE INDEX notifications_officer ON notifications(officer_id, created_at);
CREATE INDEX notifications_unread ON notifications(officer_id) WHERE read_at IS NULL;
