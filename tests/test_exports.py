"""Slides, PDF, Excel and geodata of the council report hold the summaries' numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pyogrio
import pytest
from PIL import Image
from pptx import Presentation
from pptx.presentation import Presentation as Deck
from pptx.util import Inches, Pt
from pypdf import PdfReader

from geo import fmt, schema
from geo.accounting import flows, summary
from geo.reports import charts, content, downloads, pdf, pptx, staticmap
from geo.store.gpkg import GeoPackageStore
from tests.conftest import DATA, LEIPZIG, WURZEN

ON = dt.date(2026, 11, 25)
AVAILABLE = tuple(int(schema.POOL_STATUS_COLORS["verfügbar"][i:i + 2], 16) for i in (1, 3, 5))
"""The legend colour of available areas as RGB."""
SCOPE = summary.Scope(ags=(LEIPZIG, WURZEN), years=(2020, 2026))


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.fixture(scope="module")
def full() -> summary.PoolView:
    return summary.pool_view(GeoPackageStore(DATA).read_all())


@pytest.fixture(scope="module")
def report(full) -> summary.Report:
    return summary.report(full, SCOPE)


@pytest.fixture(scope="module")
def deck(report, full) -> Deck:
    return Presentation(io.BytesIO(pptx.build(report, on=ON, context=full)))


@pytest.fixture(scope="module")
def pdf_reader(report, full) -> PdfReader:
    return PdfReader(io.BytesIO(pdf.build(report, on=ON, context=full)))


def slide_text(slide) -> str:
    return plain(" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame))


def test_deck_slides_title_and_key_figures(deck, report):
    titles = [slide_text(s) for s in deck.slides]
    flow_slides = len(content.flow_tables(report))
    assert flow_slides == 2  # points and money between Leipzig, Wurzen and their partners
    assert len(deck.slides) == 2 + len(charts.specs(report)) + 1 + 3 + flow_slides + 2  # municipality, climate, open
    assert "Leipzig und Wurzen, 2020–2026" in titles[0] and "Stand: 25.11.2026" in titles[0]
    for figure in content.key_figures(report.headline):
        assert plain(figure.value) in titles[1]
    assert titles[-2].startswith("Leipzig: Poolflächen nach Maßnahmentyp")
    assert titles[-1].startswith("Wurzen: Poolflächen nach Maßnahmentyp")
    wurzen = report.measures_by_municipality[WURZEN]
    cells = [c.text for row in next(s for s in deck.slides[-1].shapes if s.has_table).table.rows for c in row.cells]
    assert fmt.number(round(wurzen.loc["Gesamt", "value_points"])) in cells


def test_deck_charts_are_native_and_hold_the_summaries(deck, report):
    specs = charts.specs(report)
    chart_slides = list(deck.slides)[2:2 + len(specs)]
    for spec, slide in zip(specs, chart_slides, strict=True):
        chart = next(s for s in slide.shapes if s.has_chart).chart
        categories = list(chart.plots[0].categories)
        drawn_series = {drawn.name: drawn for drawn in chart.series}
        assert set(drawn_series) == {series.label for series in spec.series}
        for series in spec.series:
            drawn = drawn_series[series.label]
            assert dict(zip(categories, drawn.values, strict=True)) == pytest.approx(
                dict(zip(spec.categories(), spec.values(series), strict=True)))
    balance = next(s for s in chart_slides[0].shapes if s.has_chart).chart
    free_series = next(s for s in balance.series if s.name == "Freie Wertpunkte")
    free = dict(zip(balance.plots[0].categories, free_series.values, strict=True))
    assert set(free) == {"Leipzig", "Wurzen"}  # the total is said in words, it would dwarf the bars
    assert sum(free.values()) == report.headline.free_points
    assert plain(fmt.points_short(report.headline.free_points)) in slide_text(chart_slides[0])
    # Bars carry their values; stacked status bars don't (their legend colours say enough).
    assert balance.plots[0].has_data_labels
    stacked = next(s for s in chart_slides[1].shapes if s.has_chart).chart
    assert not stacked.plots[0].has_data_labels


def test_every_slide_has_speaker_notes_in_words(deck, report):
    notes = [plain(s.notes_slide.notes_text_frame.text) for s in list(deck.slides)[1:]]
    assert all(len(n) > 30 for n in notes), notes
    assert plain(f"Freie Wertpunkte: {fmt.points_short(report.headline.free_points)}") in notes[0]
    for spec, note in zip(charts.specs(report), notes[1:], strict=False):
        assert note.startswith(plain(charts.describe(spec)))
    assert "Maßstab und Nordpfeil" in next(n for n in notes if n.startswith("Die Karte zeigt"))


def test_deck_map_is_a_picture_of_the_pool(deck):
    slide = next(s for s in deck.slides if slide_text(s).startswith("Karte der Poolflächen"))
    image = Image.open(io.BytesIO(next(s for s in slide.shapes if s.shape_type == 13).image.blob)).convert("RGB")
    pixels = np.asarray(image)
    assert pixels.std() > 20  # not blank
    green = np.all(np.abs(pixels.astype(int) - AVAILABLE) < 12, axis=-1).sum()
    assert green > 200  # the available areas in the legend colour


def test_static_map_draws_the_pool_areas(report):
    def green(png: bytes) -> int:
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        return int(np.all(np.abs(pixels - AVAILABLE) < 12, axis=-1).sum())

    without_areas = dataclasses.replace(report.view, pool_areas=report.view.pool_areas.iloc[:0])
    assert green(staticmap.render(without_areas)) == 0
    assert green(staticmap.render(report.view)) > 200


def test_pdf_text_pages_and_numbers(pdf_reader, report):
    pages = [plain(p.extract_text()) for p in pdf_reader.pages]
    total = len(pages)
    assert total >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Seite {number} von {total}" in text
        assert "Stand: 25.11.2026" in text
    everything = " ".join(pages)
    for figure in content.key_figures(report.headline):
        assert plain(figure.value) in everything
    assert "Leipzig und Wurzen, 2020–2026" in pages[0]
    total_row = report.municipalities.loc["gesamt"]
    assert re.search(rf"Gesamt\s+{total_row['pool_count']}\s+{fmt.number(total_row['area_m2'] / fmt.M2_PER_HA, 1)}",
                     pages[0])
    assert fmt.number(round(total_row["balance"])) in pages[0]
    assert "© GeoBasis-DE / BKG" in everything and "Maßnahmentyp" in everything


def test_pdf_for_one_municipality(full):
    one = summary.report(full, summary.Scope(ags=(WURZEN,), years=(2020, 2026)))
    text = plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.build(one, on=ON))).pages))
    assert "Wurzen, 2020–2026" in text
    assert plain(fmt.points_short(one.headline.free_points)) in text
    assert "Leipzig: Poolflächen" not in text


def test_xlsx_headers_german_numbers_numeric(report):
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx(report)))
    assert book.sheetnames[:6] == ["Hinweise", "Gemeinden", "Status", "Maßnahmentypen", "Entwicklung",
                                   "Offene Eingriffe"]
    assert "Privatperson" in " ".join(str(c.value) for c in book["Hinweise"]["A"])
    sheet = book["Gemeinden"]
    assert [c.value for c in sheet[1]] == [c.header for c in content.MUNICIPALITY_COLUMNS]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "Gesamt"
    assert all(isinstance(v, int | float) for v in last[1:])
    assert last[-1] == report.municipalities.loc["gesamt", "balance"]
    assert sheet.cell(row=2, column=4).number_format == "#,##0"
    pool = book["Poolflächen"]
    assert pool.max_row - 1 == len(report.view.pool_areas)
    headers = [c.value for c in pool[1]]
    assert "Flächen-ID" in headers and "Frei (WP)" in headers and len(set(headers)) == len(headers)


def test_geodata_read_back_with_the_filtered_features(report, tmp_path: Path):
    before = set(Path(tempfile.gettempdir()).glob("flaechenpool-export-*"))
    path = tmp_path / "export.gpkg"
    path.write_bytes(downloads.geopackage(report))
    assert set(Path(tempfile.gettempdir()).glob("flaechenpool-export-*")) == before
    pool = pyogrio.read_dataframe(path, layer=schema.POOL_AREAS)
    assert sorted(pool["pool_id"]) == sorted(report.view.pool_areas["pool_id"])
    assert pool.crs == schema.CRS
    assert set(pool["ags"]) == {LEIPZIG, WURZEN}
    itv = pyogrio.read_dataframe(path, layer=schema.INTERVENTIONS)
    assert sorted(itv["intervention_id"]) == sorted(report.view.interventions["intervention_id"])
    with zipfile.ZipFile(io.BytesIO(downloads.geojson(report))) as archive:
        assert sorted(archive.namelist()) == ["interventions.geojson", "pool_areas.geojson"]  # one layer per file
        pool_json, itv_json = (json.loads(archive.read(f"{layer}.geojson")) for layer in ("pool_areas",
                                                                                            "interventions"))
    pool_ids = sorted(f["properties"]["pool_id"] for f in pool_json["features"])
    assert pool_ids == sorted(report.view.pool_areas["pool_id"])
    assert sorted(f["properties"]["intervention_id"] for f in itv_json["features"]) == sorted(
        report.view.interventions["intervention_id"])
    assert not any("pool_id" in f["properties"] for f in itv_json["features"])  # not mixed
    assert pool_json["hinweise"] and pool_json["name"] == "pool_areas"
    lon, lat = pool_json["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 11 < lon < 14 and 50 < lat < 52


BORSDORF = "14729060"


def test_exports_of_a_partner_without_areas_in_the_years(full):
    """Borsdorf has no measures in 2030: the files still build and say so instead of drawing charts."""
    empty = summary.report(full, summary.Scope(ags=(BORSDORF,), years=(2030, 2030)))
    assert empty.period.pool_count == 0 and empty.headline.open_points > 0
    deck = Presentation(io.BytesIO(pptx.build(empty, on=ON, context=full)))
    texts = [slide_text(s) for s in deck.slides]
    flow_slides = len(content.flow_tables(empty))
    assert flow_slides and len(texts) == 2 + len(charts.specs(empty)) + 1 + 3 + 1 + flow_slides
    assert "Borsdorf, 2030 Stand: 25.11.2026" in texts[0]
    area = next(t for t in texts if t.startswith("Poolfläche nach Gemeinde und Status"))
    assert charts.EMPTY_NOTE in area
    balance = next(s for s in deck.slides if slide_text(s).startswith("Angebot und Bedarf"))
    assert any(s.has_chart for s in balance.shapes)
    pages = [plain(p.extract_text()) for p in PdfReader(io.BytesIO(pdf.build(empty, on=ON, context=full))).pages]
    assert all(f"Seite {n} von {len(pages)}" in text for n, text in enumerate(pages, start=1))
    everything = " ".join(pages)
    assert charts.EMPTY_NOTE in everything and "Borsdorf: Poolflächen nach Maßnahmentyp" in everything
    # Leipzig only where the flows name Borsdorf's partners (between their title and the first chart's note).
    before, rest = everything.replace(content.TITLE, "").split(content.FLOWS_TITLE)
    after = rest[rest.index(plain(charts.specs(empty)[0].note)[:40]):]
    assert "Leipzig" not in before + after and "Leipzig" in set(empty.flows["from_name"]) | set(empty.flows["to_name"])


def test_table_headers_fit_their_columns(deck, pdf_reader, report):
    """No header word breaks across lines: in the PDF's text, nor by width on the slides."""
    text = " ".join(plain(p.extract_text()) for p in pdf_reader.pages)
    assert re.search(r"Eingriffs-ID\s+Bezeichnung\s+Gemeinde\s+Status\s+Bedarf", text)
    assert "Deckungsgrad" in text
    top = next(s for s in deck.slides if slide_text(s).startswith("Eingriffe mit dem größten offenen Bedarf"))
    table = next(s for s in top.shapes if s.has_table).table
    for j, column in enumerate(table.columns):
        word = max(table.cell(0, j).text.split(), key=len)
        needed = Pt(13) * 0.7 * len(word) + Inches(0.2)  # bold 13 pt DejaVu/Calibri, cell margins
        assert column.width >= needed, word


def test_map_image_is_no_higher_than_its_frame_needs(report, full):
    wide = Image.open(io.BytesIO(staticmap.render(report.view, full, width_in=10.0, height_in=7.0, dpi=50)))
    assert wide.size[0] == 500 and wide.size[1] < 0.7 * 350  # Leipzig to Wurzen: wider than high
    one = summary.report(full, summary.Scope(ags=(schema.municipality("thallwitz").ags,)))
    tall = Image.open(io.BytesIO(staticmap.render(one.view, width_in=10.0, height_in=7.0, dpi=50)))
    assert tall.size[0] == 500 and tall.size[1] > 0.9 * 350  # Thallwitz: higher than wide


def test_a_single_year_is_named_once():
    assert content.scope_label(summary.Scope(ags=(BORSDORF,), years=(2030, 2030))) == "Borsdorf, 2030"
    assert "Der Zeitraum 2030 wählt" in content.scope_note(summary.Scope(years=(2030, 2030)))


def test_the_zipped_shapefiles_read_back_with_every_feature_and_the_documented_short_names(report, tmp_path):
    archive = tmp_path / "pool.shp.zip"
    archive.write_bytes(downloads.shapefile(report, on=ON))
    pool = pyogrio.read_dataframe(f"/vsizip/{archive}/pool_areas.shp")
    interventions = pyogrio.read_dataframe(f"/vsizip/{archive}/interventions.shp")
    assert len(pool) == len(report.view.pool_areas) and len(interventions) == len(report.view.interventions)
    assert pool.crs.to_epsg() == 25833 and all(len(name) <= 10 for name in pool.columns)
    assert set(pool["pool_id"]) == set(report.view.pool_areas["pool_id"])
    assert pool["wertpunkte"].sum() == pytest.approx(report.view.pool_areas["value_points"].sum())
    private = report.view.pool_areas["owner_type"] == "privat"
    assert private.any() and set(pool.loc[pool["pool_id"].isin(report.view.pool_areas.loc[private, "pool_id"]),
                                          "eigentuem"]) == {"Privatperson"}
    assert "Flurname" not in pool.columns and any("ü" in n for n in pool["name"])  # UTF-8 kept (.cpg)
    with zipfile.ZipFile(archive) as files:
        documented = files.read("FELDER.txt").decode("utf-8")
    assert "biotop_vor  Biotoptyp vorher" in documented and "Privatperson" in documented


@pytest.mark.parametrize("town", ["leipzig", "lossatal"])
def test_the_fact_sheet_is_one_page_for_one_municipality(full, town):
    ags = schema.municipality(town).ags
    one = summary.report(full, summary.Scope(ags=(ags,), years=summary.year_bounds(full), since=dt.date(2026, 6, 30)))
    reader = PdfReader(io.BytesIO(pdf.fact_sheet(one, on=ON, context=full)))
    assert len(reader.pages) == 1
    text = plain(reader.pages[0].extract_text())
    assert f"Faktenblatt {schema.AGS_NAMES[ags]}" in text and "Seite 1 von 1" in text
    for figure in content.report_figures(one):
        assert plain(figure.value) in text
    assert plain(content.report_figures(one)[3].delta).split(" seit")[0] in text and "seit 30.06.2026" in text
    assert "Poolflächen nach Maßnahmentyp" in text and "Eingriffe mit dem größten offenen Bedarf" in text
    with pytest.raises(ValueError, match="one municipality"):
        pdf.fact_sheet(summary.report(full, summary.Scope()), on=ON)


def test_scale_bar_lengths_are_round_and_labelled_in_german():
    assert [staticmap.scale_length(span) for span in (48_000, 20_000, 4_000, 900)] == [10_000, 2_000, 500, 100]
    assert [staticmap.scale_label(x) for x in (10_000, 2_500, 500)] == ["10\u00a0km", "2,5\u00a0km", "500\u00a0m"]


def test_flows_in_every_export_are_the_matrices_of_the_ledger(deck, pdf_reader, report):
    """Points and money between the partners: the same matrices in the slides, the PDF and the workbook."""
    points = flows.matrix(report.flows)
    euros = flows.matrix(report.money, "amount_eur")
    assert "Bennewitz" in points.columns or "Bennewitz" in points.index  # a partner outside the scope
    slides = {slide_text(s).split(".")[0]: s for s in deck.slides}
    money_slide = next(s for t, s in slides.items() if t.startswith(f"{content.FLOWS_TITLE}: Geldflüsse"))
    cells = [c.text for row in next(s for s in money_slide.shapes if s.has_table).table.rows for c in row.cells]
    assert plain(cells[-1]) == plain(fmt.euro(euros.loc["Gesamt", "Gesamt"], 0))
    table = next(s for s in money_slide.shapes if s.has_table).table
    for j, column in enumerate(table.columns):  # a wide matrix: smaller type, and still no number breaks
        header = Pt(10) * 0.7 * len(max(table.cell(0, j).text.split(), key=len))
        cell = Pt(9) * 0.6 * max(len(table.cell(i, j).text) for i in range(1, len(table.rows)))
        assert column.width >= max(header, cell) + Inches(0.08), table.cell(0, j).text
    text = " ".join(plain(p.extract_text()) for p in pdf_reader.pages)
    assert content.FLOWS_TITLE in text and plain(fmt.euro(euros.loc["Gesamt", "Gesamt"], 0)) in text
    assert fmt.number(round(points.loc["Gesamt", "Gesamt"])) in text
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx(report)))
    sheet = book["Flüsse Wertpunkte"]
    assert [c.value for c in sheet[1]] == [flows.ROWS_TITLE, *points.columns]
    assert [c.value for c in sheet["A"]][1:] == points.index.tolist()
    assert sheet.cell(sheet.max_row, sheet.max_column).value == pytest.approx(points.loc["Gesamt", "Gesamt"])
    money = book["Flüsse Euro"]
    assert money.cell(money.max_row, money.max_column).value == pytest.approx(euros.loc["Gesamt", "Gesamt"])
    assert money.cell(2, 2).number_format == '#,##0 "€"'


def test_the_natural_region_note_counts_in_german(full):
    report = summary.report(full, summary.Scope())
    assert len(report.across_regions) >= 2
    one = content.regions_note(dataclasses.replace(report, across_regions=report.across_regions.head(1)))
    two = content.regions_note(dataclasses.replace(report, across_regions=report.across_regions.head(2)))
    assert one.startswith("1 Buchung mit ") and " liegt nicht im Naturraum" in one
    assert two.startswith("2 Buchungen mit ") and " liegen nicht im Naturraum" in two
