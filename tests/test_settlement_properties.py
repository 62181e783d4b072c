"""Hypothesis: whatever is booked, cancelled and priced, the settlement conserves money between partners.

Random price lists (per municipality and per area, with validity periods) and random sequences of
bookings and cancellations across three municipalities, each priced inside its "transaction" as the
app does (:func:`geo.accounting.prices.priced` on the state before). Then: every cross-border entry
carries the price of its day (a reversal its entry's), a partner's balance is the sum of its entries,
all partners' balances add up to zero in every year, and an allocation cancelled in the same year
leaves no money owed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import schema
from geo.accounting import ledger, prices, settlement
from geo.schema import PoolData
from tests.conftest import LEIPZIG, MACHERN, WURZEN, intervention_frame, pool_frame, square

AREAS = {"L-A": LEIPZIG, "W-A": WURZEN, "M-A": MACHERN}
INTERVENTIONS = {"L1": LEIPZIG, "W1": WURZEN, "M1": MACHERN}
DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 6, 30))
PRICE = st.tuples(st.sampled_from(list(AREAS.values())), st.sampled_from([None, *AREAS]),
                  st.integers(min_value=0, max_value=300).map(lambda c: c / 100), DAYS,
                  st.one_of(st.none(), st.integers(min_value=0, max_value=400)))
BOOK = st.tuples(st.just("book"), st.sampled_from(list(INTERVENTIONS)), st.sampled_from(list(AREAS)),
                 st.integers(min_value=1, max_value=5_000), st.sampled_from(schema.ALLOCATION_KINDS), DAYS)
CANCEL = st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=60))


def _price_list(rows: list[tuple]) -> pd.DataFrame:
    out = []
    for i, (ags, pool_id, eur, start, days) in enumerate(rows, start=1):
        owner = AREAS.get(pool_id) if pool_id else ags
        out.append({"price_id": f"P-{i:06d}", "ags": owner, "pool_id": pool_id, "eur_per_point": eur,
                    "valid_from": start.isoformat(),
                    "valid_to": None if days is None else (start + dt.timedelta(days=days)).isoformat(),
                    "notes": "", "set_by": "t", "at": "2024-01-01T00:00:00+01:00", "change_id": None})
    return pd.DataFrame(out, columns=schema.field_names(schema.PRICES))


def _base(price_rows: list[tuple]) -> PoolData:
    pool = pool_frame([{"pool_id": p, "ags": a, "geometry": square(300 * i, 0, 100), "value_points": 1e9}
                       for i, (p, a) in enumerate(AREAS.items())])
    itv = intervention_frame([{"intervention_id": e, "ags": a, "geometry": square(300 * i, 500, 50),
                               "demand_points": 1e9} for i, (e, a) in enumerate(INTERVENTIONS.items())])
    return PoolData(pool.iloc[:0], pool, itv, ledger.empty_ledger(), schema.empty_table(schema.HISTORY),
                    prices=_price_list(price_rows))


def _run(data: PoolData, operations: list[tuple]) -> PoolData:
    book = data.allocations.assign(price_eur=pd.Series(dtype=float))
    for op in operations:
        state = PoolData(data.boundaries, data.pool_areas, data.interventions, book, data.history,
                         prices=data.prices)
        if op[0] == "book":
            _, itv, area, points, kind, on = op
            rows = ledger.plan_booking(data.pool_areas, data.interventions, book, pool_id=area, intervention_id=itv,
                                       points=float(points), kind=kind, user="t", on=on)
        else:
            active = ledger.active_entries(book)
            if active.empty:
                continue
            entry = active.iloc[op[1] % len(active)]
            on = pd.Timestamp(entry["date"]).date() + dt.timedelta(days=op[2])
            rows = ledger.plan_cancel(book, allocation_id=str(entry["allocation_id"]), user="t", on=on)
        book = pd.concat([book, prices.priced(rows, state)], ignore_index=True)
    return PoolData(data.boundaries, data.pool_areas, data.interventions, book, data.history, prices=data.prices)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PRICE, max_size=6), st.lists(st.one_of(BOOK, CANCEL), max_size=14))
def test_settlements_conserve_money_and_reversals_net_out(price_rows, operations):
    data = _run(_base(price_rows), operations)
    book = data.allocations.set_index("allocation_id")
    for entry_id, row in book.iterrows():
        cross = AREAS[row["pool_id"]] != INTERVENTIONS[row["intervention_id"]]
        if not cross:
            assert pd.isna(row["price_eur"])
        elif isinstance(row["reverses"], str):
            assert row["price_eur"] == pytest.approx(book.loc[row["reverses"], "price_eur"], nan_ok=True)
        else:
            expected = prices.price_on(data.prices, ags=AREAS[row["pool_id"]], pool_id=row["pool_id"],
                                       on=pd.Timestamp(row["date"]).date())
            assert (pd.isna(row["price_eur"]) and expected is None) or row["price_eur"] == expected, entry_id
    for year in settlement.years(data):
        statements = [settlement.statement(data, ags, year) for ags in AREAS.values()]
        for each in statements:
            assert each.net_eur == pytest.approx(float(each.entries["signed_eur"].sum()), abs=1e-6)
        assert sum(each.net_eur for each in statements) == pytest.approx(0.0, abs=1e-6)
    entries = settlement.cross_border(data).set_index("allocation_id")
    for entry_id, row in entries[entries["points"] < 0].iterrows():
        original = entries.loc[book.loc[entry_id, "reverses"]]
        if original["date"].year == row["date"].year and pd.notna(row["amount_eur"]):
            assert row["amount_eur"] == pytest.approx(-original["amount_eur"])
