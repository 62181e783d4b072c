"""geo.store.migrate: GeoPackage → PostGIS → GeoPackage keeps everything, and checks say so."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import affinity

from geo import schema
from geo.access.permissions import User
from geo.accounting import booking, summary
from geo.errors import StoreError
from geo.schema import PoolData
from geo.store import chain
from geo.store.gpkg import GeoPackageStore
from geo.store.migrate import migrate
from tests.conftest import WURZEN
from tests.storetools import put_layer

FRAMES = ("boundaries", "pool_areas", "interventions", "allocations", "history")


def _assert_same(a: GeoPackageStore, b: object) -> None:
    one, two = a.read_all(), b.read_all()  # type: ignore[attr-defined]
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(two, name), getattr(one, name), obj=name)
    assert b.list_versions() == a.list_versions()  # type: ignore[attr-defined]
    for ref in a.list_versions():
        pd.testing.assert_frame_equal(b.read_version(*ref), a.read_version(*ref))  # type: ignore[attr-defined]
    for m in schema.MUNICIPALITIES:
        assert b.read_mapping(m.ags) == a.read_mapping(m.ags)  # type: ignore[attr-defined]
    assert b.read_valuation_sources() == a.read_valuation_sources()  # type: ignore[attr-defined]


def _lived_in(store: GeoPackageStore) -> None:
    """A booking, a publish with a non-empty earlier version and a remembered mapping on top of the demo."""
    view = summary.pool_view(store.read_all())
    area = view.pool_areas[view.pool_areas["free_points"] > 100].iloc[0]
    target = view.interventions[(view.interventions["open_points"] > 10)
                                & view.interventions["status"].isin(["geplant", "im Verfahren"])].iloc[0]
    booking.book(store, User("admin", "admin"), pool_id=area["pool_id"], intervention_id=target["intervention_id"],
                 points=10, kind="reserviert", notes="vor der Übernahme")
    put_layer(store, WURZEN, schema.POOL_AREAS, store.read_layer(schema.POOL_AREAS, [WURZEN]).iloc[:-1])
    store.write_mapping(WURZEN, schema.POOL_AREAS, {"columns": {"pool_id": "KENNUNG"}, "values": {"status": {}}})


def test_geopackage_to_postgis_and_back_keeps_everything(demo_store, postgis_empty_store, tmp_path):
    _lived_in(demo_store)
    there = migrate(demo_store, postgis_empty_store)
    _assert_same(demo_store, postgis_empty_store)
    back = GeoPackageStore(tmp_path / "zurueck")
    again = migrate(postgis_empty_store, back)
    _assert_same(demo_store, back)
    for store in (postgis_empty_store, back):
        assert chain.broken_rows(store.read_allocations(), schema.ALLOCATIONS) == []
        assert chain.broken_rows(store.read_history(), schema.HISTORY) == []
    assert there[0].startswith(f"Von {demo_store.key} nach {postgis_empty_store.key}")
    assert any(line.startswith("Poolflächen: 299 Objekte, IDs und Felder gleich, Geometrien gleich") for line in there)
    assert any(line.startswith("Buchungen: 128 Einträge mit IDs, Feldern und Hashes gleich, Kette geprüft")
               for line in again)
    assert "Frühere Stände: 19 gleich (Objekte, Felder, Geometrien)" in again


def test_the_copy_continues_with_the_next_change_id(demo_store, postgis_empty_store):
    migrate(demo_store, postgis_empty_store)
    row = put_layer(postgis_empty_store, WURZEN, schema.POOL_AREAS,
                    postgis_empty_store.read_layer(schema.POOL_AREAS, [WURZEN]).iloc[:-1]).iloc[0]
    assert row["change_id"] == "C-000021"
    assert chain.broken_rows(postgis_empty_store.read_history(), schema.HISTORY) == []


def test_a_non_empty_target_is_refused(demo_store, postgis_store):
    before = postgis_store.version()
    with pytest.raises(StoreError, match=r"enthält schon Daten; .* Es wurde nichts geändert"):
        migrate(demo_store, postgis_store)
    assert postgis_store.version() == before


class _Lossy(GeoPackageStore):
    """A target that loses a little on the way (what the checks are for)."""

    def __init__(self, path, damage):
        super().__init__(path)
        self._damage = damage

    def replace_all(self, data, **kw):
        super().replace_all(self._damage(data), **kw)


def _shift_one_area(data: PoolData) -> PoolData:
    pool = data.pool_areas.copy()
    shifted = [affinity.translate(g, xoff=0.01) if i == 3 else g for i, g in enumerate(pool.geometry)]
    pool = pool.set_geometry(gpd.GeoSeries(shifted, index=pool.index, crs=pool.crs))
    return PoolData(data.boundaries, pool, data.interventions, data.allocations, data.history)


def _drop_a_booking(data: PoolData) -> PoolData:
    return PoolData(data.boundaries, data.pool_areas, data.interventions, data.allocations.iloc[1:], data.history)


def _change_points(data: PoolData) -> PoolData:
    ledger = data.allocations.copy()
    ledger["points"] = ledger["points"].where(ledger.index != 5, ledger["points"] + 1)
    return PoolData(data.boundaries, data.pool_areas, data.interventions, ledger, data.history)


@pytest.mark.parametrize(("damage", "message"), [
    (_shift_one_area, r"Poolflächen: Geometrie weicht um mehr als 1 mm ab bei L-2027-004\."),
    (_drop_a_booking, r"Buchungen: 127 Einträge in der Quelle, 126 im Ziel"),
    (_change_points, r"Buchungen: Feld „points“ weicht ab bei B-2026-00006\. .*Kette ist im Ziel ab Eintrag 6 "
                     r"unterbrochen\. Buchungen: Summe der Wertpunkte weicht ab"),
])
def test_a_copy_that_differs_is_refused_in_german(demo_store, tmp_path, damage, message):
    with pytest.raises(StoreError, match=f"Die Kopie nach gpkg:.* stimmt nicht mit {demo_store.key} überein: .*"
                                         f"{message}"):
        migrate(demo_store, _Lossy(tmp_path / "ziel", damage))
