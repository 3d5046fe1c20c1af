-- Discretion standards (裁量基准) uploaded by an administrator. Every version stays on
-- record; at most one is active (none: the standard shipped with the binary applies).
CREATE TABLE penalty_standards (
    id           BLOB PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    text         TEXT NOT NULL,
    uploaded_by  BLOB NOT NULL REFERENCES officers(id),
    uploaded_at  INTEGER NOT NULL,
    activated_at INTEGER,
    active       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX penalty_standards_one_active ON penalty_standards(active) WHERE active = 1;
CREATE INDEX penalty_standards_uploaded ON penalty_standards(uploaded_at);
