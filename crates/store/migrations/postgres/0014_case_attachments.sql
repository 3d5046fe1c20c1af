-- Attachments of a case (案件附件): the file itself lies outside the database, named by
-- its SHA-256 in the attachments directory; the row says what it is and who added it.
CREATE TABLE case_attachments (
    id           UUID PRIMARY KEY,
    case_id      UUID NOT NULL REFERENCES cases(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    added_by     UUID NOT NULL REFERENCES officers(id),
    added_by_name TEXT NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id, added_at);
