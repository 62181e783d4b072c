"""Natural regions: where areas lie, ranking below equal candidates inside, flags, the stored layer."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import candidates, ledger, naturalregions, summary
from geo.display import interventions
from geo.errors import DataError, PermissionDenied
from geo.schema import PoolData
from geo.store import Store
from tests.conftest import WURZEN, intervention_frame, pool_frame, square
from tests.storetools import snapshot

# Wurzen [0, 1000]², split at x = 500 into two regions; the intervention lies in the west.
BOUNDARIES = gpd.GeoDataFrame({"ags": [WURZEN], "name": ["Wurzen"]}, geometry=[square(0, 0, 1000)], crs=schema.CRS)
REGIONS = gpd.GeoDataFrame({"region_id": ["W", "O"], "name": ["West", "Ost"], "notes": ["", ""]},
                           geometry=[square(0, 0, 1000).intersection(square(-500, 0, 1000)),
                                     square(500, 0, 1000).intersection(square(0, 0, 1000))], crs=schema.CRS)
ITV = intervention_frame([{"intervention_id": "E1", "geometry": square(490, 100, 5), "demand_points": 1_000.0}])


def _view(entries: pd.DataFrame | None = None) -> summary.PoolView:
    # Two areas equal in all but the region: both 10 m from the intervention, same size and points.
    pool = pool_frame([{"pool_id": "OST", "geometry": square(505, 100, 10), "value_points": 5_000.0},
                       {"pool_id": "WEST", "geometry": square(475, 100, 5), "value_points": 5_000.0}])
    return summary.pool_view(PoolData(BOUNDARIES, pool, ITV, ledger.empty_ledger() if entries is None else entries,
                                      pd.DataFrame({"ags": pd.Series(dtype=object)}), natural_regions=REGIONS))


def test_every_area_and_intervention_knows_its_region():
    view = _view()
    assert view.pool_areas.set_index("pool_id")["natural_region"].to_dict() == {"OST": "Ost", "WEST": "West"}
    assert view.interventions["natural_region"].tolist() == ["West"]


def test_a_candidate_in_another_region_ranks_below_an_equal_one_inside_and_says_why():
    view = _view()
    ranked = candidates.for_intervention(view.pool_areas, view.interventions, view.boundaries, "E1")
    assert ranked["pool_id"].tolist() == ["WEST", "OST"]
    assert ranked["distance_km"].tolist() == pytest.approx([0.01, 0.01])
    east = ranked.set_index("pool_id").loc["OST"]
    assert east["score"] == pytest.approx(ranked.set_index("pool_id").loc["WEST", "score"] - 5.0)
    assert "anderer Naturraum (Ost) als der Eingriff" in east["reason"]
    assert "Naturraum" not in ranked.set_index("pool_id").loc["WEST", "reason"]
    without = candidates.for_intervention(view.pool_areas, view.interventions, view.boundaries, "E1",
                                          weights=candidates.RankingWeights(other_natural_region=0.0))
    assert without.set_index("pool_id")["score"].nunique() == 1


def test_bookings_across_regions_are_flagged_in_the_journal_and_the_report():
    entries = pd.concat([ledger.plan_booking(_view().pool_areas, ITV, ledger.empty_ledger(), pool_id=p,
                                             intervention_id="E1", points=400, kind="zugeordnet", user="t")
                         .assign(allocation_id=f"B-{p}") for p in ("OST", "WEST")], ignore_index=True)
    view = _view(entries)
    journal = interventions.journal(view, "E1").set_index("pool_id")
    assert journal["region_note"].to_dict() == {"OST": "anderer Naturraum: Ost", "WEST": ""}
    across = summary.report(view, summary.Scope()).across_regions
    assert across[["pool_id", "pool_region", "intervention_region"]].values.tolist() == [["OST", "Ost", "West"]]


def test_an_uploaded_layer_must_have_named_polygons():
    with pytest.raises(DataError, match="Spalte „name“"):
        naturalregions.checked(REGIONS.drop(columns="name"))
    with pytest.raises(DataError, match="Flächen"):
        naturalregions.checked(REGIONS.assign(geometry=REGIONS.geometry.centroid))


def test_the_layer_is_replaced_by_administrators_only_on_both_backends(any_store: Store):
    before = snapshot(any_store)
    with pytest.raises(PermissionDenied):
        naturalregions.publish(any_store, User("wurzen.gis", "gis", WURZEN), REGIONS)
    assert snapshot(any_store) == before
    entry = naturalregions.publish(any_store, User("admin", "admin"), REGIONS.to_crs("EPSG:4326"), source="nr.gpkg")
    assert (entry["layer"].iloc[0], entry["action"].iloc[0]) == (schema.NATURAL_REGIONS, "regions")
    stored = any_store.read_all().natural_regions
    assert stored is not None and sorted(stored["name"]) == ["Ost", "West"]
    assert stored.crs == schema.CRS and stored.area.sum() == pytest.approx(1_000_000, rel=1e-6)
