-- Penalty decisions (行政处罚决定) of administrative cases: one per suspect party,
-- proposed by the case officer with the engine's assessment, reviewed by legal affairs,
-- in force with the unit leader's decision step. The items are the violations, each
-- with the recommendation and the penalty decided (the consistency report reads them).
CREATE TABLE penalty_decisions (
    id               UUID PRIMARY KEY,
    case_id          UUID NOT NULL REFERENCES cases(id),
    unit_id          UUID NOT NULL REFERENCES units(id),
    unit_path        TEXT COLLATE "C" NOT NULL,
    party_seq        BIGINT NOT NULL,
    status           TEXT COLLATE "C" NOT NULL,
    proposed_by      UUID NOT NULL REFERENCES officers(id),
    proposed_by_name TEXT NOT NULL,
    proposed_at      TIMESTAMPTZ NOT NULL,
    assessment       TEXT NOT NULL,
    prior            TEXT,
    departed         BOOLEAN NOT NULL,
    departure_reason TEXT NOT NULL DEFAULT '',
    reviewed_by      UUID REFERENCES officers(id),
    reviewed_by_name TEXT,
    reviewed_at      TIMESTAMPTZ,
    review_note      TEXT NOT NULL DEFAULT '',
    number           TEXT,
    decided_at       TIMESTAMPTZ
);
CREATE INDEX penalty_decisions_case ON penalty_decisions(case_id);
CREATE INDEX penalty_decisions_decided ON penalty_decisions(unit_path, decided_at)
    WHERE status = 'decided';
CREATE INDEX penalty_decisions_proposed ON penalty_decisions(proposed_at)
    WHERE status = 'proposed';

CREATE TABLE penalty_decision_items (
    decision_id    UUID NOT NULL REFERENCES penalty_decisions(id),
    seq            BIGINT NOT NULL,
    violation_code TEXT NOT NULL,
    situation      TEXT,
    offence_date   TEXT NOT NULL,
    rec_warning    BOOLEAN NOT NULL,
    rec_fine_yuan  BIGINT NOT NULL,
    rec_days       BIGINT NOT NULL,
    warning        BOOLEAN NOT NULL,
    fine_yuan      BIGINT NOT NULL,
    detention_days BIGINT NOT NULL,
    departed       BOOLEAN NOT NULL,
    PRIMARY KEY (decision_id, seq)
);
