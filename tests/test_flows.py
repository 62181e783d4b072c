"""Cross-border flows from a small hand-built ledger."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import schema
from geo.accounting import flows, ledger, summary
from geo.schema import PoolData
from geo.store.gpkg import GeoPackageStore
from tests.conftest import MACHERN, intervention_frame, pool_frame, square

BENNEWITZ = schema.municipality("bennewitz").ags
ON = dt.date(2026, 11, 2)
POOL = pool_frame([
    {"pool_id": "W1", "geometry": square(0, 0, 100), "value_points": 1_000.0},
    {"pool_id": "B1", "geometry": square(200, 0, 100), "value_points": 1_000.0, "ags": BENNEWITZ},
])
ITV = intervention_frame([
    {"intervention_id": "EW", "geometry": square(0, 500, 50), "demand_points": 2_000.0},
    {"intervention_id": "EM", "geometry": square(0, 700, 50), "demand_points": 2_000.0, "ags": MACHERN,
     "status": "im Verfahren"},
])


def booked(*bookings: tuple[str, str, float, ledger.BookingKind]) -> pd.DataFrame:
    entries = ledger.empty_ledger()
    for pool_id, target, points, kind in bookings:
        rows = ledger.plan_booking(POOL, ITV, entries, pool_id=pool_id, intervention_id=target, points=points,
                                   kind=kind, user="t", on=ON)
        entries = pd.concat([entries, rows], ignore_index=True)
    return entries


def view(entries: pd.DataFrame) -> summary.PoolView:
    return summary.pool_view(PoolData(boundaries=POOL.iloc[:0], pool_areas=POOL, interventions=ITV,
                                      allocations=entries, history=pd.DataFrame()))


def test_flows_are_net_of_cancellations_and_split_by_kind():
    entries = booked(("W1", "EW", 300.0, "zugeordnet"), ("B1", "EW", 200.0, "zugeordnet"),
                     ("B1", "EW", 50.0, "zugeordnet"), ("B1", "EM", 400.0, "reserviert"))
    cancel = ledger.plan_cancel(entries, allocation_id=entries["allocation_id"].iloc[2], user="t", on=ON)
    flow = flows.flows(view(pd.concat([entries, cancel], ignore_index=True)))
    assert flow[["from_name", "to_name", "points"]].values.tolist() == [
        ["Wurzen", "Wurzen", 300.0], ["Wurzen", "Bennewitz", 200.0], ["Machern", "Bennewitz", 400.0]]
    assert flow["reserved_points"].tolist() == [0.0, 0.0, 400.0]
    assert flow["cross_border"].tolist() == [False, True, True]
    assert flows.cross_border_share(flow) == pytest.approx(600 / 900)


def test_matrix_rows_are_intervention_municipalities_columns_pool_municipalities():
    entries = booked(("W1", "EW", 300.0, "zugeordnet"), ("B1", "EW", 200.0, "zugeordnet"),
                     ("B1", "EM", 400.0, "reserviert"))
    table = flows.matrix(flows.flows(view(entries)))
    assert table.index.tolist() == ["Wurzen", "Machern", "Gesamt"]
    assert table.columns.tolist() == ["Wurzen", "Bennewitz", "Gesamt"]
    assert table.loc["Wurzen"].tolist() == [300.0, 200.0, 500.0]
    assert table.loc["Machern"].tolist() == [0.0, 400.0, 400.0]
    assert table.loc["Gesamt"].tolist() == [300.0, 600.0, 900.0]


def test_a_partners_flows_are_those_with_it_on_either_side():
    entries = booked(("W1", "EW", 300.0, "zugeordnet"), ("B1", "EW", 200.0, "zugeordnet"),
                     ("B1", "EM", 400.0, "reserviert"))
    flow = flows.flows(view(entries))
    pairs = lambda f: f[["from_name", "to_name"]].values.tolist()  # noqa: E731
    assert pairs(flows.involving(flow, [MACHERN])) == [["Machern", "Bennewitz"]]
    assert pairs(flows.involving(flow, [BENNEWITZ])) == [["Wurzen", "Bennewitz"], ["Machern", "Bennewitz"]]
    assert pairs(flows.involving(flow, [schema.municipality("trebsen").ags])) == []
    assert flows.involving(flow, []).equals(flow)


def test_an_empty_ledger_has_no_flows():
    flow = flows.flows(view(ledger.empty_ledger()))
    assert flow.empty and flows.cross_border_share(flow) == 0.0
    assert flows.matrix(flow).loc["Gesamt", "Gesamt"] == 0.0


def test_demo_flows_add_up_to_the_booked_points_of_the_pool(demo_store: GeoPackageStore):
    v = summary.pool_view(demo_store.read_all())
    flow = flows.flows(v)
    assert flow["points"].sum() == pytest.approx(v.pool_areas["booked_points"].sum())
    assert flows.matrix(flow).loc["Gesamt", "Gesamt"] == pytest.approx(v.pool_areas["booked_points"].sum())
    assert flow["cross_border"].any()


def test_a_reports_flows_are_those_of_its_partners_with_every_partner(demo_store: GeoPackageStore):
    """The other tables of a report drop what lies outside its partners; the flows keep the other side."""
    full = summary.pool_view(demo_store.read_all())
    wurzen = schema.municipality("wurzen").ags
    report = summary.report(full, summary.Scope(ags=(wurzen,)))
    assert report.flows.equals(flows.involving(flows.flows(full), [wurzen]))
    assert set(report.flows["from_name"]) | set(report.flows["to_name"]) > {"Wurzen"}
    assert summary.report(full, summary.Scope()).flows.equals(flows.flows(full))
