"""Two processes race for the last free points of one pool area through geo.accounting.booking."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from geo.accounting import summary
from geo.store.gpkg import GeoPackageStore
from tests.test_store_race import WURZEN_GIS, _book  # one booking worker for every race


def test_two_processes_race_for_the_last_points_exactly_one_wins(demo_dir: Path):
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    itv = view.interventions
    targets = itv[(itv["ags"] == WURZEN_GIS.ags) & itv["status"].isin(["geplant", "im Verfahren"])
                  & (itv["open_points"] > 0)].nlargest(2, "open_points")
    smaller = float(targets["open_points"].min())
    pool = view.pool_areas
    area = pool[(pool["status"] == "verfügbar") & (pool["ags"] == WURZEN_GIS.ags) & (pool["free_points"] > 1_000)
                & (pool["free_points"] < smaller)].iloc[0]
    points = float(area["free_points"]) * 0.75  # either booking alone fits, both together overdraw
    n_before = len(view.allocations)

    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_book, args=(str(demo_dir), area["pool_id"], target, points, barrier, results))
             for target in targets["intervention_id"]]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0

    assert sorted(kind for kind, _ in outcomes) == ["booked", "refused"]
    refusal = next(message for kind, message in outcomes if kind == "refused")
    assert f"Die Poolfläche {area['pool_id']} hat nur noch" in refusal and "überziehen" in refusal

    after = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    assert len(after.allocations) == n_before + 1
    assert after.history["notes"].str.contains(area["pool_id"]).sum() == 1
    booked = after.pool_areas.set_index("pool_id").loc[area["pool_id"]]
    assert booked["booked_points"] <= booked["value_points"]
    assert booked["free_points"] == float(area["free_points"]) - points
