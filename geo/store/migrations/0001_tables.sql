-- Flächenpool store on PostgreSQL/PostGIS: tables, keys and the checks the database enforces.
-- Applied by geo.store.postgis on open, inside one transaction, recorded in schema_migrations.
-- PostGIS is not a trusted extension: on a shared server the DBA creates it once beforehand
-- (CREATE EXTENSION postgis;); then this line is a no-op.
CREATE EXTENSION IF NOT EXISTS postgis;

-- 8-digit official municipality key (Amtlicher Gemeindeschlüssel).
CREATE DOMAIN ags_code AS text CHECK (VALUE ~ '^[0-9]{8}$');
-- Change ids as geo.store.format_change_id writes them: C-000123.
CREATE DOMAIN change_code AS text CHECK (VALUE ~ '^C-[0-9]{6,}$');
-- ISO timestamps kept as the text the app wrote (the hash chain covers that text).
CREATE DOMAIN iso_timestamp AS text CHECK (VALUE ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([+-][0-9]{2}:?[0-9]{2}|Z)?)?$');
CREATE DOMAIN chain_hash AS text CHECK (VALUE ~ '^[0-9a-f]{64}$');

-- The chain head: one row that every write transaction locks first (FOR UPDATE), which puts all
-- writes in one total order. last_change is the highest change id ever handed out (never lowered),
-- data_version changes with every write (the app's cache key).
CREATE TABLE store_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_change integer NOT NULL DEFAULT 0 CHECK (last_change >= 0),
    data_version bigint NOT NULL DEFAULT 0
);
INSERT INTO store_head DEFAULT VALUES;

-- The three municipal layers, all municipalities in one table each. "position" keeps the order
-- of the published features within their municipality.
CREATE TABLE boundary (
    ags ags_code PRIMARY KEY,
    name text,
    position integer NOT NULL,
    geometry geometry(MultiPolygon, 25833)
);

CREATE TABLE pool_areas (
    pool_id text PRIMARY KEY CHECK (pool_id <> ''),  -- unique across all municipalities
    name text,
    ags ags_code NOT NULL,
    status text CHECK (status IN ('geplant', 'verfügbar', 'reserviert', 'zugeordnet', 'gesperrt')),
    measure_type text CHECK (measure_type IN ('Aufforstung', 'Extensivierung Grünland', 'Entsiegelung',
        'Gewässerrenaturierung', 'Hecken/Feldgehölze', 'Streuobstwiese', 'Blühflächen', 'Waldumbau')),
    biotope_before text,
    biotope_after text,
    value_points double precision CHECK (value_points >= 0 AND value_points <> 'NaN'),
    measure_start date,
    measure_end date,
    owner text,
    parcels text,
    notes text,
    position integer NOT NULL,
    geometry geometry(MultiPolygon, 25833)
);
CREATE INDEX pool_areas_ags_idx ON pool_areas (ags);

CREATE TABLE interventions (
    intervention_id text PRIMARY KEY CHECK (intervention_id <> ''),  -- unique across all municipalities
    name text,
    ags ags_code NOT NULL,
    kind text CHECK (kind IN ('B-Plan', 'Straße/Verkehr', 'Gewerbe', 'Energie', 'Sonstiges')),
    status text CHECK (status IN ('geplant', 'im Verfahren', 'genehmigt', 'umgesetzt')),
    biotope_before text,
    biotope_after text,
    demand_points double precision CHECK (demand_points >= 0 AND demand_points <> 'NaN'),
    approval_date date,
    position integer NOT NULL,
    geometry geometry(MultiPolygon, 25833)
);
CREATE INDEX interventions_ags_idx ON interventions (ags);

CREATE INDEX boundary_geometry_idx ON boundary USING gist (geometry);
CREATE INDEX pool_areas_geometry_idx ON pool_areas USING gist (geometry);
CREATE INDEX interventions_geometry_idx ON interventions USING gist (geometry);

-- What changed (append-only, hash-chained). seq is the order of appending.
CREATE TABLE history (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    change_id change_code PRIMARY KEY,
    at iso_timestamp NOT NULL,
    "user" text,
    ags ags_code,
    layer text,
    action text CHECK (action IN ('upload', 'restore', 'booking', 'valuation')),
    source text,
    added double precision,
    changed double precision,
    removed double precision,
    checksum text,
    notes text,
    hash chain_hash NOT NULL
);

-- The ledger (append-only, hash-chained). No foreign keys to the layers: the ledger is a
-- permanent record, a layer is the current state, and an area whose bookings were all
-- reversed may leave its layer (or be restored away) while its entries stay. A booking on an
-- id that does not exist is refused by the booking rules inside the locked transaction.
CREATE TABLE allocations (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    allocation_id text PRIMARY KEY CHECK (allocation_id <> ''),
    intervention_id text NOT NULL,
    pool_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('reserviert', 'zugeordnet')),
    points double precision NOT NULL CHECK (points <> 'NaN'),
    "date" date,
    booked_by text,
    notes text,
    -- a reversal names an earlier entry of the ledger
    reverses text REFERENCES allocations (allocation_id),
    created_at iso_timestamp,
    -- every entry belongs to a recorded change
    change_id change_code REFERENCES history (change_id),
    hash chain_hash NOT NULL,
    -- a booking is positive; a reversal is negative and names the entry it reverses
    CONSTRAINT allocations_sign CHECK ((reverses IS NULL AND points > 0) OR (reverses IS NOT NULL AND points < 0)),
    CONSTRAINT allocations_not_self CHECK (reverses IS DISTINCT FROM allocation_id)
);
CREATE INDEX allocations_pool_idx ON allocations (pool_id);
CREATE INDEX allocations_intervention_idx ON allocations (intervention_id);
CREATE UNIQUE INDEX allocations_reversed_once ON allocations (reverses) WHERE reverses IS NOT NULL;

-- Earlier states of a layer: the layer of one municipality as it was before a change. The
-- features keep every schema field as JSON so that a version reads back as the same frame.
CREATE TABLE layer_versions (
    ags ags_code NOT NULL,
    change_id change_code NOT NULL,
    layer text NOT NULL CHECK (layer IN ('boundary', 'pool_areas', 'interventions')),
    columns jsonb NOT NULL,
    PRIMARY KEY (ags, change_id, layer)
);
CREATE TABLE layer_version_features (
    ags ags_code NOT NULL,
    change_id change_code NOT NULL,
    layer text NOT NULL,
    position integer NOT NULL,
    properties jsonb NOT NULL,
    geometry geometry(MultiPolygon, 25833),
    PRIMARY KEY (ags, change_id, layer, position),
    FOREIGN KEY (ags, change_id, layer) REFERENCES layer_versions
);

CREATE TABLE column_mappings (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    ags ags_code NOT NULL,
    layer text NOT NULL,
    mapping jsonb NOT NULL,
    PRIMARY KEY (ags, layer)
);

CREATE TABLE valuation_tables (
    model text PRIMARY KEY CHECK (model ~ '^[a-z0-9_-]+$'),
    csv text NOT NULL
);
