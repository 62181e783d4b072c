"""Climate balance: hand-computed sums on tiny areas, the factor table's checks, slides and report."""

from __future__ import annotations

import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from shapely.geometry import box

from geo import schema
from geo.accounting import climate, ledger, summary
from geo.errors import DataError
from geo.reports import downloads, pptx
from geo.schema import PoolData
from tests.conftest import LEIPZIG, intervention_frame, pool_frame, square

MEASURE = {"Aufforstung": 8.0, "Blühflächen": 1.0}
KIND = {"Straße/Verkehr": -5.0}
FACTORS = ("# title: Test\n# source: Handrechnung\n# version: 1\n# date: 2026-01-01\n"
           "kind,key,name,t_co2_per_ha_year\n"
           + "".join(f"measure,{m},{m},{MEASURE.get(m, 0.0)}\n" for m in schema.MEASURE_TYPES)
           + "".join(f"intervention,{k},{k},{KIND.get(k, -1.0)}\n" for k in schema.INTERVENTION_KINDS))
# Wurzen: 1 ha forest (8 t) + 0,25 ha flowers (0,25 t) stored, 0,5 ha road (2,5 t) released → +5,75 t/a.
# Leipzig: 0,04 ha B-Plan (factor −1) → 0,04 t released, nothing stored → −0,04 t/a.
POOL = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 100), "measure_type": "Aufforstung", "value_points": 1.0},
                   {"pool_id": "B", "geometry": square(500, 0, 50), "measure_type": "Blühflächen",
                    "value_points": 1.0}])
ITV = intervention_frame([
    {"intervention_id": "S", "geometry": box(0, 500, 100, 550), "kind": "Straße/Verkehr", "demand_points": 0.0},
    {"intervention_id": "L", "geometry": square(0, 900, 20), "kind": "B-Plan", "ags": LEIPZIG, "demand_points": 0.0},
])


def _view() -> summary.PoolView:
    boundaries = gpd.GeoDataFrame({"ags": [], "name": []}, geometry=[], crs=schema.CRS)
    return summary.pool_view(PoolData(boundaries, POOL, ITV, ledger.empty_ledger(),
                                      pd.DataFrame({"ags": pd.Series(dtype=object)}),
                                      valuation={climate.TABLE: FACTORS}))


def test_climate_sums_by_hand():
    view = _view()
    assert view.pool_areas["climate_t"].tolist() == pytest.approx([8.0, 0.25])
    assert view.interventions["climate_t"].tolist() == pytest.approx([-2.5, -0.04])
    table = summary.climate_beside_points(view).set_index("municipality")
    assert table.loc["Wurzen", ["stored_t", "released_t", "balance_t"]].tolist() == pytest.approx([8.25, 2.5, 5.75])
    assert table.loc["Leipzig", ["stored_t", "released_t", "balance_t"]].tolist() == pytest.approx([0.0, 0.04, -0.04])
    assert table.loc["Gesamt", "balance_t"] == pytest.approx(5.71)
    assert "agreed_balance" not in table.columns  # not valued under the models: no agreed figure


def test_a_factor_table_missing_a_measure_type_is_refused():
    broken = "\n".join(line for line in FACTORS.splitlines() if not line.startswith("measure,Waldumbau"))
    with pytest.raises(DataError, match="Faktor fehlt für Waldumbau"):
        climate.parse(broken)


def test_the_slides_show_the_climate_balance_beside_the_points():
    report = summary.report(_view(), summary.Scope())
    deck = Presentation(io.BytesIO(pptx.build(report, on=pd.Timestamp("2026-11-29").date())))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert "Klimabilanz neben den Wertpunkten" in texts
    cells = [cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
             for row in shape.table.rows for cell in row.cells]
    assert "Klimabilanz (t CO₂/Jahr)" in cells and "5,8" in cells  # 5,75 t/a for Wurzen


def test_the_workbook_has_the_climate_balance_as_numbers():
    report = summary.report(_view(), summary.Scope())
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx(report)))
    sheet = book["Klima"]
    assert [c.value for c in sheet[1]][-1] == "Klimabilanz (t CO₂/Jahr)"
    rows = {row[0].value: row[-1].value for row in sheet.iter_rows(min_row=2)}
    assert rows["Wurzen"] == pytest.approx(5.75) and rows["Gesamt"] == pytest.approx(5.71)
