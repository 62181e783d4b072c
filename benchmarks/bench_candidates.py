"""Candidate ranking, booking and the small map: medians and ratios.

- the candidates page path for one intervention: the best 10 through the pool's spatial index
  (``candidates.rank(..., limit=10)``, index built once per view) against the reference in the
  same run, brute-force distances from the intervention to every bookable area, and against
  ranking every bookable area (what the page did before);
- ranking every intervention of the demo pool against a per-feature Python loop over ``geom.distance``;
- neighbour detection from the boundary layer;
- on the demo: one booking through ``geo.accounting.booking.book`` and the small map of one intervention.

Run: .venv/bin/python benchmarks/bench_candidates.py [--pool demo|10000|50000|200000] [--data DIR]
(the machine is shared: compare ratios).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import generate  # noqa: E402
from benchmarks.timing import median_ms, paired_medians_ms  # noqa: E402
from geo.access.permissions import User  # noqa: E402
from geo.accounting import booking, candidates, summary  # noqa: E402
from geo.map import candidatemap  # noqa: E402
from geo.store.gpkg import GeoPackageStore  # noqa: E402
from tests.conftest import copy_demo_data  # noqa: E402

RUNS = 7


def page_path(view: summary.PoolView) -> None:
    """The best 10 candidates of a few interventions with open demand: indexed, brute-force distances, full ranking."""
    near = candidates.neighbours(view.boundaries)
    open_ = view.interventions[view.interventions["open_points"] > 1].sort_values("intervention_id")
    targets = [row for _, row in open_.iloc[:: max(1, len(open_) // 5)].head(5).iterrows()]
    usable = view.pool_areas[candidates.bookable(view.pool_areas)].geometry.to_numpy()
    start = time.perf_counter()
    candidates.rank(view.pool_areas, targets[0], near, limit=10)
    first = (time.perf_counter() - start) * 1000

    def indexed() -> None:
        for row in targets:
            candidates.rank(view.pool_areas, row, near, limit=10)

    def brute_distances() -> None:
        for row in targets:
            shapely.distance(usable, row.geometry)

    def full_ranking() -> None:
        for row in targets:
            candidates.rank(view.pool_areas, row, near)

    n = len(targets)
    top, brute = (t / n for t in paired_medians_ms(indexed, brute_distances, RUNS))
    full = median_ms(full_ranking, 3) / n
    print(f"{len(view.pool_areas):,} pool areas ({len(usable):,} bookable), {len(view.interventions):,} interventions; "
          f"per intervention, median over {n}:")
    print(f"  best 10 through the spatial index: {top:8.1f} ms (first call, index built: {first:.0f} ms)")
    print(f"  reference, brute-force distances to every bookable area: {brute:8.1f} ms   ratio {top / brute:5.2f}x")
    print(f"  every bookable area ranked and explained (the page before): {full:8.1f} ms   ratio {top / full:5.3f}x")
    print(f"  neighbours from the boundary layer: {median_ms(lambda: candidates.neighbours(view.boundaries)):.1f} ms "
          "(cached per data version in the app)")


def demo_extras(view: summary.PoolView) -> None:
    """Ranking every demo intervention, distances looped vs. vectorised, the small map and one booking."""
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
        for row in rows:
            shapely.distance(bookable.geometry.to_numpy(), row.geometry)

    n = len(rows)
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Candidate ranking benchmarks.")
    generate.add_pool_arguments(parser)
    args = parser.parse_args()
    with generate.pool_folder(args) as folder:
        view = summary.pool_view(GeoPackageStore(folder).read_all())
        print(generate.label(args))
        page_path(view)
        if args.pool == "demo" and not args.data:
            demo_extras(view)


if __name__ == "__main__":
    main()
