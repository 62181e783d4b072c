"""Tables and geodata of a report: Excel (openpyxl), GeoPackage and GeoJSON bytes.

Excel sheets carry German headers and real numbers with number formats (Excel shows
them with the reader's separators, "1.234,5" in German Excel). Geodata are the scope's
pool areas and interventions with the schema's field names plus the derived points;
GeoPackage is written to a temporary folder that is removed again.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from geo import schema
from geo.accounting import summary
from geo.display.tables import EXCEL_FORMATS, Column, Kind
from geo.reports import content

DERIVED = ["municipality", "area_m2", "reserved_points", "allocated_points", "booked_points", "free_points",
           "covered_points", "open_points", "coverage", "coverage_share"]
HEADER_FILL = PatternFill("solid", fgColor="E4ECE4")
AGS_HEADER = "Gemeindeschlüssel (AGS)"


def _layer_columns(layer: str) -> tuple[Column, ...]:
    """Schema fields then derived columns of *layer*, with German labels and kinds."""
    kinds: dict[str, Kind] = {"number": "points", "date": "text"}
    fields = [Column(f.name, AGS_HEADER if f.type == "ags" else f.label, kinds.get(f.type, "text"))
              for f in schema.LAYER_FIELDS[layer]]
    derived_kinds: dict[str, Kind] = {"area_m2": "count", "coverage": "text", "municipality": "text",
                                      "coverage_share": "share"}
    return (*fields, *(Column(c, schema.label(c), derived_kinds.get(c, "points")) for c in DERIVED))


def _attributes(frame: gpd.GeoDataFrame, layer: str) -> tuple[tuple[Column, ...], pd.DataFrame]:
    columns = tuple(c for c in _layer_columns(layer) if c.name in frame.columns)
    return columns, schema.dates_as_text(pd.DataFrame(frame[[c.name for c in columns]]))


def _sheet(book: Workbook, title: str, columns: tuple[Column, ...], frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for _, row in frame.iterrows():
        sheet.append([None if pd.isna(v) else (v if c.is_text else float(v))
                      for c, v in ((c, row[c.name]) for c in columns)])
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        for cell in sheet[letter][1:]:
            cell.number_format = EXCEL_FORMATS[column.kind]
        width = max([len(column.header), *(len(str(v)) for v in frame[column.name].head(200))])
        sheet.column_dimensions[letter].width = min(max(10, width + 2), 50)
    sheet.freeze_panes = "A2"


def xlsx(report: summary.Report) -> bytes:
    """The report's tables and the scope's attribute tables as an Excel workbook."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook comes with
    _sheet(book, "Gemeinden", content.MUNICIPALITY_COLUMNS, content.municipality_rows(report))
    status = report.status.rename(index=schema.POOL_STATUS_LABELS)
    _sheet(book, "Status", *content.breakdown_rows(status, content.STATUS_COLUMN))
    _sheet(book, "Maßnahmentypen", *content.breakdown_rows(report.measures, content.MEASURE_TYPE_COLUMN))
    _sheet(book, "Entwicklung", content.DEVELOPMENT_COLUMNS, report.development.reset_index())
    _sheet(book, "Offene Eingriffe", content.TOP_OPEN_COLUMNS, report.top_open)
    _sheet(book, "Poolflächen", *_attributes(report.view.pool_areas, schema.POOL_AREAS))
    _sheet(book, "Eingriffe", *_attributes(report.view.interventions, schema.INTERVENTIONS))
    info = book.create_sheet("Info")
    for line in (content.TITLE, content.scope_label(report.scope), content.scope_note(report.scope),
                 schema.BOUNDARY_ATTRIBUTION, schema.DEMO_NOTICE):
        info.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _geodata(report: summary.Report) -> dict[str, gpd.GeoDataFrame]:
    layers: dict[str, gpd.GeoDataFrame] = {}
    for layer, frame in ((schema.POOL_AREAS, report.view.pool_areas), (schema.INTERVENTIONS,
                                                                       report.view.interventions)):
        _, attributes = _attributes(frame, layer)
        layers[layer] = gpd.GeoDataFrame(attributes, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return layers


def geopackage(report: summary.Report) -> bytes:
    """The scope's pool areas and interventions (EPSG:25833) as one GeoPackage."""
    with tempfile.TemporaryDirectory(prefix="flaechenpool-export-") as folder:
        path = Path(folder) / "flaechenpool.gpkg"
        for layer, frame in _geodata(report).items():
            pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", promote_to_multi=True)
        return path.read_bytes()


def geojson(report: summary.Report) -> bytes:
    """The scope's pool areas and interventions as one GeoJSON FeatureCollection (WGS 84,
    RFC 7946); the property ``layer`` names each feature's layer."""
    features = []
    for layer, frame in _geodata(report).items():
        collection = json.loads(frame.assign(layer=layer).to_crs(schema.WEB_CRS).to_json(drop_id=True))
        features.extend(collection["features"])
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")
