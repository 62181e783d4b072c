"""Council-overview summaries on a tiny hand-built pool; the charts draw exactly these numbers."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import geopandas as gpd
import pandas as pd
import pytest
import vl_convert

from geo import schema
from geo.accounting import ledger, summary
from geo.reports import charts
from geo.schema import PoolData
from tests.conftest import LEIPZIG, MACHERN, WURZEN, intervention_frame, pool_frame, square

HA = 10_000.0
POOL = pool_frame([
    {"pool_id": "P1", "geometry": square(0, 0, 100), "value_points": 1_000.0, "measure_type": "Aufforstung",
     "measure_start": "2019-03-01", "measure_end": "2021-06-30"},
    {"pool_id": "P2", "geometry": square(500, 0, 200), "value_points": 500.0, "ags": MACHERN,
     "measure_type": "Entsiegelung", "measure_start": "2022-01-01"},
    {"pool_id": "P3", "geometry": square(1000, 0, 100), "value_points": 800.0, "status": "gesperrt",
     "measure_start": "2015-01-01", "measure_end": "2016-01-01"},
    {"pool_id": "P4", "geometry": square(2000, 0, 300), "value_points": 2_000.0, "ags": LEIPZIG, "status": "geplant",
     "measure_type": "Blühflächen", "measure_start": "2027-04-01", "measure_end": "2028-01-01"},
])
ITV = intervention_frame([
    {"intervention_id": "E1", "geometry": square(0, 900, 50), "demand_points": 1_200.0, "approval_date": "2020-05-01"},
    {"intervention_id": "E2", "geometry": square(0, 1200, 50), "demand_points": 300.0, "ags": MACHERN,
     "status": "im Verfahren"},
    {"intervention_id": "E3", "geometry": square(0, 1500, 50), "demand_points": 100.0, "ags": LEIPZIG,
     "approval_date": "2017-01-01"},
])


def _ledger() -> pd.DataFrame:
    entries = ledger.empty_ledger()
    bookings: tuple[tuple[str, str, int, ledger.BookingKind, dt.date], ...] = (
        ("P1", "E1", 700, "zugeordnet", dt.date(2021, 2, 1)),
        ("P2", "E1", 200, "zugeordnet", dt.date(2022, 3, 1)),
        ("P1", "E2", 300, "reserviert", dt.date(2022, 6, 1)))
    for pool_id, itv_id, points, kind, on in bookings:
        rows = ledger.plan_booking(POOL, ITV, entries, pool_id=pool_id, intervention_id=itv_id, points=points,
                                   kind=kind, user="t", on=on)
        entries = pd.concat([entries, rows], ignore_index=True)
    cancel = ledger.plan_cancel(entries, allocation_id=entries["allocation_id"].iloc[1], user="t",
                                on=dt.date(2023, 1, 10))
    entries = pd.concat([entries, cancel], ignore_index=True)
    entries["date"] = pd.to_datetime(entries["date"])
    return entries


@pytest.fixture(scope="module")
def view() -> summary.PoolView:
    pool, itv = POOL.copy(), ITV.copy()
    for frame, cols in ((pool, ("measure_start", "measure_end")), (itv, ("approval_date",))):
        for col in cols:
            frame[col] = pd.to_datetime(frame[col])
    boundaries = gpd.GeoDataFrame({"ags": [], "name": []}, geometry=[], crs=schema.CRS)
    history = pd.DataFrame({"ags": pd.Series(dtype=object)})
    return summary.pool_view(PoolData(boundaries, pool, itv, _ledger(), history))


def test_by_status_and_measure_type_by_hand(view):
    status = summary.by_status(view)
    # P1 is fully booked with a reservation left → reserviert; the cancelled 200 WP are free again on P2.
    assert status.index.tolist() == ["geplant", "verfügbar", "reserviert", "gesperrt"]
    assert status["area_ha"].tolist() == pytest.approx([9.0, 4.0, 1.0, 1.0])
    assert status["value_points"].tolist() == [2_000, 500, 1_000, 800]
    # Planned (P4) and withdrawn (P3) areas offer nothing to book.
    assert status["free_points"].tolist() == [0, 500, 0, 0]
    measures = summary.with_total(summary.by_measure_type(view))
    assert measures.index.tolist() == ["Aufforstung", "Entsiegelung", "Blühflächen", "Gesamt"]
    assert measures["pool_count"].tolist() == [2, 1, 1, 4]
    assert measures["area_m2"].tolist() == pytest.approx([2 * HA, 4 * HA, 9 * HA, 15 * HA])
    assert measures.loc["Gesamt", "value_points"] == 4_300


def test_area_by_municipality_and_status(view):
    table = summary.area_by_municipality_status(view)
    assert table.index.tolist() == ["Leipzig", "Wurzen", "Machern"]
    assert table.columns.tolist() == ["geplant", "verfügbar", "reserviert", "gesperrt"]
    assert table.loc["Leipzig", "geplant"] == pytest.approx(9.0)
    assert table.loc["Wurzen"].tolist() == pytest.approx([0.0, 0.0, 1.0, 1.0])
    assert table.loc["Machern", "verfügbar"] == pytest.approx(4.0)


def test_supply_demand_per_municipality_and_partnership(view):
    table = summary.supply_demand(view)
    # Open demand: E1 1200 − 700 = 500 (the 200 were cancelled), E2 covered, E3 100.
    # Free: only Machern's P2; P1 is fully booked, P3 withdrawn, P4 only planned.
    assert table.loc["Wurzen"].tolist() == [0, 500, -500]
    assert table.loc["Machern"].tolist() == [500, 0, 500]
    assert table.loc["Leipzig"].tolist() == [0, 100, -100]
    assert table.loc["Gesamt"].tolist() == [500, 600, -100]


def test_development_counts_starts_ends_and_net_bookings(view):
    table = summary.development(view, today=dt.date(2026, 11, 29))
    assert table.index.tolist() == list(range(2015, 2029))
    assert table.loc[[2015, 2019, 2022], "measures_started"].tolist() == [1, 1, 1]
    # P4 starts in 2027 and ends in 2028: neither begun nor completed yet, its end is planned.
    assert table["measures_started"].sum() == 3
    assert table.loc[[2016, 2021], "measures_completed"].tolist() == [1, 1]
    assert table["measures_completed"].sum() == 2
    assert table["measures_planned"].to_dict() == {y: int(y == 2028) for y in range(2015, 2029)}
    assert table.loc[[2021, 2022, 2023, 2024], "booked_points"].tolist() == [700, 500, -200, 0]


def test_development_judges_completion_by_the_given_day(view):
    """The same measure counts as planned before its end and as completed after it."""
    before = summary.development(view, today=dt.date(2021, 6, 29))
    after = summary.development(view, today=dt.date(2028, 1, 1))
    assert before.loc[2021, ["measures_completed", "measures_planned"]].tolist() == [0, 1]  # P1 ends 30.06.2021
    assert after.loc[2021, ["measures_completed", "measures_planned"]].tolist() == [1, 0]
    assert after.loc[2028, "measures_completed"] == 1 and after.loc[2027, "measures_started"] == 1


def test_year_scope_selects_measures_approvals_and_bookings(view):
    part = summary.scoped(view, summary.Scope(years=(2020, 2022)))
    assert sorted(part.pool_areas["pool_id"]) == ["P1", "P2"]  # P3 ended 2016, P4 starts 2027
    assert sorted(part.interventions["intervention_id"]) == ["E1", "E2"]  # E2 is not approved yet
    assert sorted(part.allocations["points"]) == [200, 300, 700]  # the 2023 reversal is outside
    report = summary.report(view, summary.Scope(years=(2020, 2022)), today=dt.date(2026, 11, 29))
    assert report.development.to_dict("list") == {
        "measures_started": [0, 0, 1], "measures_completed": [0, 1, 0], "measures_planned": [0, 0, 0],
        "booked_points": [0, 700, 500]}
    period = report.period
    assert (period.pool_count, period.free_points, period.open_points, period.balance) == (2, 500, 500, 0)
    assert period.pool_area_m2 == pytest.approx(5 * HA)
    # Today's figures do not follow the year range: every area and intervention, today's ledger.
    assert report.headline == summary.headline(view)
    assert report.supply_demand.loc["Gesamt"].tolist() == [500, 600, -100]
    assert report.municipalities.loc["gesamt", "pool_count"] == 4


def test_municipality_scope_and_top_open(view):
    report = summary.report(view, summary.Scope(ags=(WURZEN,)))
    assert report.municipalities.index.tolist() == [WURZEN, "gesamt"]
    assert list(report.measures_by_municipality) == [WURZEN]
    assert report.measures_by_municipality[WURZEN].loc["Gesamt", "value_points"] == 1_800
    assert summary.top_open_interventions(view)["intervention_id"].tolist() == ["E1", "E3"]
    assert summary.top_open_interventions(view, n=1)["open_points"].tolist() == [500]
    assert summary.year_bounds(view) == (2015, 2028)


def test_charts_draw_the_summaries(view):
    report = summary.report(view, summary.Scope())
    specs = {spec.key: spec for spec in charts.specs(report)}
    assert list(specs) == ["balance", "area_status", "points_status", "measures", "measures_per_year",
                           "booked_per_year"]
    balance = specs["balance"]
    # The partnership's total is said in words, not drawn: as a bar it would dwarf every municipality.
    assert balance.categories() == ["Leipzig", "Wurzen", "Machern"]
    assert balance.values(balance.series[0]) == [0, 0, 500]
    assert balance.values(balance.series[1]) == [100, 500, 0]
    assert "Zusammen: 500\u00a0WP frei, 600\u00a0WP offener Bedarf." in balance.note
    drawn = charts.altair_chart(balance).to_dict()
    rows = drawn["datasets"][next(iter(drawn["datasets"]))]
    assert [r["Freie Wertpunkte"] for r in rows] == [0, 0, 500]
    assert drawn["config"]["locale"]["number"]["decimal"] == ","
    assert drawn["config"]["locale"]["number"]["thousands"] == "."
    status = specs["area_status"]
    assert [s.color for s in status.series] == [schema.POOL_STATUS_COLORS[s] for s in report.area_status.columns]
    assert status.values(status.series[0]) == pytest.approx(report.area_status["geplant"].tolist())
    per_year = specs["booked_per_year"]
    assert per_year.values(per_year.series[0]) == report.development["booked_points"].tolist()
    assert specs["measures"].values(specs["measures"].series[0]) == pytest.approx(report.measures["area_ha"].tolist())


def test_points_by_status_bars_wear_the_legend_colours(view):
    report = summary.report(view, summary.Scope())
    spec = next(s for s in charts.specs(report) if s.key == "points_status")
    assert [s.color for s in spec.series] == [schema.POOL_STATUS_COLORS[s] for s in report.status.index]
    # Each bar is the sum of its row: the status's own value points, nothing of the others.
    drawn = spec.data[[s.column for s in spec.series]].sum(axis=1).tolist()
    assert drawn == report.status["value_points"].tolist()


def test_a_chosen_partner_without_data_keeps_its_row_and_only_it(view):
    report = summary.report(view, summary.Scope(ags=(LEIPZIG,), years=(2010, 2012)))
    assert report.period.pool_count == report.period.intervention_count == 0
    assert (report.headline.pool_count, report.headline.intervention_count) == (1, 1)  # today: P4, E3
    assert report.municipalities.index.tolist() == [LEIPZIG, "gesamt"]
    assert report.municipalities.loc[LEIPZIG, ["pool_count", "open_points"]].tolist() == [1, 100]
    assert report.supply_demand.index.tolist() == ["Leipzig", "Gesamt"]
    nobody = summary.report(view, summary.Scope(ags=(schema.MUNICIPALITIES[-1].ags,), years=(2010, 2012)))
    assert nobody.municipalities.loc[schema.MUNICIPALITIES[-1].ags, ["pool_count", "open_points"]].tolist() == [0, 0]
    assert list(report.measures_by_municipality) == [LEIPZIG]
    # Without a choice, partners without areas or interventions are left out as before.
    assert summary.by_municipality(view).index.tolist() == [LEIPZIG, WURZEN, MACHERN, "gesamt"]


def test_charts_without_values_say_so(view):
    today, *period = charts.specs(summary.report(view, summary.Scope(years=(2010, 2012))))
    assert all(s.empty() for s in period) and not today.empty()  # supply and demand are today's
    assert not any(s.empty() for s in charts.specs(summary.report(view, summary.Scope())))


def test_million_axis_labels_keep_apart_on_a_narrow_chart():
    spec = charts.ChartSpec("t", "T", "", pd.DataFrame({"k": list("abcde"), "v": [1e6, 3e6, 7e6, 11e6, 14e6]}),
                            "k", "K", (charts.Series("v", "Wert", "#000000"),), "Wertpunkte", "points")
    svg = vl_convert.vegalite_to_svg(charts.altair_chart(spec, width=460).to_dict())
    labels = re.findall(r'translate\(([\d.]+),\d+\)"[^>]*>([^<]*Mio\.)</text>', svg)
    xs = sorted(float(x) for x, _ in labels)
    widest = max(len(text) for _, text in labels)
    assert len(xs) >= 3 and min(b - a for a, b in itertools.pairwise(xs)) >= 6.5 * widest, labels


def _texts(spec: charts.ChartSpec) -> list[str]:
    svg = vl_convert.vegalite_to_svg(charts.altair_chart(spec, width=460).to_dict())
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_bars_carry_their_values_in_german():
    frame = pd.DataFrame({"k": ["a", "b", "c"], "v": [1_250_000.0, 14_000_000.0, 0.0], "w": [12.5, 1234.0, 3.0]})
    points = charts.ChartSpec("t", "T", "", frame, "k", "K", (charts.Series("v", "Wert", "#000000"),),
                              "Wertpunkte", "points", labels=True)
    texts = _texts(points)
    # A million axis labels every bar in millions; a zero bar gets no label.
    assert "1,3 Mio." in texts and "14,0 Mio." in texts and "0,0 Mio." not in texts
    hectares = charts.ChartSpec("t", "T", "", frame, "k", "K", (charts.Series("w", "Fläche", "#000000"),),
                                "Fläche (ha)", "ha", labels=True)
    assert {"12,5", "1.234,0", "3,0"} <= set(_texts(hectares))
    # The axis leaves room for the longest bar's label.
    assert charts.altair_chart(points).to_dict()["layer"][0]["encoding"]["x"]["scale"]["domain"] == [
        0.0, 14_000_000.0 * charts.LABEL_ROOM]
    unlabelled = charts.ChartSpec("t", "T", "", frame, "k", "K", (charts.Series("w", "Fläche", "#000000"),),
                                  "Fläche (ha)", "ha")
    assert "1.234,0" not in _texts(unlabelled)


def test_each_chart_says_its_statement_in_words(view):
    specs = {spec.key: spec for spec in charts.specs(summary.report(view, summary.Scope()))}
    assert charts.describe(specs["balance"]) == (
        "Angebot und Bedarf. Freie Wertpunkte: insgesamt 500\u00a0WP, am meisten bei Machern (500\u00a0WP), "
        "am wenigsten bei Leipzig (0\u00a0WP); Offener Bedarf: insgesamt 600\u00a0WP, am meisten bei Wurzen "
        "(500\u00a0WP), am wenigsten bei Machern (0\u00a0WP).")
    # Stacked bars are described by their totals.
    assert charts.describe(specs["area_status"]).startswith(
        "Poolfläche nach Gemeinde und Status. Fläche (ha): insgesamt 15,0\u00a0ha, "
        "am meisten bei Leipzig (9,0\u00a0ha)")
    columns = charts.table_columns(specs["balance"])
    assert [(c.header, c.kind) for c in columns] == [("Gemeinde", "text"), ("Freie Wertpunkte", "points"),
                                                     ("Offener Bedarf", "points")]


def test_change_since_an_earlier_day_recounts_the_ledger_of_that_day(view):
    # On 15.03.2022 E1 had 700 + 200 WP booked and E2 nothing: open 1200 − 900 + 300 + 100 = 700.
    then = summary.headline(summary.as_of(view, dt.date(2022, 3, 15)))
    assert (then.free_points, then.open_points) == (300 + 300, 300 + 300 + 100)
    before_all = summary.headline(summary.as_of(view, dt.date(2020, 1, 1)))
    assert before_all.open_points == 1_200 + 300 + 100
    diff = summary.change(summary.headline(view), then)
    assert (diff.free_points, diff.open_points, diff.balance) == (500 - 600, 600 - 700, -100 - (600 - 700))
    assert diff.pool_count == 0
    report = summary.report(view, summary.Scope(since=dt.date(2022, 3, 15)))
    assert report.earlier == then


def test_measure_types_narrow_the_pool_areas_today_and_in_the_range(view):
    report = summary.report(view, summary.Scope(measure_types=("Aufforstung",)))
    # P1 and P3 are Aufforstung (the default of the test frame); P1's entries stay, P2's go.
    assert sorted(report.view.pool_areas["pool_id"]) == ["P1", "P3"]
    assert report.headline.pool_count == 2 and report.headline.value_points == 1_800
    assert report.headline.open_points == summary.headline(view).open_points  # interventions stay
    assert set(report.view.allocations["pool_id"]) == {"P1"}
    assert report.measures.index.tolist() == ["Aufforstung"]
