"""Many processes against one PostGIS database: twenty bookings racing for three areas.

(Bookings racing a publish: tests/test_store_race.py, on both stores.)

Every process opens its own PostGISStore (its own connection pool) and goes through
geo.accounting.booking / geo.upload.publish, exactly as several app processes would.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from typing import Any

from geo import fmt, schema
from geo.access.permissions import User
from geo.accounting import audit, booking, summary
from geo.errors import FlaechenpoolError
from geo.store import chain
from geo.store.postgis import PostGISStore

ADMIN = User("admin", "admin")
BOOKERS = 20
AREAS = 3
SHARE = 5  # each booking asks for a fifth of an area's free points: at most 5 fit per area


def _book(url: str, pool_id: str, intervention_id: str, points: float, barrier: Any, results: Any) -> None:
    store = PostGISStore(url)
    try:
        summary.pool_view(store.read_all()), fmt.points(points)  # warm like a running app: first calls stay out
        barrier.wait(timeout=120)
        rows = booking.book(store, ADMIN, pool_id=pool_id, intervention_id=intervention_id, points=points,
                            kind="reserviert", notes="Wettlauf")
        results.put(("ok", pool_id, rows["allocation_id"].iloc[0]))
    except FlaechenpoolError as exc:
        results.put(("refused", pool_id, f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()


def _run(jobs: list[tuple[Any, tuple[Any, ...]]]) -> tuple[list[tuple[str, str, str]], float]:
    """Start every job at once (behind one barrier); their outcomes and the wall time after the barrier."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(jobs) + 1), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for target, args in jobs]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=180)
    started = time.perf_counter()
    outcomes = [results.get(timeout=180) for _ in procs]
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return outcomes, elapsed


def _chains_verify(store: PostGISStore) -> None:
    assert chain.broken_rows(store.read_allocations(), schema.ALLOCATIONS) == []
    assert chain.broken_rows(store.read_history(), schema.HISTORY) == []
    report = audit.verify(store)
    assert report.ok, report.lines()


def test_twenty_processes_book_three_areas_at_once_and_none_is_overdrawn(postgis_store, capsys):
    url = os.environ["FLAECHENPOOL_DATABASE_URL"]
    view = summary.pool_view(postgis_store.read_all())
    areas = view.pool_areas[view.pool_areas["free_points"] > 10_000].nsmallest(AREAS, "free_points")
    itv = view.interventions[view.interventions["status"].isin(["geplant", "im Verfahren", "genehmigt"])]
    # The largest open demands take the bookings, so the areas (not the interventions) are the limit.
    targets = itv.nlargest(BOOKERS, "open_points")["intervention_id"].tolist()
    asks = {row.pool_id: float(row.free_points) / SHARE for row in areas.itertuples()}
    assert all(itv.set_index("intervention_id").loc[t, "open_points"] > max(asks.values()) for t in targets)
    n_ledger, n_history = len(view.allocations), len(view.history)

    jobs = [(_book, (url, pool_id, targets[i], asks[pool_id]))
            for i, pool_id in enumerate((list(asks) * BOOKERS)[:BOOKERS])]
    outcomes, elapsed = _run(jobs)

    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(ok) + len(refused) == BOOKERS
    for _, pool_id, message in refused:
        assert message.startswith("BookingError: ") and f"Die Poolfläche {pool_id} hat nur noch" in message \
            and "überziehen" in message, message
    after = summary.pool_view(postgis_store.read_all())
    booked = after.pool_areas.set_index("pool_id")
    for pool_id in asks:
        wins = sum(1 for o in ok if o[1] == pool_id)
        tries = sum(1 for job in jobs if job[1][1] == pool_id)
        assert wins == min(tries, SHARE)  # as many as fit, no more and no fewer
        assert booked.loc[pool_id, "booked_points"] <= booked.loc[pool_id, "value_points"] + 1e-6
    assert set(after.allocations["allocation_id"]) >= {o[2] for o in ok}
    assert len(after.allocations) == n_ledger + len(ok) and len(after.history) == n_history + len(ok)
    assert after.allocations["allocation_id"].is_unique and after.history["change_id"].is_unique
    _chains_verify(postgis_store)
    with capsys.disabled():
        print(f"\n[postgis] {BOOKERS} processes on {AREAS} areas: {len(ok)} booked, {len(refused)} refused, "
              f"{elapsed:.2f} s after the barrier")
