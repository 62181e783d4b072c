import pandas as pd
import shapely

from geo import demo, schema
from geo.accounting import ledger, summary
from geo.store.gpkg import GeoPackageStore
from tests.conftest import DATA

BOUNDARIES = DATA / demo.BOUNDARY_FILE


def test_generator_is_deterministic():
    a, b = demo.generate(BOUNDARIES), demo.generate(BOUNDARIES)
    pd.testing.assert_frame_equal(a["pool_areas"], b["pool_areas"])
    pd.testing.assert_frame_equal(a["interventions"], b["interventions"])
    pd.testing.assert_frame_equal(a["allocations"], b["allocations"])


def test_committed_demo_matches_the_generator(tmp_path):
    demo.write(demo.generate(BOUNDARIES), tmp_path, BOUNDARIES)
    fresh, committed = GeoPackageStore(tmp_path).read_all(), GeoPackageStore(DATA).read_all()
    pd.testing.assert_frame_equal(fresh.pool_areas, committed.pool_areas)
    pd.testing.assert_frame_equal(fresh.allocations, committed.allocations)


def test_demo_satisfies_the_schema_and_the_ledger():
    data = GeoPackageStore(DATA).read_all()
    view = summary.pool_view(data)
    pool, itv = view.pool_areas, view.interventions
    assert 280 <= len(pool) <= 320 and 70 <= len(itv) <= 90
    assert pool["pool_id"].is_unique and itv["intervention_id"].is_unique
    assert set(pool["status"]) == set(schema.POOL_STATUS)
    assert set(pool["measure_type"]) == set(schema.MEASURE_TYPES)
    assert set(itv["kind"]) == set(schema.INTERVENTION_KINDS)
    assert set(itv["status"]) == set(schema.INTERVENTION_STATUS)
    assert set(itv["coverage"]) == set(schema.COVERAGE_STATES)
    assert pool["area_m2"].between(2_000, 300_000).all()
    # Stored status agrees with the ledger, and no area is overdrawn.
    assert (data.pool_areas["status"].to_numpy() == pool["status"].to_numpy()).all()
    assert (pool["booked_points"] <= pool["value_points"] + ledger.EPS).all()
    # Inside their municipality, no overlaps.
    outline = dict(zip(view.boundaries["ags"], view.boundaries.geometry, strict=True))
    assert all(outline[a].contains(g) for a, g in zip(pool["ags"], pool.geometry, strict=True))
    geoms = pd.concat([pool.geometry, itv.geometry]).to_numpy()
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="overlaps")
    assert pairs.shape[1] == 0
    # Some bookings cross municipal borders.
    merged = data.allocations.merge(pool[["pool_id", "ags"]], on="pool_id").merge(
        itv[["intervention_id", "ags"]], on="intervention_id", suffixes=("_pool", "_itv"))
    assert (merged["ags_pool"] != merged["ags_itv"]).sum() >= 10
    # Bigger areas in the rural municipalities.
    rural = pool[pool["ags"] != "14713000"]["area_m2"].mean()
    assert rural > 2 * pool[pool["ags"] == "14713000"]["area_m2"].mean()
