import datetime as dt
import re

import pandas as pd
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import booking, ledger, summary
from geo.display import interventions
from geo.errors import BookingError, PermissionDenied
from tests.conftest import MACHERN, WURZEN, intervention_frame, pool_frame, square
from tests.storetools import snapshot

ON = dt.date(2026, 11, 2)
POOL = pool_frame([
    {"pool_id": "P1", "geometry": square(0, 0, 100), "value_points": 1_000.0},
    {"pool_id": "P2", "geometry": square(200, 0, 100), "value_points": 500.0, "ags": MACHERN},
    {"pool_id": "P3", "geometry": square(400, 0, 100), "value_points": 800.0, "status": "gesperrt"},
    {"pool_id": "P4", "geometry": square(600, 0, 100), "value_points": 800.0, "status": "geplant"},
])
ITV = intervention_frame([
    {"intervention_id": "E1", "geometry": square(0, 500, 50), "demand_points": 1_200.0},
    {"intervention_id": "E2", "geometry": square(0, 700, 50), "demand_points": 300.0, "status": "im Verfahren"},
])


def book(entries: pd.DataFrame, **kw) -> pd.DataFrame:
    rows = ledger.plan_booking(POOL, ITV, entries, user="t", on=ON, **kw)
    return pd.concat([entries, rows], ignore_index=True)


def test_free_points_coverage_and_balance_by_hand():
    entries = book(ledger.empty_ledger(), pool_id="P1", intervention_id="E1", points=700, kind="zugeordnet")
    entries = book(entries, pool_id="P2", intervention_id="E1", points=200, kind="zugeordnet")
    entries = book(entries, pool_id="P1", intervention_id="E2", points=300, kind="reserviert")
    pool = ledger.enrich_pool(POOL, entries).set_index("pool_id")
    assert pool.loc["P1", "free_points"] == 0 and pool.loc["P1", "status"] == "reserviert"
    assert pool.loc["P2", "free_points"] == 300 and pool.loc["P2", "status"] == "verfügbar"
    assert pool.loc["P3", "status"] == "gesperrt" and pool.loc["P4", "status"] == "geplant"
    itv = ledger.enrich_interventions(ITV, entries).set_index("intervention_id")
    assert itv.loc["E1", "open_points"] == 300 and itv.loc["E1", "coverage"] == "teilweise"
    assert itv.loc["E2", "coverage"] == "gedeckt"
    view = summary.PoolView(boundaries=POOL.iloc[:0], pool_areas=pool.reset_index().assign(area_m2=1.0),
                            interventions=itv.reset_index(), allocations=entries, history=pd.DataFrame())
    table = summary.by_municipality(view)
    # Free: only P2's 300 (Machern); withdrawn P3 and planned P4 offer nothing to book
    # yet. Open demand: 300 in Wurzen.
    assert pool.loc["P3", "free_points"] == 0 and pool.loc["P3", "unbooked_points"] == 800
    assert table.loc[MACHERN, "balance"] == 300
    assert table.loc[WURZEN, "balance"] == -300
    assert table.loc["gesamt", "balance"] == 0


def test_a_fully_allocated_area_is_zugeordnet():
    entries = book(ledger.empty_ledger(), pool_id="P2", intervention_id="E1", points=500, kind="zugeordnet")
    assert ledger.enrich_pool(POOL, entries).set_index("pool_id").loc["P2", "status"] == "zugeordnet"


@pytest.mark.parametrize(("kw", "message"), [
    ({"pool_id": "P2", "points": 501}, "nur noch 500\u00a0WP frei"),
    ({"pool_id": "P3", "points": 10}, "„gesperrt“"),
    ({"pool_id": "P4", "points": 10}, "„geplant“"),
    ({"pool_id": "P1", "points": 0}, "positive Zahl"),
    ({"pool_id": "P1", "points": 301, "intervention_id": "E2", "kind": "reserviert"},
     "braucht nur noch 300\u00a0WP"),
    ({"pool_id": "XX", "points": 1}, "Poolfläche „XX“ gibt es nicht"),
])
def test_bookings_that_break_a_rule_are_refused(kw, message):
    with pytest.raises(BookingError, match=message):
        ledger.plan_booking(POOL, ITV, ledger.empty_ledger(), user="t", on=ON,
                            **{"intervention_id": "E1", "kind": "zugeordnet", **kw})


def test_allocation_needs_an_approved_intervention():
    with pytest.raises(BookingError, match="keine Punkte zugeordnet"):
        ledger.plan_booking(POOL, ITV, ledger.empty_ledger(), pool_id="P1", intervention_id="E2",
                            points=10, kind="zugeordnet", user="t", on=ON)


def test_cancel_reverses_and_cannot_be_repeated():
    entries = book(ledger.empty_ledger(), pool_id="P1", intervention_id="E1", points=400, kind="zugeordnet")
    first = entries["allocation_id"].iloc[0]
    entries = pd.concat([entries, ledger.plan_cancel(entries, allocation_id=first, user="t", on=ON)],
                        ignore_index=True)
    assert entries["points"].tolist() == [400, -400]
    assert entries["reverses"].iloc[1] == first
    assert ledger.enrich_pool(POOL, entries).set_index("pool_id").loc["P1", "free_points"] == 1_000
    with pytest.raises(BookingError, match="bereits storniert"):
        ledger.plan_cancel(entries, allocation_id=first, user="t", on=ON)


def test_confirm_turns_a_reservation_into_an_allocation():
    itv = ITV.assign(status="genehmigt")
    entries = book(ledger.empty_ledger(), pool_id="P1", intervention_id="E2", points=300, kind="reserviert")
    rows = ledger.plan_confirm(POOL, itv, entries, allocation_id=entries["allocation_id"].iloc[0], user="t", on=ON)
    entries = pd.concat([entries, rows], ignore_index=True)
    area = ledger.enrich_pool(POOL, entries).set_index("pool_id").loc["P1"]
    assert (area["reserved_points"], area["allocated_points"], area["free_points"]) == (0, 300, 700)
    assert entries["allocation_id"].is_unique


def test_overbooking_through_the_store_is_refused_and_writes_nothing(any_store):
    demo_store = any_store
    view = summary.pool_view(demo_store.read_all())
    area = view.pool_areas[(view.pool_areas["status"] == "verfügbar")].iloc[0]
    target = view.interventions[view.interventions["status"].isin(["genehmigt", "umgesetzt"])
                                & (view.interventions["open_points"] > area["free_points"] + 10)].iloc[0]
    before = snapshot(demo_store)
    user = User("admin", "admin")
    with pytest.raises(BookingError, match="überziehen"):
        booking.book(demo_store, user, pool_id=area["pool_id"], intervention_id=target["intervention_id"],
                     points=area["free_points"] + 1, kind="zugeordnet")
    assert snapshot(demo_store) == before


def test_booking_through_the_store_appends_ledger_and_history(any_store):
    demo_store = any_store
    view = summary.pool_view(demo_store.read_all())
    area = view.pool_areas[(view.pool_areas["status"] == "verfügbar") & (view.pool_areas["ags"] == WURZEN)].iloc[0]
    target = view.interventions[(view.interventions["ags"] == WURZEN) & (view.interventions["open_points"] > 10)
                                & (view.interventions["status"] != "umgesetzt")].iloc[0]
    n_ledger, n_history = len(view.allocations), len(view.history)
    booking.book(demo_store, User("wurzen.gis", "gis", WURZEN), pool_id=area["pool_id"],
                 intervention_id=target["intervention_id"], points=10, kind="reserviert")
    after = summary.pool_view(demo_store.read_all())
    assert len(after.allocations) == n_ledger + 1 and len(after.history) == n_history + 1
    assert after.history["action"].iloc[-1] == "booking"
    new_free = after.pool_areas.set_index("pool_id").loc[area["pool_id"], "free_points"]
    assert new_free == area["free_points"] - 10


def test_only_the_interventions_municipality_may_book(any_store):
    demo_store = any_store
    itv = demo_store.read_layer(schema.INTERVENTIONS)
    target = itv[itv["ags"] == MACHERN].iloc[0]
    before = snapshot(demo_store)
    with pytest.raises(PermissionDenied, match="Machern"):
        booking.book(demo_store, User("wurzen.gis", "gis", WURZEN), pool_id="x",
                     intervention_id=target["intervention_id"], points=1, kind="reserviert")
    with pytest.raises(PermissionDenied):
        booking.book(demo_store, User("leser", "lesen"), pool_id="x",
                     intervention_id=target["intervention_id"], points=1, kind="reserviert")
    assert snapshot(demo_store) == before


def test_booking_form_input_is_whole_value_points_in_german_notation():
    assert interventions.booking_points("12.500") == 12_500.0
    assert interventions.booking_points(" 12500 ") == 12_500.0
    for raw in ("1.500,5", "0", "-3", "viele", "", "1e5", "1_000"):
        with pytest.raises(BookingError, match=f"„{re.escape(raw)}“ ist keine positive ganze Zahl"):
            interventions.booking_points(raw)


def test_an_unknown_intervention_is_named_in_correct_german():
    with pytest.raises(BookingError, match="Den Eingriff „E9“ gibt es nicht"):
        ledger.plan_booking(POOL, ITV, ledger.empty_ledger(), pool_id="P1", intervention_id="E9", points=1,
                            kind="zugeordnet", user="t", on=ON)
