-- Requests across borders (Anfrage → Zusage) and the notifications about them.
-- request_events: the requests' story, append-only and hash-chained like the ledger; the
-- state of a request follows from its events (and the clock: expiry is not stored).
-- outbox: one notification per event, written in the same transaction; only the delivery
-- columns (sent_at, error) change afterwards, and no row is ever deleted.

ALTER TABLE history DROP CONSTRAINT history_action_check;
ALTER TABLE history ADD CONSTRAINT history_action_check
    CHECK (action IN ('upload', 'restore', 'booking', 'valuation', 'request'));

CREATE TABLE request_events (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    event_id text PRIMARY KEY CHECK (event_id <> ''),
    request_id text NOT NULL CHECK (request_id ~ '^A-[0-9]{4}-[0-9]+$'),
    event text NOT NULL CHECK (event IN ('gestellt', 'zugesagt', 'abgelehnt', 'zurückgezogen')),
    at iso_timestamp NOT NULL,
    "user" text NOT NULL,
    from_ags ags_code NOT NULL,
    to_ags ags_code NOT NULL,
    intervention_id text NOT NULL,
    pool_id text NOT NULL,
    points double precision CHECK (points > 0 AND points <> 'NaN'),
    kind text CHECK (kind IN ('reserviert', 'zugeordnet')),
    text text,
    expires date,
    -- an approval names the ledger entry it created (in the same change)
    allocation_id text REFERENCES allocations (allocation_id),
    change_id change_code REFERENCES history (change_id),
    hash chain_hash NOT NULL,
    CONSTRAINT request_events_across_border CHECK (from_ags <> to_ags),
    -- what each event must carry
    CONSTRAINT request_events_asked CHECK (event <> 'gestellt'
        OR (points IS NOT NULL AND kind IS NOT NULL AND expires IS NOT NULL AND allocation_id IS NULL)),
    CONSTRAINT request_events_approved CHECK (event <> 'zugesagt'
        OR (points IS NOT NULL AND kind IS NOT NULL AND allocation_id IS NOT NULL)),
    CONSTRAINT request_events_other CHECK (event IN ('gestellt', 'zugesagt') OR allocation_id IS NULL)
);
CREATE INDEX request_events_request_idx ON request_events (request_id);
-- a request is asked once and decided (approved, declined, withdrawn) at most once
CREATE UNIQUE INDEX request_events_asked_once ON request_events (request_id) WHERE event = 'gestellt';
CREATE UNIQUE INDEX request_events_decided_once ON request_events (request_id) WHERE event <> 'gestellt';
CREATE UNIQUE INDEX request_events_allocation_once ON request_events (allocation_id) WHERE allocation_id IS NOT NULL;

CREATE TRIGGER request_events_append_only BEFORE UPDATE OR DELETE ON request_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER request_events_no_truncate BEFORE TRUNCATE ON request_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    notification_id text PRIMARY KEY CHECK (notification_id <> ''),
    request_id text NOT NULL,
    at iso_timestamp NOT NULL,
    recipient_ags ags_code NOT NULL,
    subject text NOT NULL,
    body text,
    change_id change_code REFERENCES history (change_id),
    sent_at iso_timestamp,
    error text
);

-- Only the delivery may change; a notification is never deleted.
CREATE FUNCTION outbox_only_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (NEW.notification_id, NEW.request_id, NEW.at, NEW.recipient_ags, NEW.subject, NEW.body,
                            NEW.change_id)
            IS DISTINCT FROM (OLD.notification_id, OLD.request_id, OLD.at, OLD.recipient_ags, OLD.subject, OLD.body,
                              OLD.change_id) THEN
        RAISE EXCEPTION 'Benachrichtigungen werden nie gelöscht; geändert wird nur ihr Versand (% abgelehnt).', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER outbox_only_delivery BEFORE UPDATE OR DELETE ON outbox
    FOR EACH ROW EXECUTE FUNCTION outbox_only_delivery();
CREATE TRIGGER outbox_no_truncate BEFORE TRUNCATE ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
