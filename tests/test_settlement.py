"""Prices per value point, the price a cross-border booking records, and settlements summed by hand."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import audit, booking, prices, settlement, summary
from geo.errors import DataError, PermissionDenied
from geo.schema import PoolData
from tests.conftest import LEIPZIG, WURZEN, intervention_frame, pool_frame, square
from tests.storetools import snapshot

ADMIN = User("admin", "admin", None)
D = dt.date


def _price(price_id: str, ags: str, eur: float, start: str, end: str | None = None,
           pool_id: str | None = None) -> dict[str, object]:
    return {"price_id": price_id, "ags": ags, "pool_id": pool_id, "eur_per_point": eur, "valid_from": start,
            "valid_to": end, "notes": "", "set_by": "admin", "at": "2024-01-01T00:00:00+01:00", "change_id": None}


PRICES = pd.DataFrame([
    _price("P-000001", WURZEN, 0.50, "2025-01-01"),
    _price("P-000002", WURZEN, 0.80, "2026-01-01", "2026-06-30", pool_id="W-A"),
    _price("P-000003", LEIPZIG, 1.00, "2024-01-01"),
    _price("P-000004", LEIPZIG, 1.20, "2024-01-01"),  # set later, same start: replaces P-000003
], columns=schema.field_names(schema.PRICES))


@pytest.mark.parametrize(("ags", "pool_id", "on", "expected"), [
    (WURZEN, "W-A", D(2024, 12, 31), None),  # before any price
    (WURZEN, "W-A", D(2025, 1, 1), 0.50),  # the municipality's price, from its first day
    (WURZEN, "W-A", D(2026, 1, 1), 0.80),  # the area's own price wins over the municipality's
    (WURZEN, "W-A", D(2026, 6, 30), 0.80),  # … up to its last day
    (WURZEN, "W-A", D(2026, 7, 1), 0.50),  # then the municipality's again
    (WURZEN, "W-B", D(2026, 3, 1), 0.50),  # another area of Wurzen: the municipality's
    (LEIPZIG, "L-A", D(2026, 3, 1), 1.20),  # same start: the one set last
])
def test_the_price_that_applies_on_a_day(ags, pool_id, on, expected):
    assert prices.price_on(PRICES, ags=ags, pool_id=pool_id, on=on) == expected


def _entry(allocation_id: str, intervention_id: str, pool_id: str, points: float, on: str,
           kind: str = "zugeordnet", reverses: str | None = None) -> dict[str, object]:
    return {"allocation_id": allocation_id, "intervention_id": intervention_id, "pool_id": pool_id, "kind": kind,
            "points": points, "date": on, "booked_by": "t", "notes": "", "reverses": reverses}


def _tiny() -> PoolData:
    pool = pool_frame([{"pool_id": "W-A", "geometry": square(0, 0, 100), "value_points": 1e6},
                       {"pool_id": "L-A", "ags": LEIPZIG, "geometry": square(200, 0, 100), "value_points": 1e6}])
    itv = intervention_frame([{"intervention_id": "L1", "ags": LEIPZIG, "geometry": square(0, 300, 50)},
                              {"intervention_id": "W1", "geometry": square(200, 300, 50)}])
    base = PoolData(boundaries=pool.iloc[:0], pool_areas=pool, interventions=itv,
                    allocations=schema.empty_table(schema.ALLOCATIONS), history=schema.empty_table(schema.HISTORY),
                    prices=PRICES)
    rows = pd.DataFrame([
        _entry("B1", "L1", "W-A", 10_000, "2025-03-01"),  # 0,50 → Leipzig owes Wurzen 5.000 €
        _entry("B2", "L1", "W-A", 2_000, "2026-03-01"),  # 0,80 → 1.600 €
        _entry("B3", "W1", "L-A", 1_000, "2026-04-01"),  # 1,20 → Wurzen owes Leipzig 1.200 €
        _entry("B4", "L1", "W-A", -2_000, "2026-08-01", reverses="B2"),  # at B2's 0,80, not today's 0,50
        _entry("B5", "L1", "W-A", 3_000, "2026-05-01", kind="reserviert"),  # reservations are not settled
        _entry("B6", "W1", "W-A", 500, "2026-05-01"),  # within Wurzen: no price
    ], columns=schema.field_names(schema.ALLOCATIONS))
    return PoolData(base.boundaries, pool, itv, prices.priced(rows, base), base.history, prices=PRICES)


def test_cross_border_entries_record_the_price_and_reversals_repeat_it():
    recorded = _tiny().allocations.set_index("allocation_id")["price_eur"]
    assert recorded[["B1", "B2", "B3", "B4", "B5"]].tolist() == [0.50, 0.80, 1.20, 0.80, 0.80]
    assert pd.isna(recorded["B6"])


def test_settlement_sums_by_hand():
    data = _tiny()
    wurzen_2026 = settlement.statement(data, WURZEN, 2026)
    assert wurzen_2026.entries["allocation_id"].tolist() == ["B2", "B3", "B4"]
    assert wurzen_2026.entries["signed_eur"].tolist() == pytest.approx([1_600.0, -1_200.0, -1_600.0])
    row = wurzen_2026.balances.set_index("partner").loc["Leipzig"]
    assert (row["receivable_eur"], row["payable_eur"], row["net_eur"]) == pytest.approx((0.0, 1_200.0, -1_200.0))
    assert wurzen_2026.sentences() == ["Wurzen schuldet Leipzig 1.200,00\u00a0€."]
    leipzig_2025 = settlement.statement(data, LEIPZIG, 2025)
    assert leipzig_2025.net_eur == pytest.approx(-5_000.0)
    assert leipzig_2025.sentences() == ["Leipzig schuldet Wurzen 5.000,00\u00a0€."]
    assert settlement.years(data) == [2026, 2025] == settlement.years(data, WURZEN)
    assert settlement.years(data, schema.municipality("machern").ags) == []
    flows = settlement.money_flows(data).set_index(["from_name", "to_name"])["amount_eur"]
    assert flows.to_dict() == pytest.approx({("Leipzig", "Wurzen"): 5_000.0, ("Wurzen", "Leipzig"): 1_200.0})


def _cross_border_pick(store) -> tuple[str, str]:
    view = summary.pool_view(store.read_all())
    itv, pool = view.interventions, view.pool_areas
    approved = itv["status"].isin(["genehmigt", "umgesetzt"])
    target = itv[(itv["ags"] == LEIPZIG) & approved & (itv["open_points"] > 20_000)]
    area = pool[(pool["ags"] == WURZEN) & (pool["free_points"] > 20_000)]
    return str(target["intervention_id"].iloc[0]), str(area["pool_id"].iloc[0])


def test_a_price_set_by_the_administration_is_recorded_by_the_next_booking(any_store):
    before = snapshot(any_store)
    with pytest.raises(PermissionDenied, match="nur die Administration"):
        prices.set_price(any_store, User("wurzen.gis", "gis", WURZEN), ags=WURZEN, eur_per_point=9.0,
                         valid_from=D(2020, 1, 1))
    with pytest.raises(DataError, match="liegt vor"):
        prices.set_price(any_store, ADMIN, ags=WURZEN, eur_per_point=1.0, valid_from=D(2026, 1, 1),
                         valid_to=D(2025, 1, 1))
    assert snapshot(any_store) == before
    stored = prices.set_price(any_store, ADMIN, ags=WURZEN, eur_per_point=0.75, valid_from=D(2026, 1, 1),
                              notes="Demo")
    assert stored["price_id"].tolist() == ["P-000011"]  # after the demo's ten
    intervention_id, pool_id = _cross_border_pick(any_store)
    rows = booking.book(any_store, ADMIN, pool_id=pool_id, intervention_id=intervention_id, points=10_000,
                        kind="zugeordnet")
    reversal = booking.cancel(any_store, ADMIN, allocation_id=str(rows["allocation_id"].iloc[0]))
    data = any_store.read_all()
    assert data.prices["eur_per_point"].iloc[-1] == 0.75
    assert data.history["action"].iloc[-3] == "price"
    assert data.allocations["price_eur"].iloc[-2:].tolist() == [0.75, 0.75]
    assert reversal["price_eur"].tolist() == [0.75]
    assert audit.verify(any_store).ok, audit.verify(any_store).lines()


def test_the_database_allows_exactly_the_schemas_history_actions(postgis_store):
    with postgis_store._connection() as conn:
        row = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = 'history'::regclass AND conname = 'history_action_check'").fetchone()
    assert row is not None
    allowed = set(re.findall(r"'([^']+)'", row[0]))
    assert allowed == set(schema.HISTORY_ACTIONS)
