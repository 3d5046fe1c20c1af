-- The search index's change log: one row per write that changes what the index holds
-- of an incident (narrative, address, status, unit, category, report time), written by
-- triggers in the writing transaction, so no write path can forget it. Each instance's
-- index applies the rows after the last `seq` it committed (kept in the index's own
-- commit payload); the database stays the source of truth.
CREATE TABLE incident_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BLOB NOT NULL
);

CREATE TRIGGER incident_changes_insert AFTER INSERT ON incidents
BEGIN
    INSERT INTO incident_changes (incident_id) VALUES (NEW.id);
END;

CREATE TRIGGER incident_changes_update
AFTER UPDATE OF narrative, address, status, unit_id, unit_path, category, reported_at ON incidents
BEGIN
    INSERT INTO incident_changes (incident_id) VALUES (NEW.id);
END;
