-- Shared money (Verrechnung): prices per value point and the price each cross-border booking records.
-- prices: append-only like the ledger; a changed price is a new row (geo/accounting/prices.py decides
-- which row applies on a day: pool area before municipality, latest start, latest set).
-- allocations.price_eur: the €/WP that applied when a cross-border entry was booked (a reversal repeats
-- its entry's price); empty within a municipality and on entries booked before prices existed.

-- History action 'price', added to whatever the check allows by now (other migrations add actions too).
DO $$
DECLARE
    allowed text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO allowed
      FROM pg_constraint AS c, regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
     WHERE c.conrelid = 'history'::regclass AND c.conname = 'history_action_check';
    ALTER TABLE history DROP CONSTRAINT history_action_check;
    EXECUTE format('ALTER TABLE history ADD CONSTRAINT history_action_check CHECK (action IN (%s))',
                   (SELECT string_agg(quote_literal(a), ', ')
                      FROM unnest(array_append(array_remove(allowed, 'price'), 'price')) AS a));
END;
$$;

ALTER TABLE allocations
    ADD COLUMN price_eur double precision CHECK (price_eur >= 0 AND price_eur <> 'NaN');

CREATE TABLE prices (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    price_id text PRIMARY KEY CHECK (price_id ~ '^P-[0-9]+$'),
    ags ags_code NOT NULL,
    pool_id text CHECK (pool_id <> ''),
    eur_per_point double precision NOT NULL CHECK (eur_per_point >= 0 AND eur_per_point <> 'NaN'),
    valid_from date NOT NULL,
    valid_to date,
    notes text,
    set_by text NOT NULL,
    at iso_timestamp NOT NULL,
    change_id change_code REFERENCES history (change_id),
    CONSTRAINT prices_period CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX prices_ags_idx ON prices (ags);

CREATE TRIGGER prices_append_only BEFORE UPDATE OR DELETE ON prices
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER prices_no_truncate BEFORE TRUNCATE ON prices
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
