-- Monitoring of measures (DOMAIN.md, "Monitoring"): the dated implementation state of each pool
-- area, inspections (Funktionskontrollen) and documents on areas, bookings and inspections, with
-- their files (photos, PDFs) as bytea. All four are records: append-only by trigger, like the ledger.
-- New history actions: 'monitoring' (records written) and 'lock' (an area set to 'gesperrt').

ALTER TABLE history DROP CONSTRAINT history_action_check;
ALTER TABLE history ADD CONSTRAINT history_action_check
    CHECK (action IN ('upload', 'restore', 'booking', 'valuation', 'request', 'regions', 'monitoring', 'lock'));

CREATE TABLE inspections (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    inspection_id text PRIMARY KEY CHECK (inspection_id <> ''),
    pool_id text NOT NULL,
    ags ags_code NOT NULL,
    "date" date NOT NULL,
    inspector text NOT NULL CHECK (inspector <> ''),
    result text NOT NULL CHECK (result IN ('bestanden', 'mit Mängeln')),
    note text,
    "user" text NOT NULL,
    at iso_timestamp NOT NULL,
    change_id change_code NOT NULL REFERENCES history (change_id)
);
CREATE INDEX inspections_pool_idx ON inspections (pool_id);

CREATE TABLE measure_events (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    event_id text PRIMARY KEY CHECK (event_id <> ''),
    pool_id text NOT NULL,
    ags ags_code NOT NULL,
    state text NOT NULL CHECK (state IN ('geplant', 'in Umsetzung', 'umgesetzt', 'Funktionskontrolle bestanden',
                                         'Funktionskontrolle mit Mängeln')),
    "date" date NOT NULL,
    "user" text NOT NULL,
    note text,
    -- the state a function check recorded names the inspection
    inspection_id text REFERENCES inspections (inspection_id),
    at iso_timestamp NOT NULL,
    change_id change_code NOT NULL REFERENCES history (change_id),
    CONSTRAINT measure_events_check_named CHECK (
        (state LIKE 'Funktionskontrolle%') = (inspection_id IS NOT NULL))
);
CREATE INDEX measure_events_pool_idx ON measure_events (pool_id);

CREATE TABLE files (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content bytea NOT NULL,
    CONSTRAINT files_match CHECK (encode(sha256(content), 'hex') = sha256)
);

CREATE TABLE documents (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    document_id text PRIMARY KEY CHECK (document_id <> ''),
    target text NOT NULL CHECK (target IN ('pool_area', 'allocation', 'inspection')),
    target_id text NOT NULL,
    pool_id text NOT NULL,
    ags ags_code NOT NULL,
    kind text NOT NULL CHECK (kind IN ('Foto', 'Kontrollbericht', 'Grundbuchauszug', 'Pachtvertrag',
                                       'Genehmigungsbescheid', 'Planunterlagen', 'Sonstiges')),
    file_name text NOT NULL,
    media_type text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes double precision NOT NULL CHECK (size_bytes > 0),
    sha256 text NOT NULL REFERENCES files (sha256),
    "user" text NOT NULL,
    at iso_timestamp NOT NULL,
    change_id change_code NOT NULL REFERENCES history (change_id)
);
CREATE INDEX documents_target_idx ON documents (target, target_id);

-- The records never change: the append-only triggers of 0002_append_only.sql on each table.
DO $$
DECLARE
    record_table text;
BEGIN
    FOREACH record_table IN ARRAY ARRAY['inspections', 'measure_events', 'documents', 'files'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION refuse_change()',
                       record_table || '_append_only', record_table);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()',
                       record_table || '_no_truncate', record_table);
    END LOOP;
END;
$$;
