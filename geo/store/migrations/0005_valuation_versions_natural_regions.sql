-- Valuation table versions (DOMAIN.md, "Valuation"): switching a model's table keeps the table as it
-- was before that change (append-only like the layer versions), so figures can be recomputed under
-- the table valid on any date. The switch itself is a history row with action 'valuation'.
CREATE TABLE valuation_versions (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    model text NOT NULL CHECK (model ~ '^[a-z0-9_-]+$'),
    change_id text NOT NULL,
    csv text NOT NULL,
    PRIMARY KEY (model, change_id)
);

CREATE TRIGGER valuation_versions_append_only BEFORE UPDATE OR DELETE ON valuation_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER valuation_versions_no_truncate BEFORE TRUNCATE ON valuation_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Natural regions (BNatSchG § 15 Abs. 2): one layer for the whole partnership, replaced as a whole by
-- an administrator (history action 'regions', layer 'natural_regions').
ALTER TABLE history DROP CONSTRAINT history_action_check;
ALTER TABLE history ADD CONSTRAINT history_action_check
    CHECK (action IN ('upload', 'restore', 'booking', 'valuation', 'request', 'regions'));

CREATE TABLE natural_regions (
    region_id text PRIMARY KEY,
    name text NOT NULL CHECK (name <> ''),
    notes text,
    geometry geometry(MultiPolygon, 25833) NOT NULL
);
