-- Privileges of the app's everyday role on a shared PostgreSQL server (README, "PostgreSQL/PostGIS").
-- Run as the schema owner (or a superuser) after the migrations are in, e.g.
--   psql "postgresql://flaechenpool_owner@db.example/flaechenpool" -f geo/store/grants.sql
-- The app role reads everything, appends to the ledger, the history, the kept versions and the
-- request events and the prices, records the delivery of notifications (outbox) (INSERT and SELECT only: together with the append-only triggers nothing it wrote can be
-- changed or deleted), replaces layer rows when a municipality publishes, and locks the chain
-- head (SELECT ... FOR UPDATE needs the UPDATE privilege). It cannot change the schema, apply
-- migrations or replace the whole store; the owner does that.
GRANT USAGE ON SCHEMA public TO flaechenpool_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO flaechenpool_app;
GRANT INSERT ON allocations, history, layer_versions, layer_version_features, request_events, prices,
    valuation_versions, measure_events, inspections, documents, files TO flaechenpool_app;
GRANT INSERT, UPDATE ON valuation_tables TO flaechenpool_app;
GRANT INSERT, DELETE ON natural_regions TO flaechenpool_app;
GRANT INSERT, UPDATE (sent_at, error) ON outbox TO flaechenpool_app;
GRANT INSERT, UPDATE, DELETE ON boundary, pool_areas, interventions TO flaechenpool_app;
GRANT INSERT, UPDATE ON column_mappings TO flaechenpool_app;
GRANT UPDATE ON store_head TO flaechenpool_app;
