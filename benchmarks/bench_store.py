"""Store backends side by side: loading the whole demo store and one booking's latency (medians).

Run: .venv/bin/python benchmarks/bench_store.py
GeoPackage on a temporary copy of the demo data; PostGIS on FLAECHENPOOL_TEST_DATABASE_URL or a
throwaway PostgreSQL 15 cluster (tests/pgserver.py), skipped with a message if neither is available.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import median_ms
from geo.access.permissions import User
from geo.accounting import booking, summary
from geo.store import Store
from geo.store.gpkg import GeoPackageStore
from geo.store.postgis import PostGISStore
from tests import pgserver
from tests.conftest import DATA, copy_demo_data

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


def _measure(store: Store) -> tuple[float, float]:
    store.read_all()  # warm up
    return median_ms(store.read_all, RUNS), median_ms(_booker(store), RUNS)


@contextlib.contextmanager
def _postgis() -> Iterator[PostGISStore | None]:
    try:
        with pgserver.server() as url:
            databases = pgserver.Databases(url, DATA)
            try:
                with databases.fresh() as db_url:
                    store = PostGISStore(db_url)
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
    gpkg = _measure(GeoPackageStore(copy_demo_data(Path(tempfile.mkdtemp()) / "data")))
    with _postgis() as store:
        pg = _measure(store) if store is not None else None
    print(f"{'median of ' + str(RUNS):<28}{'GeoPackage':>12}{'PostGIS':>12}{'PostGIS/GPKG':>14}")
    for i, label in enumerate(("read_all (whole demo store)", "one booking (book)")):
        line = f"{label:<28}{gpkg[i]:>9.1f} ms"
        if pg is not None:
            line += f"{pg[i]:>9.1f} ms{pg[i] / gpkg[i]:>13.2f}x"
        print(line)


if __name__ == "__main__":
    main()
