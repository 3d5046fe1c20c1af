-- The search index's change log: one row per write that changes what the index holds
-- of an incident (narrative, address, status, unit, category, report time), written by
-- triggers in the writing transaction, so no write path can forget it. Each instance's
-- index applies the rows after the last `seq` it committed (kept in the index's own
-- commit payload). A sequence value is taken at the write, not at the commit, so a
-- reader may see seq 11 before seq 10 commits: the indexer keeps its mark below such a
-- gap until it fills or is old enough to be a rolled-back write (see app `search`).
CREATE TABLE incident_changes (
    seq         BIGSERIAL PRIMARY KEY,
    incident_id UUID NOT NULL
);

CREATE FUNCTION incident_changes_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_changes (incident_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER incident_changes_insert AFTER INSERT ON incidents
    FOR EACH ROW EXECUTE FUNCTION incident_changes_log();

CREATE TRIGGER incident_changes_update
    AFTER UPDATE OF narrative, address, status, unit_id, unit_path, category, reported_at ON incidents
    FOR EACH ROW
    WHEN (OLD.narrative IS DISTINCT FROM NEW.narrative OR OLD.address IS DISTINCT FROM NEW.address
          OR OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_path IS DISTINCT FROM NEW.unit_path
          OR OLD.category IS DISTINCT FROM NEW.category OR OLD.reported_at IS DISTINCT FROM NEW.reported_at)
    EXECUTE FUNCTION incident_changes_log();
