"""Due dates, overdue lists and flags for a fixed today; uploads checked by content."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from geo import schema
from geo.accounting import summary
from geo.display import interventions, monitoring
from geo.errors import DataError
from geo.map import selection, webmap
from geo.map.mapfilter import Selection
from geo.monitoring import files, schedule, status
from geo.schema import PoolData
from geo.store import Monitoring
from tests.conftest import LEIPZIG, intervention_frame, pool_frame
from tests.monitoringtools import PDF, photo

TODAY = dt.date(2026, 11, 29)
INTERVALS = schedule.read_intervals(schedule.BUNDLED)


def test_the_bundled_table_covers_every_measure_type():
    assert set(INTERVALS) == set(schema.MEASURE_TYPES)
    assert INTERVALS["Extensivierung Grünland"].check_years == (1, 2, 3, 4, 5)
    assert INTERVALS["Aufforstung"].check_years[0] == 3


@pytest.mark.parametrize(("checks", "due"), [
    ([], dt.date(2021, 6, 1)),  # first check one year after implementation
    ([(dt.date(2021, 5, 20), "bestanden")], dt.date(2022, 6, 1)),  # an early check counts for the first
    ([(dt.date(2020, 1, 1), "bestanden")], dt.date(2021, 6, 1)),  # before the implementation: does not count
    ([(dt.date(2021 + i, 6, 1), "bestanden") for i in range(5)], dt.date(2030, 6, 1)),  # then every 5 years
    ([(dt.date(2021, 6, 1), "mit Mängeln")], dt.date(2022, 6, 1)),  # re-check within 12 months
    ([(dt.date(2023, 9, 1), "bestanden")], dt.date(2024, 6, 1)),  # a late check: the missed ones are not due
    ([(dt.date(2026, 1, 1), "mit Mängeln")], dt.date(2027, 1, 1)),  # after the plan's years: re-check first
])
def test_next_due_follows_the_plan(checks, due):
    assert schedule.next_due(INTERVALS["Extensivierung Grünland"], dt.date(2020, 6, 1), checks) == due


def test_long_term_plans_end_and_defects_are_rechecked_early():
    river = schedule.Interval("Gewässerrenaturierung", (2, 5, 10), 0, 6)
    done = [(dt.date(2012, 1, 1), "bestanden"), (dt.date(2015, 1, 1), "bestanden"), (dt.date(2020, 1, 1), "bestanden")]
    assert schedule.next_due(river, dt.date(2010, 1, 1), done) is None
    assert schedule.next_due(river, dt.date(2010, 1, 1), [(dt.date(2012, 3, 1), "mit Mängeln")]) == dt.date(2012, 9, 1)
    assert schedule.next_due(river, None, []) is None


def test_a_broken_settings_table_is_named(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("measure_type,check_years,then_every_years,recheck_months,note\nAufforstung,3 x,5,12,\n")
    with pytest.raises(DataError, match="Aufforstung: „3 x“ sind keine ganzen Jahre"):
        schedule.read_intervals(path)


def _events(rows):
    frame = pd.DataFrame(rows, columns=["pool_id", "state", "date"])
    return frame.reindex(columns=schema.field_names(schema.MEASURE_EVENTS))


def _records(events, inspections=()):
    checks = pd.DataFrame(list(inspections), columns=["pool_id", "date", "result"])
    return Monitoring(_events(events), checks.reindex(columns=schema.field_names(schema.INSPECTIONS)),
                      schema.empty_table(schema.DOCUMENTS))


POOL = pool_frame([
    {"pool_id": "A", "measure_type": "Extensivierung Grünland", "measure_start": "2020-03-01",
     "geometry": box(0, 0, 10, 10)},
    {"pool_id": "B", "measure_type": "Aufforstung", "measure_start": "2026-01-10", "geometry": box(20, 0, 30, 10)},
    {"pool_id": "C", "measure_type": "Aufforstung", "measure_start": "2027-01-10", "geometry": box(40, 0, 50, 10)},
    {"pool_id": "D", "measure_type": "Blühflächen", "measure_start": "2019-01-10", "measure_end": "2020-01-10",
     "geometry": box(60, 0, 70, 10)},
    {"pool_id": "E", "ags": LEIPZIG, "measure_type": "Blühflächen", "measure_start": "2019-01-10",
     "geometry": box(80, 0, 90, 10)},
])
RECORDS = _records(
    [("A", "geplant", "2019-01-01"), ("A", "umgesetzt", "2020-06-01"),
     ("A", "Funktionskontrolle bestanden", "2021-06-01"),
     ("B", "geplant", "2025-01-01"), ("C", "geplant", "2025-01-01"), ("D", "in Umsetzung", "2019-01-10"),
     ("E", "umgesetzt", "2025-06-01"), ("E", "Funktionskontrolle mit Mängeln", "2026-05-01")],
    [("A", "2021-06-01", "bestanden"), ("E", "2026-05-01", "mit Mängeln")])


def test_area_status_for_a_fixed_today():
    table = status.area_status(POOL, RECORDS, INTERVALS, TODAY).set_index("pool_id")
    assert table.at["A", "next_due"] == dt.date(2022, 6, 1)  # one check of five done
    assert table.at["A", "overdue_days"] == (TODAY - dt.date(2022, 6, 1)).days
    assert table.at["A", "monitoring_flag"] == ""
    assert table.at["B", "should_have_started"] and table.at["B", "monitoring_flag"] == status.NOT_IMPLEMENTED
    assert not table.at["C", "should_have_started"] and table.at["C", "monitoring_flag"] == ""
    assert table.at["D", "monitoring_flag"] == status.NOT_IMPLEMENTED  # end passed, still in Umsetzung
    assert table.at["E", "monitoring_flag"] == status.DEFECTS
    assert table.at["E", "next_due"] == dt.date(2027, 5, 1) and table.at["E", "overdue_days"] == 0
    counts = status.per_municipality(status.area_status(POOL, RECORDS, INTERVALS, TODAY)).set_index("municipality")
    wurzen = counts.loc["Wurzen", ["areas", "implemented", "overdue", "defects", "not_started"]]
    assert wurzen.tolist() == [4, 1, 1, 0, 1]
    assert counts.loc["Gesamt", "defects"] == 1


def _flagged_view() -> summary.PoolView:
    itv = intervention_frame([{"intervention_id": "I1", "ags": LEIPZIG, "geometry": box(0, 50, 10, 60)},
                              {"intervention_id": "I2", "geometry": box(20, 50, 30, 60)}])
    ledger = pd.DataFrame([
        {"allocation_id": "B1", "intervention_id": "I1", "pool_id": "E", "kind": "zugeordnet", "points": 10.0},
        {"allocation_id": "B2", "intervention_id": "I2", "pool_id": "A", "kind": "zugeordnet", "points": 10.0},
        {"allocation_id": "B3", "intervention_id": "I2", "pool_id": "B", "kind": "zugeordnet", "points": 10.0},
        {"allocation_id": "B4", "intervention_id": "I2", "pool_id": "B", "kind": "zugeordnet", "points": -10.0,
         "reverses": "B3"}]).reindex(columns=schema.field_names(schema.ALLOCATIONS))
    pool = POOL.assign(value_points=1000.0)
    data = PoolData(boundaries=pool.iloc[:0], pool_areas=pool, interventions=itv.assign(demand_points=100.0),
                    allocations=ledger, history=schema.empty_table(schema.HISTORY))
    return status.flag_view(summary.pool_view(data), status.area_status(pool, RECORDS, INTERVALS, TODAY))


def test_interventions_booked_on_flagged_areas_carry_the_flag():
    view = _flagged_view()
    flags = view.interventions.set_index("intervention_id")["monitoring_flag"]
    assert flags["I1"] == "E: Mängel" and flags["I2"] == ""  # B's booking was cancelled
    assert view.pool_areas.set_index("pool_id")["monitoring_flag"].to_dict() == {
        "A": "", "B": "nicht umgesetzt", "C": "", "D": "nicht umgesetzt", "E": "Mängel"}


def test_flags_show_in_candidates_on_the_intervention_on_the_map_and_in_the_overview():
    view = _flagged_view()
    table = interventions.candidate_table(view.pool_areas.assign(rank=range(1, 6), reason="…"))
    assert table["Monitoring"].tolist() == ["", "⚠ nicht umgesetzt", "", "⚠ nicht umgesetzt", "⚠ Mängel"]
    row = view.interventions.set_index("intervention_id").loc["I1"]
    assert interventions.monitoring_warning(row).startswith("⚠ Wertpunkte dieses Eingriffs stammen von Flächen "
                                                            "mit Mängeln oder ohne Umsetzung: E: Mängel.")
    assert interventions.monitoring_warning(view.interventions.set_index("intervention_id").loc["I2"]) is None
    fields = selection.details(view, Selection(schema.POOL_AREAS, "E")).fields
    assert fields.iloc[0].tolist() == ["Monitoring-Hinweis", "⚠ Mängel"]
    assert selection.details(view, Selection(schema.POOL_AREAS, "A")).fields.iloc[0, 0] == "Flächen-ID"
    markers = json.loads(webmap.prepare_layers(view).flags)
    assert [m[2] for m in markers] == ["⚠ B – Monitoring: nicht umgesetzt", "⚠ D – Monitoring: nicht umgesetzt",
                                       "⚠ E – Monitoring: Mängel", "⚠ I1 – gebucht auf: E: Mängel"]
    html = webmap.build_map(webmap.prepare_layers(view), offline=True).get_root().render()
    assert "Monitoring-Hinweise" in html and "flag_layer_" in html
    assert "Monitoring: Mängel oder nicht umgesetzt" in webmap.legend_html()
    assert monitoring.overview_note(view.pool_areas) == (
        "⚠ Monitoring: 1 Poolfläche mit Mängeln, 2 nicht umgesetzt; auf ihnen sind 10\u00a0WP gebucht "
        "(Einzelheiten auf der Seite „Monitoring“).")


def test_photos_pdfs_and_refusals():
    assert files.check("x.pdf", PDF).media_type == "application/pdf"
    assert files.check("renamed.pdf", photo()).media_type == "image/jpeg"  # by content, not by name
    with pytest.raises(DataError, match=r"„notiz.jpg“ ist kein Foto \(JPEG, PNG\) und kein PDF"):
        files.check("notiz.jpg", b"Dies ist Text, kein Bild.")
    with pytest.raises(DataError, match="ist 10,0 MB groß; erlaubt sind höchstens 10,0 MB"):
        files.check("gross.jpg", photo()[:3] + b"\0" * files.MAX_BYTES)
    with pytest.raises(DataError, match="lässt sich aber nicht öffnen"):
        files.check("kaputt.png", photo(fmt="PNG")[:60])
    with pytest.raises(DataError, match="ist leer"):
        files.check("leer.jpg", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_location_is_removed_unless_kept(fmt):
    shot = photo(gps=True, fmt=fmt)
    assert files.has_location(shot)
    stripped = files.check("mit-gps.jpg", shot)
    assert not files.has_location(stripped.content)
    with Image.open(io.BytesIO(stripped.content)) as image:
        assert image.getexif()[0x010F] == "Testkamera" and image.size == (64, 48)  # the rest of EXIF stays
    assert files.check("mit-gps.jpg", shot, keep_location=True).content == shot
    assert files.check("ohne.jpg", photo(fmt=fmt)).content == photo(fmt=fmt)
