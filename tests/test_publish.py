"""Diff, publish, versions and restore; a publish killed midway leaves old or new, never broken."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import fmt, schema
from geo.access.permissions import User
from geo.accounting import ledger, valuation
from geo.display import changes
from geo.errors import DataError, PermissionDenied, StoreError
from geo.store import chain
from geo.store.gpkg import GeoPackageStore
from geo.upload import diff, publish
from tests.conftest import WURZEN, pool_frame, square
from tests.storetools import append_ledger, put_layer
from tests.test_validate import fingerprint

ADMIN = User("admin", "admin")
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)


def _frames():
    old = pool_frame([
        {"pool_id": "A", "value_points": 100.0, "geometry": square(0, 0, 100)},
        {"pool_id": "B", "value_points": 200.0, "geometry": square(200, 0, 100)},
        {"pool_id": "C", "value_points": 300.0, "geometry": square(400, 0, 100)},
    ])
    new = old[old["pool_id"] != "C"].copy()
    new.loc[new["pool_id"] == "A", "name"] = "Am Bach"
    new.loc[new["pool_id"] == "B", "geometry"] = square(200, 0, 90)
    new = pd.concat([new, pool_frame([{"pool_id": "D", "value_points": 5.0, "geometry": square(600, 0, 10)}])],
                    ignore_index=True)
    return old, new


def test_diff_by_stable_id_field_by_field_with_area_difference():
    old, new = _frames()
    change = diff.diff_layer(old, new, schema.POOL_AREAS)
    assert (change.added, change.changed, change.removed) == (("D",), ("A", "B"), ("C",))
    table = change.table()
    name = table[(table["ID"] == "A") & (table["Feld"] == "Flurname")].iloc[0]
    assert (name["vorher"], name["nachher"]) == ("Testfläche", "Am Bach")
    geometry = table[(table["ID"] == "B") & (table["Feld"] == "Geometrie")].iloc[0]
    assert geometry["vorher"] == "10.000 m²" and geometry["nachher"] == "8.100 m² (−1.900 m²)"
    assert change.ok  # nothing booked


def test_a_reprojection_round_trip_is_no_change():
    old, _ = _frames()
    old = old.set_geometry(old.geometry.translate(330_000, 5_690_000))
    again = old.to_crs("EPSG:31468").to_crs(schema.CRS)
    assert diff.diff_layer(old, again, schema.POOL_AREAS).empty


def _booked(pool_id: str, points: float) -> pd.DataFrame:
    row: dict[str, object] = {name: None for name in schema.field_names(schema.ALLOCATIONS)}
    row.update(allocation_id="B-1", intervention_id="X", pool_id=pool_id, kind="reserviert", points=points)
    return pd.DataFrame([row]).astype({"points": float})


def test_booked_areas_may_not_disappear_shrink_or_lose_points():
    old, new = _frames()
    allocations = pd.concat([_booked("C", 50.0), _booked("B", 150.0)], ignore_index=True)
    new.loc[new["pool_id"] == "B", "value_points"] = 120.0
    change = diff.diff_layer(old, new, schema.POOL_AREAS, allocations=allocations)
    rules = sorted(f.rule for f in change.findings)
    assert rules == ["booked_points", "booked_removed", "booked_shrunk"]
    assert any("C fehlt in der neuen Fassung, hat aber 50\u00a0WP gebucht" in f.message for f in change.findings)
    grown = old.copy()
    grown.loc[grown["pool_id"] == "B", "geometry"] = square(200, 0, 120)
    assert diff.diff_layer(old, grown, schema.POOL_AREAS, allocations=allocations[1:]).ok


def _valued_today(store: GeoPackageStore) -> gpd.GeoDataFrame:
    """Wurzen's pool layer stored with today's computed value points (measures completed since the
    demo was made gain points, and validation would rightly flag the stored ones)."""
    stored = store.read_layer(schema.POOL_AREAS, [WURZEN])
    put_layer(store, WURZEN, schema.POOL_AREAS,
              stored.assign(value_points=valuation.pool_gain(stored, valuation.read_tables(store))))
    return store.read_layer(schema.POOL_AREAS, [WURZEN])


def _wurzen_update(store: GeoPackageStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored Wurzen pool layer, and a new version: one unbooked area renamed, one added."""
    old = _valued_today(store)
    booked = ledger.enrich_pool(old, store.read_allocations())
    free = booked.loc[booked["booked_points"] == 0, "pool_id"].iloc[0]
    new = old.copy()
    new.loc[new["pool_id"] == free, "name"] = "Neuer Flurname"
    extra = old.iloc[[0]].copy()
    extra["pool_id"] = "WUR-2026-099"
    extra["geometry"] = gpd.GeoSeries([shapely.box(343_000, 5_688_000, 343_050, 5_688_050)], index=extra.index,
                                      crs=extra.crs)
    extra["value_points"] = valuation.pool_gain(extra, valuation.read_tables(store))
    return old, pd.concat([new, extra], ignore_index=True).set_crs(schema.CRS, allow_override=True)


def test_publish_keeps_the_previous_version_and_writes_history(demo_store, demo_dir):
    old, new = _wurzen_update(demo_store)
    before = fingerprint(demo_dir)
    row = publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=new,
                          source="wurzen_2026.gpkg").iloc[0]
    assert (row["user"], row["ags"], row["layer"], row["action"], row["source"]) == (
        "wurzen.gis", WURZEN, schema.POOL_AREAS, "upload", "wurzen_2026.gpkg")
    assert (row["added"], row["changed"], row["removed"]) == (1, 1, 0)
    stored = demo_store.read_layer(schema.POOL_AREAS, [WURZEN])
    assert row["checksum"] == chain.layer_checksum(stored, schema.POOL_AREAS) and len(row["checksum"]) == 64
    assert demo_store.read_history()["change_id"].iloc[-1] == row["change_id"]
    stored = demo_store.read_layer(schema.POOL_AREAS, [WURZEN])
    assert "WUR-2026-099" in set(stored["pool_id"])
    pd.testing.assert_frame_equal(publish.earlier_version(demo_store, row["change_id"]), old)
    after = fingerprint(demo_dir)
    moved = {k for k in after if before.get(k) != after[k]}
    assert moved == {"wurzen.gpkg", "pool.gpkg", f"versions/wurzen/{row['change_id']}-pool_areas.gpkg"}
    with pytest.raises(DataError, match="Nichts zu veröffentlichen"):
        publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=new, source="x")


def test_admin_restores_in_one_step_and_it_is_recorded(demo_store, demo_dir):
    old, new = _wurzen_update(demo_store)
    files = fingerprint(demo_dir)
    change_id = publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=new,
                                source="neu.gpkg")["change_id"].iloc[0]
    with pytest.raises(PermissionDenied, match="nur die Administration"):
        publish.restore(demo_store, WURZEN_GIS, change_id)
    restored = publish.restore(demo_store, ADMIN, change_id).iloc[0]
    assert (restored["action"], restored["source"], restored["removed"], restored["changed"]) == (
        "restore", f"Stand vor {change_id}", 1, 1)
    pd.testing.assert_frame_equal(demo_store.read_layer(schema.POOL_AREAS, [WURZEN]), old)
    after = fingerprint(demo_dir)
    untouched = {k for k in files if k not in ("wurzen.gpkg", "pool.gpkg")}
    assert all(after[k] == files[k] for k in untouched)
    # the restore itself kept the state it replaced: restoring "before the restore" brings the upload back
    publish.restore(demo_store, ADMIN, restored["change_id"])
    assert "WUR-2026-099" in set(demo_store.read_layer(schema.POOL_AREAS, [WURZEN])["pool_id"])


def test_restore_refuses_to_drop_what_was_booked_since(demo_store):
    _, new = _wurzen_update(demo_store)
    change_id = publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=new,
                                source="neu.gpkg")["change_id"].iloc[0]
    entry = _booked("WUR-2026-099", 10.0).assign(allocation_id="B-2026-99999", intervention_id="BPL-WUR-01")
    append_ledger(demo_store, entry)
    with pytest.raises(DataError, match="WUR-2026-099 fehlt in der neuen Fassung, hat aber 10\u00a0WP gebucht"):
        publish.restore(demo_store, ADMIN, change_id)


def test_a_first_upload_keeps_the_empty_layer_before_it(demo_store):
    first = demo_store.read_history()
    first_upload = first[first["action"] == "upload"]["change_id"].iloc[0]
    earlier = publish.earlier_version(demo_store, first_upload)
    assert earlier.empty and list(earlier.columns[:3]) == ["pool_id", "name", "ags"]


def test_a_missing_earlier_version_is_a_german_store_error(demo_store, demo_dir):
    first_upload = demo_store.read_history()["change_id"].iloc[0]
    for path in (demo_dir / "versions").rglob(f"{first_upload}-*.gpkg"):
        path.unlink()
    with pytest.raises(StoreError, match="kein früherer Stand"):
        publish.earlier_version(demo_store, first_upload)


@pytest.mark.parametrize("status", ["gesperrt", "geplant"])
def test_a_booked_area_cannot_be_withdrawn_or_set_back_to_planned(status, demo_store, demo_dir):
    old = _valued_today(demo_store)
    booked = ledger.enrich_pool(old, demo_store.read_allocations())
    pool_id, points = booked.loc[booked["booked_points"] > 0, ["pool_id", "booked_points"]].iloc[0]
    new = old.copy()
    new.loc[new["pool_id"] == pool_id, "status"] = status
    change = diff.diff_layer(old, new, schema.POOL_AREAS, allocations=demo_store.read_allocations())
    assert [(f.rule, f.feature_id, f.field) for f in change.findings] == [("booked_status", pool_id, "status")]
    assert change.findings[0].message == (f"{pool_id} soll „{status}“ werden, hat aber {fmt.points(points)} gebucht: "
                                          "erst die Buchungen stornieren, dann den Status ändern.")
    before = fingerprint(demo_dir)
    with pytest.raises(DataError, match=f"Nicht veröffentlicht: {pool_id} soll „{status}“ werden"):
        publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=new, source="x.gpkg")
    assert fingerprint(demo_dir) == before
    unbooked = booked.loc[booked["booked_points"] == 0, "pool_id"].iloc[0]
    new = old.copy()
    new.loc[new["pool_id"] == unbooked, "status"] = status
    assert diff.diff_layer(old, new, schema.POOL_AREAS, allocations=demo_store.read_allocations()).ok


def test_municipality_keys_show_as_names_in_change_tables():
    ags_field = next(f for f in schema.POOL_FIELDS if f.name == "ags")
    assert diff.display_value("14729070", ags_field) == "Brandis"
    assert diff.display_value("99999999", ags_field) == "99999999"
    frame = pd.DataFrame({f.name: [None] for f in schema.POOL_FIELDS}).assign(ags="14729410")
    assert changes.layer_table(frame, schema.POOL_AREAS)["Gemeinde"].tolist() == ["Wurzen"]
