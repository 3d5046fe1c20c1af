-- Sign-in back-off, shared by every instance and kept across restarts: one counter per
-- username as typed ('username') and per client address ('client'). A row quiet for
-- the window counts as zero and is deleted by the next failure's clean-up.
CREATE TABLE sign_in_throttle (
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX sign_in_throttle_last ON sign_in_throttle(last_failure_at);

-- Sessions get an opaque id (the one an officer sees and ends; the token hash never
-- leaves the server), the last time they were used (idle timeout) and where they were
-- opened. Sessions from before this change end: everyone signs in again once.
DROP TABLE sessions;
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    id           UUID NOT NULL UNIQUE,
    officer_id   UUID NOT NULL REFERENCES officers(id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    client       TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_officer ON sessions(officer_id);

-- An account an operator created (or gave a password) must choose its own first.
ALTER TABLE officers ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
