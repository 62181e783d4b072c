"""Ranking of candidate pool areas on tiny hand-built municipalities (side 1 km)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo import schema
from geo.accounting import candidates, ledger, summary
from geo.errors import BookingError
from geo.schema import PoolData
from tests.conftest import LEIPZIG, MACHERN, WURZEN, intervention_frame, pool_frame, square

BENNEWITZ = schema.municipality("bennewitz").ags
# Wurzen [0, 1000]², Bennewitz shares its eastern border, Machern touches only its
# north-eastern corner, Leipzig lies 2 km away.
BOUNDARIES = gpd.GeoDataFrame(
    {"ags": [WURZEN, BENNEWITZ, MACHERN, LEIPZIG], "name": ["Wurzen", "Bennewitz", "Machern", "Leipzig"]},
    geometry=[square(0, 0, 1000), square(1000, 0, 1000), square(1000, 1000, 1000), square(4000, 0, 1000)],
    crs=schema.CRS)
ITV = intervention_frame([{"intervention_id": "E1", "geometry": square(100, 100, 10), "demand_points": 1_000.0}])


def view(rows: list[dict], entries: pd.DataFrame | None = None, itv: gpd.GeoDataFrame = ITV) -> summary.PoolView:
    data = PoolData(boundaries=BOUNDARIES, pool_areas=pool_frame(rows), interventions=itv,
                    allocations=ledger.empty_ledger() if entries is None else entries, history=pd.DataFrame())
    return summary.pool_view(data)


def ranked(v: summary.PoolView, **kw) -> gpd.GeoDataFrame:
    return candidates.for_intervention(v.pool_areas, v.interventions, v.boundaries, "E1", **kw)


def area(pool_id: str, x: float, y: float, points: float = 5_000.0, **kw) -> dict:
    return {"pool_id": pool_id, "geometry": square(x, y, 10), "value_points": points, **kw}


def test_a_nearer_area_ranks_above_a_farther_one_when_all_else_is_equal():
    result = ranked(view([area("FAR", 800, 100), area("NEAR", 300, 100)]))
    assert result["pool_id"].tolist() == ["NEAR", "FAR"]
    assert result["rank"].tolist() == [1, 2]
    assert result["distance_km"].tolist() == pytest.approx([0.19, 0.69])


def test_an_area_that_covers_the_rest_alone_ranks_above_one_that_does_not():
    result = ranked(view([area("SMALL", 150, 100, points=400.0), area("BIG", 600, 100, points=1_000.0)]))
    assert result["pool_id"].tolist() == ["BIG", "SMALL"]
    assert result["covers_alone"].tolist() == [True, False]
    assert "deckt den Restbedarf allein" in result["reason"].iloc[0]
    assert "deckt 40\u00a0% des Restbedarfs" in result["reason"].iloc[1]


def test_covering_alone_is_measured_against_the_remaining_demand():
    first = ledger.plan_booking(pool_frame([area("P0", 900, 900)]), ITV, ledger.empty_ledger(), pool_id="P0",
                                intervention_id="E1", points=700.0, kind="zugeordnet", user="t")
    result = ranked(view([area("P0", 900, 900), area("SMALL", 150, 100, points=400.0)], entries=first))
    small = result.set_index("pool_id").loc["SMALL"]
    assert small["covers_alone"] and "deckt den Restbedarf allein" in small["reason"]


def test_unavailable_areas_never_appear():
    rows = [area("OK", 500, 500), area("PLANNED", 200, 200, status="geplant"),
            area("LOCKED", 210, 210, status="gesperrt"), area("FULL", 220, 220, points=300.0),
            area("RESERVED", 230, 230, points=200.0), area("NOPOINTS", 240, 240, points=0.0)]
    pool = pool_frame(rows)
    itv = intervention_frame([{"intervention_id": "E1", "geometry": square(100, 100, 10), "demand_points": 1e6},
                              {"intervention_id": "E2", "geometry": square(0, 0, 10), "demand_points": 1e6,
                               "status": "im Verfahren"}])
    entries = ledger.empty_ledger()
    for pool_id, points, kind, target in (("FULL", 300.0, "zugeordnet", "E1"), ("RESERVED", 200.0, "reserviert", "E2")):
        rows_ = ledger.plan_booking(pool, itv, entries, pool_id=pool_id, intervention_id=target, points=points,
                                    kind=kind, user="t")
        entries = pd.concat([entries, rows_], ignore_index=True)
    v = view(rows, entries=entries, itv=itv)
    assert v.pool_areas.set_index("pool_id").loc["RESERVED", "status"] == "reserviert"
    assert ranked(v)["pool_id"].tolist() == ["OK"]


def test_nothing_is_proposed_when_the_demand_is_covered():
    covered = ITV.assign(demand_points=0.0)
    assert ranked(view([area("OK", 500, 500)], itv=covered)).empty


def test_neighbours_share_a_border_not_just_a_corner():
    near = candidates.neighbours(BOUNDARIES)
    assert near[WURZEN] == {BENNEWITZ}
    assert near[BENNEWITZ] == {WURZEN, MACHERN}
    assert near[LEIPZIG] == frozenset()


def test_same_municipality_then_neighbour_then_further_away():
    rows = [area("LEI", 4100, 100, ags=LEIPZIG), area("BEN", 1100, 100, ags=BENNEWITZ),
            area("WUR", 900, 100), area("MAC", 1100, 1100, ags=MACHERN)]
    result = ranked(view(rows)).set_index("pool_id")
    assert result.index.tolist() == ["WUR", "BEN", "MAC", "LEI"]
    assert result["relation"].tolist() == ["gleiche Gemeinde", "Nachbargemeinde", "weiter entfernt",
                                           "weiter entfernt"]
    assert result.loc["BEN", "reason"].startswith("liegt in Bennewitz, Nachbargemeinde, 1,0\u00a0km entfernt; ")
    assert "keine Nachbargemeinde" in result.loc["LEI", "reason"]


def test_distance_outweighs_the_municipality_bonus_as_the_weights_say():
    rows = [area("WUR", 900, 900), area("BEN", 1010, 100, ags=BENNEWITZ)]
    assert ranked(view(rows))["pool_id"].tolist() == ["WUR", "BEN"]
    no_bonus = candidates.RankingWeights(same_municipality=0.0, neighbour=0.0)
    assert ranked(view(rows), weights=no_bonus)["pool_id"].tolist() == ["BEN", "WUR"]


def test_preferred_measure_types_rank_first_and_default_to_like_for_like():
    rows = [area("FOREST", 300, 100, measure_type="Aufforstung"),
            area("MEADOW", 400, 100, measure_type="Extensivierung Grünland")]
    # The intervention destroys mesophile grassland (GMF): grassland measures are preferred.
    result = ranked(view(rows))
    assert result["pool_id"].tolist() == ["MEADOW", "FOREST"]
    assert "bevorzugter Maßnahmentyp (Extensivierung Grünland)" in result["reason"].iloc[0]
    assert ranked(view(rows), preferred_measures=["Aufforstung"])["pool_id"].tolist() == ["FOREST", "MEADOW"]
    assert ranked(view(rows), preferred_measures=[])["pool_id"].tolist() == ["FOREST", "MEADOW"]


def test_like_for_like_names_only_known_measure_types():
    assert candidates.like_for_like("GMF") == ("Extensivierung Grünland", "Blühflächen")
    assert candidates.like_for_like(None) == ()
    assert candidates.biotope_group("WLB") == "Wald"
    assert set(candidates.BIOTOPE_GROUPS) == set(candidates.LIKE_FOR_LIKE)
    assert {m for types in candidates.LIKE_FOR_LIKE.values() for m in types} <= set(schema.MEASURE_TYPES)


def test_an_unknown_intervention_is_a_german_error():
    with pytest.raises(BookingError, match="„XX“ gibt es nicht"):
        candidates.for_intervention(view([area("A", 300, 100)]).pool_areas, ITV, BOUNDARIES, "XX")


def test_the_callers_frames_are_not_changed():
    v = view([area("A", 300, 100)])
    before = v.pool_areas.copy()
    ranked(v, limit=1)
    pd.testing.assert_frame_equal(v.pool_areas, before)
