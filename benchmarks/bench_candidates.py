"""Candidate ranking, booking and the small map on the demo pool: medians and ratios.

- ranking every intervention of the demo pool (vectorised shapely 2 distances) against a
  per-feature Python loop over ``geom.distance`` (what the vectorised call replaces);
- neighbour detection from the boundary layer;
- one booking through ``geo.accounting.booking.book`` (lock, read, rules, atomic replace of pool.gpkg);
- the small map of one intervention: build time and the HTML payload it sends to the browser.

Run: .venv/bin/python benchmarks/bench_candidates.py (the machine is shared: compare ratios).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.timing import median_ms  # noqa: E402
from geo.access.permissions import User  # noqa: E402
from geo.accounting import booking, candidates, summary  # noqa: E402
from geo.map import candidatemap  # noqa: E402
from geo.store.gpkg import GeoPackageStore  # noqa: E402
from tests.conftest import copy_demo_data  # noqa: E402

RUNS = 7


def main() -> None:
    view = summary.pool_view(GeoPackageStore(REPO / "data").read_all())
    near = candidates.neighbours(view.boundaries)
    rows = [row for _, row in view.interventions.iterrows()]
    bookable = view.pool_areas[view.pool_areas["status"] == "verfügbar"]

    def rank_all() -> None:
        for row in rows:
            candidates.rank(view.pool_areas, row, near)

    def loop_distances() -> None:
        for row in rows:
            [geom.distance(row.geometry) for geom in bookable.geometry]

    def vector_distances() -> None:
        import shapely

        for row in rows:
            shapely.distance(bookable.geometry.to_numpy(), row.geometry)

    n = len(rows)
    print(f"demo pool: {len(view.pool_areas)} pool areas ({len(bookable)} bookable), {n} interventions")
    print(f"neighbours from the boundary layer: {median_ms(lambda: candidates.neighbours(view.boundaries)):.1f} ms")
    ranked = median_ms(rank_all, runs=3)
    print(f"rank candidates for all {n} interventions: {ranked:.0f} ms ({ranked / n:.1f} ms each)")
    loop, vector = median_ms(loop_distances, runs=3), median_ms(vector_distances, runs=3)
    print(f"distances, per-feature loop: {loop:.1f} ms; vectorised: {vector:.1f} ms; ratio {loop / vector:.1f}×")

    best = candidates.for_intervention(view.pool_areas, view.interventions, view.boundaries, "BPL-WUR-01", limit=10)
    html = candidatemap.build(view, "BPL-WUR-01", best, offline=True).get_root().render()
    build = median_ms(lambda: candidatemap.build(view, "BPL-WUR-01", best, offline=True))
    print(f"small map of BPL-WUR-01 with 10 candidates: build {build:.0f} ms, HTML {len(html.encode()) / 1024:.0f} KiB")

    with tempfile.TemporaryDirectory() as tmp:
        store = GeoPackageStore(copy_demo_data(Path(tmp) / "data"))
        area = best.iloc[0]["pool_id"]
        user = User("wurzen.gis", "gis", "14729410")
        took = median_ms(lambda: booking.book(store, user, pool_id=area, intervention_id="BPL-WUR-02", points=1.0,
                                              kind="reserviert"))
        print(f"one booking through geo.accounting.booking.book (locked transaction on pool.gpkg): {took:.0f} ms")


if __name__ == "__main__":
    main()
