"""Bookings racing a publish of the same area, each in its own process, through the real functions,
on the GeoPackage store and on PostGIS.

The publish shrinks the area to half its value or withdraws it (``gesperrt``). Whatever the
interleaving: the area is never overdrawn, nothing is booked on it once it is withdrawn, every
refusal is a German message, and ``verify`` passes afterwards.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import pytest
import shapely

from geo import schema
from geo.access.permissions import User
from geo.accounting import audit, booking, summary, valuation
from geo.errors import FlaechenpoolError
from geo.store import open_location
from geo.upload import publish
from tests.storetools import put_layer

WURZEN = schema.municipality("wurzen").ags
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)
ADMIN = User("admin", "admin")
BOOKERS = 10


def _book(location: str, pool_id: str, intervention_id: str, points: float, barrier, results) -> None:
    store = open_location(location)
    barrier.wait(timeout=120)
    try:
        booking.book(store, WURZEN_GIS, pool_id=pool_id, intervention_id=intervention_id, points=points,
                     kind="reserviert", notes="Wettlauf")
        results.put(("booked", ""))
    except FlaechenpoolError as exc:
        results.put(("refused", str(exc)))


def _publish(location: str, frame_path: str, barrier, results) -> None:
    store = open_location(location)
    import geopandas as gpd

    frame = gpd.read_parquet(frame_path)
    barrier.wait(timeout=120)
    try:
        row = publish.publish(store, ADMIN, ags=WURZEN, layer=schema.POOL_AREAS, frame=frame, source="race.gpkg")
        results.put(("published", row["change_id"].iloc[0]))
    except FlaechenpoolError as exc:
        results.put(("publish refused", str(exc)))


def _setup(store, how: str):
    """Wurzen's layer valued today; an area with room for 4 of the bookers; the layer the publisher sends."""
    pool = store.read_layer(schema.POOL_AREAS, [WURZEN])
    tables = valuation.read_tables(store)
    put_layer(store, WURZEN, schema.POOL_AREAS, pool.assign(value_points=valuation.pool_gain(pool, tables)))
    view = summary.pool_view(store.read_all())
    itv = view.interventions
    target = itv[(itv["ags"] == WURZEN) & itv["status"].isin(["geplant", "im Verfahren"])].nlargest(
        1, "open_points").iloc[0]
    pool = view.pool_areas
    fits = (pool["ags"] == WURZEN) & (pool["status"] == "verfügbar") & (pool["booked_points"] == 0) \
        & (pool["free_points"] * BOOKERS / 4 < target["open_points"])  # the demand never stops a booker
    area = pool[fits].nlargest(1, "free_points").iloc[0]
    points = float(area["free_points"]) / 4
    layer = store.read_layer(schema.POOL_AREAS, [WURZEN])
    mine = layer["pool_id"] == area["pool_id"]
    if how == "shrink":
        geom = layer.loc[mine, "geometry"].iloc[0]
        layer.loc[mine, "geometry"] = shapely.affinity.scale(geom, 0.5 ** 0.5, 0.5 ** 0.5)
        layer["value_points"] = valuation.pool_gain(layer, tables)
    else:
        layer.loc[mine, "status"] = "gesperrt"
    return area["pool_id"], target["intervention_id"], points, layer


@pytest.mark.parametrize("how", ["shrink", "withdraw"])
def test_bookings_racing_a_publish_never_overdraw_or_book_a_withdrawn_area(how, any_store, demo_dir: Path,
                                                                          tmp_path: Path):
    store = any_store
    location = os.environ.get("FLAECHENPOOL_DATABASE_URL") or str(demo_dir)  # the PostGIS fixture sets it
    pool_id, intervention_id, points, layer = _setup(store, how)
    frame_path = tmp_path / "layer.parquet"
    layer.to_parquet(frame_path)

    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(BOOKERS + 1), ctx.Queue()
    procs = [ctx.Process(target=_book, args=(location, pool_id, intervention_id, points, barrier, results))
             for _ in range(BOOKERS)]
    procs.append(ctx.Process(target=_publish, args=(location, str(frame_path), barrier, results)))
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0

    kinds = [kind for kind, _ in outcomes]
    assert 1 <= kinds.count("booked") <= 4 or (how == "withdraw" and kinds.count("booked") == 0)
    for kind, message in outcomes:
        if kind.endswith("refused"):
            assert any(word in message for word in ("nur noch", "gesperrt", "Nicht veröffentlicht", "gebucht")), \
                message
    after = summary.pool_view(store.read_all())
    area = after.pool_areas.set_index("pool_id").loc[pool_id]
    assert area["booked_points"] <= area["value_points"] + 0.5
    if "published" in kinds and how == "withdraw":
        assert kinds.count("booked") == 0 and area["status"] == "gesperrt"
    report = audit.verify(store)
    assert report.ok, report.lines()
