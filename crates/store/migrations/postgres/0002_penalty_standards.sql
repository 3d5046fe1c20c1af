-- Discretion standards (裁量基准) uploaded by an administrator. Every version stays on
-- record; at most one is active (none: the standard shipped with the binary applies).
CREATE TABLE penalty_standards (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    text         TEXT NOT NULL,
    uploaded_by  UUID NOT NULL REFERENCES officers(id),
    uploaded_at  TIMESTAMPTZ NOT NULL,
    activated_at TIMESTAMPTZ,
    active       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX penalty_standards_one_active ON penalty_standards(active) WHERE active;
CREATE INDEX penalty_standards_uploaded ON penalty_standards(uploaded_at);
