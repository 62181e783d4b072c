"""The PostGIS store keeps the GeoPackage store's contract, and its database enforces the rules itself."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import shapely

from geo import schema
from geo.access.permissions import User
from geo.accounting import booking, summary
from geo.errors import StoreError
from geo.store import chain, history_entry
from geo.store import postgis as postgis_module
from geo.store.postgis import PostGISStore
from tests import pgserver
from tests.conftest import MACHERN, WURZEN
from tests.storetools import append_ledger, put_layer, snapshot

REPO = Path(__file__).resolve().parent.parent
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)


def _url() -> str:
    return os.environ["FLAECHENPOOL_DATABASE_URL"]


def _sql(statement: str, params: list[object] | None = None, url: str | None = None) -> list[tuple[object, ...]]:
    with psycopg.connect(url or _url(), autocommit=True) as conn:
        cur = conn.execute(statement.encode() if params is None else statement, params)
        return cur.fetchall() if cur.description else []


def test_both_stores_return_the_same_frames(demo_store, postgis_store):
    gpkg, pg = demo_store.read_all(), postgis_store.read_all()
    for name in ("boundaries", "pool_areas", "interventions", "allocations", "history"):
        pd.testing.assert_frame_equal(getattr(pg, name), getattr(gpkg, name), obj=name)
    assert pg.pool_areas.crs == schema.CRS and set(pg.pool_areas.geom_type) == {"MultiPolygon"}
    assert postgis_store.list_versions() == demo_store.list_versions()
    for ref in demo_store.list_versions():
        pd.testing.assert_frame_equal(postgis_store.read_version(*ref), demo_store.read_version(*ref))
    assert postgis_store.read_valuation_sources() == demo_store.read_valuation_sources()
    for layer in schema.MUNICIPAL_LAYERS:
        pd.testing.assert_frame_equal(postgis_store.read_layer(layer, ["wurzen", MACHERN]),
                                      demo_store.read_layer(layer, ["wurzen", MACHERN]))


def test_the_key_names_the_database_but_not_the_password(postgis_store):
    with_password = _url().replace("postgres@", "postgres:geheim-123@")
    store = PostGISStore(with_password)
    try:
        assert "geheim" not in store.key and "geheim" not in repr(store)
        assert store.key == postgis_store.key and store.key.startswith("postgis:postgres@")
    finally:
        store.close()


def test_mappings_round_trip_in_order(any_store):
    any_store.write_mapping("wurzen", schema.POOL_AREAS, {"columns": {"pool_id": "ID"}, "values": {}})
    any_store.write_mapping(WURZEN, schema.INTERVENTIONS, {"columns": {"name": "Bez"}})
    any_store.write_mapping(WURZEN, schema.POOL_AREAS, {"columns": {"pool_id": "KENN"}})
    assert any_store.read_mapping("wurzen") == {schema.POOL_AREAS: {"columns": {"pool_id": "KENN"}},
                                                schema.INTERVENTIONS: {"columns": {"name": "Bez"}}}
    assert list(any_store.read_mapping(WURZEN)) == [schema.POOL_AREAS, schema.INTERVENTIONS]
    assert any_store.read_mapping(MACHERN) == {}


def test_a_publish_stores_polygons_as_multipolygons_and_writes_one_version(any_store):
    pool = any_store.read_layer(schema.POOL_AREAS, [WURZEN])
    single = pool.copy()
    single.loc[0, "geometry"] = shapely.box(343_000, 5_688_000, 343_050, 5_688_050)
    row = put_layer(any_store, WURZEN, schema.POOL_AREAS, single).iloc[0]
    again = any_store.read_layer(schema.POOL_AREAS, [WURZEN])
    assert again.geometry.iloc[0].geom_type == "MultiPolygon" and again.geometry.iloc[0].area == 2500
    assert row["checksum"] == chain.layer_checksum(again, schema.POOL_AREAS)
    pd.testing.assert_frame_equal(any_store.read_version(WURZEN, row["change_id"], schema.POOL_AREAS), pool)


@pytest.mark.parametrize("table", ["allocations", "history"])
@pytest.mark.parametrize("statement", [
    "UPDATE {table} SET notes = 'geändert'",
    "DELETE FROM {table}",
    "TRUNCATE {table} CASCADE",
])
def test_the_database_refuses_to_change_the_ledger_and_history(postgis_store, table, statement):
    before = snapshot(postgis_store)
    with pytest.raises(psycopg.errors.RestrictViolation, match=f"Die Tabelle „{table}“ ist unveränderlich"):
        _sql(statement.format(table=table))
    assert snapshot(postgis_store) == before
    assert chain.broken_rows(postgis_store.read_allocations(), schema.ALLOCATIONS) == []


def test_kept_versions_cannot_be_changed_either(postgis_store):
    put_layer(postgis_store, WURZEN, schema.POOL_AREAS, postgis_store.read_layer(schema.POOL_AREAS, [WURZEN]).iloc[:-1])
    with pytest.raises(psycopg.errors.RestrictViolation, match="layer_version_features"):
        _sql("UPDATE layer_version_features SET geometry = NULL")


def _entry(**fields: object) -> pd.DataFrame:
    row: dict[str, object] = {name: None for name in schema.field_names(schema.ALLOCATIONS)}
    row.update(allocation_id="B-2099-00001", intervention_id="BPL-WUR-01", pool_id="WUR-2020-001",
               kind="reserviert", points=10.0, date="2026-11-02", booked_by="test")
    row.update(fields)
    return pd.DataFrame([row])


@pytest.mark.parametrize(("fields", "message"), [
    ({"points": -10.0}, "allocations_sign"),
    ({"points": 10.0, "reverses": "B-2026-00001"}, "allocations_sign"),
    ({"points": -10.0, "reverses": "B-2099-99999"}, "Verweis zeigt auf einen Eintrag, den es nicht gibt"),
    ({"kind": "gebucht"}, "allocations_kind_check"),
    ({"allocation_id": "B-2026-00001"}, "„B-2026-00001“ ist als allocation_id schon vergeben"),
])
def test_the_database_refuses_ledger_rows_that_break_its_rules(postgis_store, fields, message):
    before = snapshot(postgis_store)
    with pytest.raises(StoreError, match=f"Buchung: Die Datenbank hat die Änderung abgelehnt, .*{message}"):
        append_ledger(postgis_store, _entry(**fields))
    assert snapshot(postgis_store) == before


def test_ids_are_unique_across_municipalities_and_a_failed_publish_leaves_nothing(postgis_store):
    wurzen = postgis_store.read_layer(schema.POOL_AREAS, [WURZEN])
    machern = postgis_store.read_layer(schema.POOL_AREAS, [MACHERN])
    clash = machern.copy()
    clash.loc[clash.index[-1], "pool_id"] = wurzen["pool_id"].iloc[0]
    before = snapshot(postgis_store)
    with pytest.raises(StoreError, match=f"„{wurzen['pool_id'].iloc[0]}“ ist als pool_id schon vergeben "
                                         r"\(IDs sind über alle Gemeinden eindeutig\). Es wurde nichts geändert"):
        put_layer(postgis_store, MACHERN, schema.POOL_AREAS, clash)
    assert snapshot(postgis_store) == before


@pytest.mark.parametrize(("layer", "field", "value"), [
    (schema.POOL_AREAS, "status", "frei"),
    (schema.POOL_AREAS, "measure_type", "Parkplatz"),
    (schema.INTERVENTIONS, "kind", "Flughafen"),
    (schema.INTERVENTIONS, "status", "abgelehnt"),
])
def test_the_database_refuses_unknown_enum_values(postgis_store, layer, field, value):
    frame = postgis_store.read_layer(layer, [WURZEN])
    frame.loc[frame.index[0], field] = value
    with pytest.raises(StoreError, match=f"verletzt die Regel „{layer}_{field}_check“"):
        put_layer(postgis_store, WURZEN, layer, frame)


def test_the_check_constraints_name_exactly_the_schemas_enums(postgis_store):
    definitions = dict(_sql("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'"))
    enums = {"pool_areas_status_check": schema.POOL_STATUS, "pool_areas_measure_type_check": schema.MEASURE_TYPES,
             "interventions_kind_check": schema.INTERVENTION_KINDS,
             "interventions_status_check": schema.INTERVENTION_STATUS,
             "allocations_kind_check": schema.ALLOCATION_KINDS, "history_action_check": schema.HISTORY_ACTIONS}
    for name, values in enums.items():
        quoted = sorted(part.split("'")[1] for part in str(definitions[name]).split("::text")[:-1] if "'" in part)
        assert quoted == sorted(values), name


def test_ags_must_be_eight_digits(postgis_store):
    with pytest.raises(psycopg.errors.CheckViolation, match="ags_code"):
        _sql("INSERT INTO boundary (ags, name, position) VALUES ('1471', 'kurz', 0)")


def test_layers_have_typed_geometries_with_gist_indexes(postgis_store):
    columns = _sql("SELECT f_table_name, type, srid FROM geometry_columns ORDER BY f_table_name")
    assert {(t, kind, srid) for t, kind, srid in columns} >= {
        (layer, "MULTIPOLYGON", 25833) for layer in schema.MUNICIPAL_LAYERS}
    indexed = {t for (t,) in _sql("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist (geometry)%'")}
    assert indexed >= set(schema.MUNICIPAL_LAYERS)


def test_migrations_are_recorded_and_applied_once(postgis_store):
    files = sorted(p.stem for p in postgis_module.MIGRATIONS_DIR.glob("*.sql"))
    assert [v for (v,) in _sql("SELECT version FROM schema_migrations ORDER BY version")] == files
    PostGISStore(_url()).close()  # opening again applies nothing
    assert len(_sql("SELECT version FROM schema_migrations")) == len(files)


def test_a_changed_or_unknown_migration_is_refused_on_open(postgis_store):
    _sql("UPDATE schema_migrations SET sha256 = 'x' WHERE version = '0001_tables'")
    with pytest.raises(StoreError, match=r"Migration 0001_tables\.sql wurde nach dem Einspielen verändert"):
        PostGISStore(_url())
    _sql("UPDATE schema_migrations SET sha256 = %s WHERE version = '0001_tables'",
         [hashlib.sha256((postgis_module.MIGRATIONS_DIR / "0001_tables.sql").read_bytes()).hexdigest()])
    _sql("INSERT INTO schema_migrations (version, sha256) VALUES ('9999_future', 'y')")
    with pytest.raises(StoreError, match=r"neueren Schemastand \(9999_future\)"):
        PostGISStore(_url())


def test_an_unreachable_database_is_a_german_store_error(monkeypatch):
    monkeypatch.setattr(postgis_module, "CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(StoreError, match=r"Die Datenbank .* ist nicht erreichbar"):
        PostGISStore(f"postgresql://nobody@127.0.0.1:{pgserver.free_port()}/nirgends?connect_timeout=1")


def test_the_app_role_books_and_publishes_but_cannot_rewrite_or_replace(postgis_store):
    """The grants of geo/store/grants.sql are enough to run the app and no more."""
    _sql("DO $$ BEGIN CREATE ROLE flaechenpool_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    _sql((REPO / "geo/store/grants.sql").read_text(encoding="utf-8"))
    app_url = _url().replace("postgres@", "flaechenpool_app@")
    app = PostGISStore(app_url)
    try:
        view = summary.pool_view(app.read_all())
        area = view.pool_areas[(view.pool_areas["free_points"] > 100) & (view.pool_areas["ags"] == WURZEN)].iloc[0]
        target = view.interventions[(view.interventions["ags"] == WURZEN) & (view.interventions["open_points"] > 10)
                                    & (view.interventions["status"] != "umgesetzt")].iloc[0]
        booking.book(app, WURZEN_GIS, pool_id=area["pool_id"], intervention_id=target["intervention_id"],
                     points=10, kind="reserviert")
        put_layer(app, WURZEN, schema.POOL_AREAS, app.read_layer(schema.POOL_AREAS, [WURZEN]).iloc[:-1])
        app.write_mapping(WURZEN, schema.POOL_AREAS, {"columns": {}})
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql("UPDATE allocations SET notes = 'x'", url=app_url)
        with pytest.raises(StoreError, match=r"Datenbestand ersetzen: Dafür fehlen der Anmeldung .* die Rechte"):
            app.replace_all(app.read_all())
    finally:
        app.close()
        _sql("DROP OWNED BY flaechenpool_app")
    assert chain.broken_rows(postgis_store.read_history(), schema.HISTORY) == []


def test_a_booking_refuses_when_its_area_was_changed_behind_the_stores_back(postgis_store, monkeypatch):
    """Lock 2: the rows a booking names are locked and compared with what its plan decided on."""
    view = summary.pool_view(postgis_store.read_all())
    area = view.pool_areas[(view.pool_areas["free_points"] > 100) & (view.pool_areas["ags"] == WURZEN)].iloc[0]
    target = view.interventions[(view.interventions["ags"] == WURZEN) & (view.interventions["open_points"] > 10)
                                & (view.interventions["status"] != "umgesetzt")].iloc[0]
    real_read_all = PostGISStore._read_all

    def read_then_withdraw(self, conn):  # a DBA withdraws the area right after the plan's read
        state = real_read_all(self, conn)
        _sql("UPDATE pool_areas SET status = 'gesperrt' WHERE pool_id = %s", [area["pool_id"]])
        return state

    monkeypatch.setattr(PostGISStore, "_read_all", read_then_withdraw)
    before = len(postgis_store.read_allocations())
    with pytest.raises(StoreError, match=f"{area['pool_id']} wurde während der Buchung geändert"):
        booking.book(postgis_store, WURZEN_GIS, pool_id=area["pool_id"], intervention_id=target["intervention_id"],
                     points=10, kind="reserviert")
    monkeypatch.undo()
    assert len(postgis_store.read_allocations()) == before


def test_history_entry_rows_get_sealed_by_replace_all(any_empty_store, demo_store):
    data = demo_store.read_all()
    unsealed = data.history.assign(hash=None)
    entry = history_entry(user="t", layer=schema.POOL_AREAS, action="upload").assign(change_id="C-000999")
    history = pd.concat([unsealed, entry], ignore_index=True)
    any_empty_store.replace_all(type(data)(data.boundaries, data.pool_areas, data.interventions,
                                           data.allocations, history))
    stored = any_empty_store.read_history()
    assert chain.broken_rows(stored, schema.HISTORY) == [] and stored["change_id"].iloc[-1] == "C-000999"
    assert put_layer(any_empty_store, WURZEN, schema.POOL_AREAS,
                     data.pool_areas[data.pool_areas["ags"] == WURZEN])["change_id"].iloc[0] == "C-001000"
