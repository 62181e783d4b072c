"""The indexed top candidates (``rank(..., limit=k)``) are exactly the first k of the brute-force ranking."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import schema
from geo.accounting import candidates
from tests.conftest import intervention_frame, square
from tests.test_candidates import BOUNDARIES, view

AGS = BOUNDARIES["ags"].tolist()

areas = st.lists(
    st.tuples(st.floats(-30_000, 30_000), st.floats(-30_000, 30_000), st.floats(5, 800),
              st.sampled_from(AGS), st.sampled_from(schema.POOL_STATUS), st.sampled_from([0.0, 50.0, 500.0, 5_000.0]),
              st.sampled_from(schema.MEASURE_TYPES)),
    min_size=1, max_size=40)
weights = st.builds(candidates.RankingWeights, same_municipality=st.floats(0, 30), neighbour=st.floats(0, 30),
                    covers_alone=st.floats(0, 30), preferred_measure=st.floats(0, 30), per_km=st.floats(0.01, 5))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(areas=areas, at=st.tuples(st.floats(-30_000, 30_000), st.floats(-30_000, 30_000)), weights=weights,
       limit=st.integers(1, 12), demand=st.sampled_from([400.0, 4_000.0]),
       preferred=st.lists(st.sampled_from(schema.MEASURE_TYPES), max_size=3))
def test_indexed_top_candidates_equal_the_brute_force_ranking(areas, at, weights, limit, demand, preferred):
    rows = [{"pool_id": f"P{i:02d}", "geometry": square(x, y, side), "ags": ags, "status": status,
             "value_points": points, "measure_type": measure}
            for i, (x, y, side, ags, status, points, measure) in enumerate(areas)]
    itv = intervention_frame([{"intervention_id": "E1", "geometry": square(*at, 50), "demand_points": demand}])
    v = view(rows, itv=itv)
    target = v.interventions.iloc[0]
    near = candidates.neighbours(BOUNDARIES)
    every = candidates.rank(v.pool_areas, target, near, preferred_measures=preferred, weights=weights)
    best = candidates.rank(v.pool_areas, target, near, preferred_measures=preferred, weights=weights, limit=limit)
    expected = every.head(limit)
    assert best["pool_id"].tolist() == expected["pool_id"].tolist()
    assert best["rank"].tolist() == list(range(1, len(expected) + 1))
    assert best["reason"].tolist() == expected["reason"].tolist()
    assert best["score"].tolist() == expected["score"].tolist()
