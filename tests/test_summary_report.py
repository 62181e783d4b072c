"""The report's figures computed from one grouping equal the figures of each municipality's own view."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.accounting import summary
from geo.store.gpkg import GeoPackageStore
from tests.conftest import DATA, LEIPZIG, WURZEN


@pytest.mark.parametrize("scope", [summary.Scope(), summary.Scope(ags=(LEIPZIG, WURZEN)),
                                   summary.Scope(years=(2024, 2025)), summary.Scope(ags=(WURZEN,), years=(2030, 2031))])
def test_report_breakdowns_equal_those_of_each_selection(scope):
    view = summary.pool_view(GeoPackageStore(DATA).read_all())
    report = summary.report(view, scope)
    part = summary.scoped(view, scope)
    assert list(report.measures_by_municipality) == [a for a in report.municipalities.index if a != "gesamt"]
    for ags, table in report.measures_by_municipality.items():
        pd.testing.assert_frame_equal(table, summary.with_total(summary.by_measure_type(summary.select(part, [ags]))))
    now = summary.current(view, scope)  # supply, demand and the largest open demands are today's
    pd.testing.assert_frame_equal(report.supply_demand, summary.supply_demand(now, scope.ags))
    expected = now.interventions[now.interventions["open_points"] > 1e-6].sort_values(
        ["open_points", "intervention_id"], ascending=[False, True]).head(10)
    assert report.top_open["intervention_id"].tolist() == expected["intervention_id"].tolist()
