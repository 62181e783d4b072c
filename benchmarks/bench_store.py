"""Store backends side by side: reading the whole store against bare Arrow reads, and one booking (medians).

Run: .venv/bin/python benchmarks/bench_store.py [--pool demo|10000|50000|200000] [--data DIR]
GeoPackage on a temporary copy of the demo data or a generated pool (benchmarks/generate.py); the
reference is bare ``pyogrio.read_dataframe(use_arrow=True)`` of every layer of every file, in the
same run. PostGIS on a throwaway PostgreSQL 15 cluster (tests/pgserver.py) holding the same pool,
skipped with a message if it is not available.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import generate
from benchmarks.timing import median_ms, paired_medians_ms
from geo.access.permissions import User
from geo.accounting import booking, summary
from geo.store import Store
from geo.store.gpkg import GeoPackageStore
from geo.store.postgis import PostGISStore
from tests import pgserver
from tests.conftest import DATA

RUNS = 9
ADMIN = User("admin", "admin")


def _booker(store: Store) -> Callable[[], object]:
    """One reservation of 1 WP per call, from an area with plenty free, for an intervention with plenty open."""
    view = summary.pool_view(store.read_all())
    area = view.pool_areas.sort_values("free_points").iloc[-1]["pool_id"]
    target = view.interventions[view.interventions["status"].isin(["geplant", "im Verfahren"])] \
        .sort_values("open_points").iloc[-1]["intervention_id"]
    notes = (f"Messung {i}" for i in itertools.count())
    return lambda: booking.book(store, ADMIN, pool_id=area, intervention_id=target, points=1, kind="reserviert",
                                notes=next(notes))


def bare_reads(folder: Path) -> Callable[[], object]:
    """The reference: every layer of every GeoPackage of *folder* read by pyogrio through Arrow, nothing else."""
    files = [(path, name) for path in sorted(folder.glob("*.gpkg")) for name, _ in pyogrio.list_layers(path)]
    return lambda: [pyogrio.read_dataframe(path, layer=name, use_arrow=True) for path, name in files]


@contextlib.contextmanager
def _postgis(folder: Path) -> Iterator[PostGISStore | None]:
    try:
        with pgserver.server() as url:
            databases = pgserver.Databases(url, DATA)
            try:
                with databases.fresh() as db_url:
                    store = generate.postgis_store(folder, db_url)
                    try:
                        yield store
                    finally:
                        store.close()
            finally:
                databases.close()
    except pgserver.Unavailable as exc:
        print(f"PostGIS übersprungen: {exc}")
        yield None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    generate.add_pool_arguments(parser)
    args = parser.parse_args()
    with generate.pool_folder(args) as folder:
        bare = bare_reads(folder)
        bare()  # warm up the file cache
        gpkg_store = GeoPackageStore(folder)
        gpkg_read, reference = paired_medians_ms(gpkg_store.read_all, bare, RUNS)
        gpkg = (gpkg_read, median_ms(_booker(gpkg_store), RUNS))
        with _postgis(folder) as store:
            pg = None
            if store is not None:
                store.read_all()
                pg_read, pg_reference = paired_medians_ms(store.read_all, bare, RUNS)
                pg = (pg_read, median_ms(_booker(store), RUNS), pg_reference)
    print(f"{generate.label(args)}, median of {RUNS}")
    print(f"  bare pyogrio.read_dataframe(use_arrow=True), all layers: {reference:9.1f} ms")
    print(f"  GeoPackage read_all: {gpkg[0]:9.1f} ms   ratio to bare {gpkg[0] / reference:5.2f}x")
    if pg is not None:
        print(f"  PostGIS read_all:    {pg[0]:9.1f} ms   ratio to bare {pg[0] / pg[2]:5.2f}x "
              f"(bare alongside: {pg[2]:.1f} ms)")
    print(f"  one booking (book): GeoPackage {gpkg[1]:.1f} ms" + (f", PostGIS {pg[1]:.1f} ms" if pg else ""))


if __name__ == "__main__":
    main()
