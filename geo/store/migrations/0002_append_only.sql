-- The ledger, the history and the kept layer versions are append-only, enforced by the database:
-- any UPDATE, DELETE or TRUNCATE is refused, whoever sends it. Only the owner of the tables can
-- switch these triggers off (ALTER TABLE ... DISABLE TRIGGER needs ownership), which
-- PostGISStore.replace_all does inside its one transaction to load a whole store (demo, migration).
-- The app's role additionally gets only INSERT and SELECT on these tables (README, "Rollen").
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Die Tabelle „%“ ist unveränderlich: Einträge werden nur angehängt, nie geändert oder gelöscht (% abgelehnt).',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER allocations_append_only BEFORE UPDATE OR DELETE ON allocations
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER allocations_no_truncate BEFORE TRUNCATE ON allocations
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER layer_versions_append_only BEFORE UPDATE OR DELETE ON layer_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER layer_versions_no_truncate BEFORE TRUNCATE ON layer_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER layer_version_features_append_only BEFORE UPDATE OR DELETE ON layer_version_features
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER layer_version_features_no_truncate BEFORE TRUNCATE ON layer_version_features
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
