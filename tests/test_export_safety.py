"""Exports are public and inert: no private owner's name, no formula, numbers as numbers, dates as dates."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from pptx import Presentation
from pypdf import PdfReader

from geo import schema
from geo.accounting import summary
from geo.reports import downloads, pdf, pptx
from geo.store.gpkg import GeoPackageStore
from tests.conftest import DATA

ON = dt.date(2026, 11, 25)
HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid/?x","klick")', "@SUM(1)", "+1", "-1",
           "\tTab", "\rCR"]
PRIVATE = "Erika Mustermann"


@pytest.fixture(scope="module")
def hostile() -> summary.Report:
    """The demo pool with hostile names and notes on the first areas and a private owner."""
    view = summary.pool_view(GeoPackageStore(DATA).read_all())
    pool = view.pool_areas.copy()
    for i, text in enumerate(HOSTILE):
        pool.loc[pool.index[i], ["name", "notes", "parcels"]] = text
    pool.loc[pool.index[0], ["owner", "owner_type"]] = PRIVATE, "privat"
    pool.loc[pool.index[1], ["owner", "owner_type"]] = "Otto Ohneart", None
    itv = view.interventions.copy()
    itv.loc[itv.index[0], "name"] = HOSTILE[1]
    changed = summary.PoolView(boundaries=view.boundaries, pool_areas=pool, interventions=itv,
                               allocations=view.allocations, history=view.history)
    return summary.report(changed, summary.Scope())


def test_every_cell_of_the_workbook_is_inert_numbers_numeric_dates_real(hostile):
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx(hostile, on=ON)))
    assert book.sheetnames[0] == "Hinweise"
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(downloads.FORMULA_STARTS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    assert set(HOSTILE) <= seen  # written literally, as typed
    pool = book["Poolflächen"]
    headers = [c.value for c in pool[1]]
    second = {h: c for h, c in zip(headers, pool[2], strict=True)}
    assert isinstance(second["Wertpunkte"].value, int | float) and second["Wertpunkte"].data_type == "n"
    assert isinstance(second["Maßnahmenbeginn"].value, dt.datetime) and second["Maßnahmenbeginn"].is_date
    assert second["Maßnahmenbeginn"].number_format == "DD.MM.YYYY"


def _all_text(report: summary.Report, tmp_path: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(io.BytesIO(downloads.xlsx(report, on=ON)))
    xlsx = " ".join(str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r)
    deck = Presentation(io.BytesIO(pptx.build(report, on=ON)))
    slides = " ".join(sh.text_frame.text for sl in deck.slides for sh in sl.shapes if sh.has_text_frame)
    slides += " ".join(c.text for sl in deck.slides for sh in sl.shapes if sh.has_table
                       for r in sh.table.rows for c in r.cells)
    reader = PdfReader(io.BytesIO(pdf.build(report, on=ON)))
    pdf_text = " ".join(p.extract_text() for p in reader.pages) + str(reader.metadata)
    path = tmp_path / "export.gpkg"
    path.write_bytes(downloads.geopackage(report, on=ON))
    gpkg = pyogrio.read_dataframe(path, layer=schema.POOL_AREAS).to_json() + path.read_bytes().decode("latin-1")
    return {"xlsx": xlsx, "pptx": slides, "pdf": pdf_text, "gpkg": gpkg,
            "geojson": " ".join(json.dumps(c, ensure_ascii=False) for c in _geojson(report).values())}


def _geojson(report) -> dict[str, dict]:
    """The GeoJSON download's collections by file name."""
    with zipfile.ZipFile(io.BytesIO(downloads.geojson(report, on=ON))) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_no_export_names_a_private_owner_and_each_says_so(hostile, tmp_path):
    for kind, text in _all_text(hostile, tmp_path).items():
        assert PRIVATE not in text and "Otto Ohneart" not in text, kind
        assert "Privatperson" in text, kind
    owners = {f["properties"]["pool_id"]: f["properties"]["owner"]
              for f in _geojson(hostile)["pool_areas.geojson"]["features"]}
    assert owners[hostile.view.pool_areas["pool_id"].iloc[0]] == "Privatperson"
    public = hostile.view.pool_areas[hostile.view.pool_areas["owner_type"] == "öffentlich"].iloc[0]
    assert owners[public["pool_id"]] == public["owner"]  # public bodies stay named
