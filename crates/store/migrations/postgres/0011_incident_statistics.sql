-- Incident statistics (警情统计): rollups kept in the same transaction as each incident
-- write, so that a year's figures read thousands of rows instead of millions. Every
-- rollup has a day grain and a month grain (a range reads whole months from the month
-- grain and its ragged ends from the day grain). day = days since 1970-01-01 of the
-- Beijing report date, month = yyyymm of it.

-- Incidents by category and unit, with arrivals against the response target.
CREATE TABLE incident_stats_day (
    day           INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    unit_id       UUID NOT NULL,
    category      TEXT NOT NULL,
    incidents     BIGINT NOT NULL DEFAULT 0,
    target_met    BIGINT NOT NULL DEFAULT 0,
    target_missed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit_id, category)
);
CREATE TABLE incident_stats_month (
    month         INTEGER NOT NULL,
    unit_id       UUID NOT NULL,
    category      TEXT NOT NULL,
    incidents     BIGINT NOT NULL DEFAULT 0,
    target_met    BIGINT NOT NULL DEFAULT 0,
    target_missed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit_id, category)
);

-- Incidents by hour of the report (the weekly heat map; dow 0 = Monday).
CREATE TABLE incident_hours_day (
    day       INTEGER NOT NULL,
    unit_id   UUID NOT NULL,
    hour      INTEGER NOT NULL,
    incidents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit_id, hour)
);
CREATE TABLE incident_hours_month (
    month     INTEGER NOT NULL,
    unit_id   UUID NOT NULL,
    dow       INTEGER NOT NULL,
    hour      INTEGER NOT NULL,
    incidents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit_id, dow, hour)
);

-- Response times as histograms (medians are read from them): measure = dispatch
-- (call → first dispatch), arrival (dispatch → first arrival), disposal (arrival →
-- disposal); bucket as in frontline_core::incident::stats::bucket.
CREATE TABLE incident_response_day (
    day       INTEGER NOT NULL,
    unit_id   UUID NOT NULL,
    measure   TEXT NOT NULL,
    bucket    INTEGER NOT NULL,
    incidents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, unit_id, measure, bucket)
);
CREATE TABLE incident_response_month (
    month     INTEGER NOT NULL,
    unit_id   UUID NOT NULL,
    measure   TEXT NOT NULL,
    bucket    INTEGER NOT NULL,
    incidents BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit_id, measure, bucket)
);

-- Incidents filed before this migration are counted by the application when it next
-- starts (the response targets are configuration, not SQL): one row here means "rebuild".
CREATE TABLE incident_stats_rebuild (needed INTEGER NOT NULL);
INSERT INTO incident_stats_rebuild SELECT 1 WHERE EXISTS (SELECT 1 FROM incidents);
