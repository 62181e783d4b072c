"""Tables and geodata of a report: Excel (openpyxl), GeoPackage, Shapefile and GeoJSON bytes.

Excel sheets carry German headers, real numbers with number formats (Excel shows them
with the reader's separators, "1.234,5" in German Excel) and real dates. Text is stored as
text: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is written as a
string with Excel's quote prefix, never as a formula (OWASP "CSV injection"). The first
sheet, "Hinweise", says what the workbook holds and for whom. Geodata are the scope's pool
areas and interventions with the schema's field names plus the derived points, their
metadata saying the same; the GeoPackage is version 1.2 with QGIS styles (:mod:`geo.reports.qgis`).

Everything here is public: private owners are always redacted (:mod:`geo.access.privacy`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo import fmt, schema
from geo.access import privacy
from geo.accounting import summary
from geo.display.tables import EXCEL_FORMATS, Column, Kind
from geo.reports import content, qgis

DERIVED = ["municipality", "area_m2", "reserved_points", "allocated_points", "booked_points", "free_points",
           "covered_points", "open_points", "coverage", "coverage_share", "monitoring_flag"]
HEADER_FILL = PatternFill("solid", fgColor="E4ECE4")
AGS_HEADER = "Gemeindeschlüssel (AGS)"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these would be read as a formula by a spreadsheet program."""
GEODATA_NOTICE = ("Poolflächen und Eingriffe der Auswahl mit Wertpunkten (ETRS89 / UTM 33N, in GeoJSON WGS 84). "
                  + content.AUDIENCE_NOTE)


def _layer_columns(layer: str) -> tuple[Column, ...]:
    """Schema fields then derived columns of *layer*, with German labels and kinds."""
    kinds: dict[str, Kind] = {"number": "points", "date": "date"}
    fields = [Column(f.name, AGS_HEADER if f.type == "ags" else f.label, kinds.get(f.type, "text"))
              for f in schema.LAYER_FIELDS[layer]]
    derived_kinds: dict[str, Kind] = {"area_m2": "count", "coverage": "text", "municipality": "text",
                                      "coverage_share": "share", "monitoring_flag": "text"}
    return (*fields, *(Column(c, schema.label(c), derived_kinds.get(c, "points")) for c in DERIVED))


def _attributes(frame: gpd.GeoDataFrame, layer: str) -> tuple[tuple[Column, ...], pd.DataFrame]:
    """The public attribute table of *layer*: schema fields and derived points, private owners redacted."""
    columns = tuple(c for c in _layer_columns(layer) if c.name in frame.columns)
    return columns, pd.DataFrame(privacy.redact_owners(frame, None)[[c.name for c in columns]])


def _value(value: Any, column: Column) -> Any:
    """A cell's value: text as text, numbers as float, dates as datetime, missing as None."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column.kind == "date":
        return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
    return value if column.is_text else float(value)


def _set(cell: Cell, value: Any) -> None:
    """Write *value*; text that a spreadsheet would take for a formula stays literal text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl made it a formula ("f") because of the "="
        cell.quotePrefix = True  # Excel shows it as typed and does not evaluate it after an edit either


def _row(sheet: Worksheet, values: list[Any], row: int) -> None:
    for j, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=j)
        assert isinstance(cell, Cell)  # a new sheet has no merged cells
        _set(cell, value)


def _sheet(book: Workbook, title: str, columns: tuple[Column, ...], frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    _row(sheet, [c.header for c in columns], 1)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for i, record in enumerate(frame[[c.name for c in columns]].itertuples(index=False), start=2):
        _row(sheet, [_value(v, c) for c, v in zip(columns, record, strict=True)], i)
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        for cell in sheet[letter][1:]:
            cell.number_format = EXCEL_FORMATS[column.kind]
        width = max([len(column.header), *(len(str(v)) for v in frame[column.name].head(200))])
        sheet.column_dimensions[letter].width = min(max(10, width + 2), 50)
    sheet.freeze_panes = "A2"


def notes(report: summary.Report, on: dt.date) -> list[str]:
    """What an export holds and for whom (the workbook's first sheet, the geodata's description)."""
    return [content.TITLE, f"{content.scope_label(report.scope)} · {content.stand(on)}",
            "Inhalt: Kennzahlen nach Gemeinde, Status, Maßnahmentyp und Jahr, Eingriffe mit offenem Bedarf, "
            "Wertpunkte und Geld zwischen den Partnern, "
            "Attributtabellen der Poolflächen und Eingriffe.",
            content.AUDIENCE_NOTE,
            content.scope_note(report.scope), schema.BOUNDARY_ATTRIBUTION, schema.DEMO_NOTICE]


Sheet = tuple[str, tuple[Column, ...], pd.DataFrame]
"""A workbook sheet: its title, its columns and the frame holding them."""


def workbook(hints: list[str], sheets: list[Sheet]) -> bytes:
    """An Excel workbook: the sheet "Hinweise" with *hints* (the first in bold), then *sheets*."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook comes with
    info = book.create_sheet("Hinweise")
    for i, line in enumerate(hints, start=1):
        _row(info, [line], i)
    info.column_dimensions["A"].width = 120
    info["A1"].font = Font(bold=True)
    for title, columns, frame in sheets:
        _sheet(book, title, columns, frame)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(report: summary.Report, *, on: dt.date | None = None) -> bytes:
    """The report's tables and the scope's attribute tables as an Excel workbook, "Hinweise" first."""
    status = report.status.rename(index=schema.POOL_STATUS_LABELS)
    model_columns, model_rows = content.model_rows(report.models)
    sheets: list[Sheet] = [
        ("Gemeinden", content.MUNICIPALITY_COLUMNS, content.municipality_rows(report)),
        ("Status", *content.breakdown_rows(status, content.STATUS_COLUMN)),
        ("Maßnahmentypen", *content.breakdown_rows(report.measures, content.MEASURE_TYPE_COLUMN)),
        ("Entwicklung", content.DEVELOPMENT_COLUMNS, report.development.reset_index()),
        ("Offene Eingriffe", content.TOP_OPEN_COLUMNS, report.top_open),
    ]
    if len(model_columns) > 1:
        sheets.append(("Bewertungsmodelle", model_columns, model_rows))
    if len(report.climate):
        sheets.append(("Klima", *content.climate_rows(report)))
    sheets += [(f"Flüsse {table.short}", table.columns, table.rows)
               for table in content.flow_tables(report)]
    return workbook(notes(report, on or fmt.today()), [
        *sheets,
        ("Poolflächen", *_attributes(report.view.pool_areas, schema.POOL_AREAS)),
        ("Eingriffe", *_attributes(report.view.interventions, schema.INTERVENTIONS)),
    ])


def _geodata(report: summary.Report) -> dict[str, gpd.GeoDataFrame]:
    layers: dict[str, gpd.GeoDataFrame] = {}
    for layer, frame in ((schema.POOL_AREAS, report.view.pool_areas), (schema.INTERVENTIONS,
                                                                       report.view.interventions)):
        _, attributes = _attributes(frame, layer)
        layers[layer] = gpd.GeoDataFrame(schema.dates_as_text(attributes), geometry=frame.geometry.to_numpy(),
                                         crs=frame.crs)
    return layers


def geopackage(report: summary.Report, *, on: dt.date | None = None) -> bytes:
    """The scope's pool areas and interventions (EPSG:25833) as one GeoPackage 1.2 styled for QGIS
    (:mod:`geo.reports.qgis`); its metadata (``DESCRIPTION``) says what it holds and for whom."""
    description = " ".join(line for line in notes(report, on or fmt.today()) if line)
    return qgis.geopackage(_geodata(report), description=f"{description} {GEODATA_NOTICE}")


# Shapefile (dBASE) field names have at most 10 characters: the ones legacy files of the partners use.
SHAPEFILE_FIELDS: dict[str, str] = {
    "pool_id": "pool_id", "name": "name", "ags": "ags", "status": "status", "measure_type": "massnahme",
    "biotope_before": "biotop_vor", "biotope_after": "biotop_nac", "value_points": "wertpunkte",
    "measure_start": "massn_begi", "measure_end": "massn_ende", "owner": "eigentuem", "owner_type": "eigent_art",
    "parcels": "flurstueck", "notes": "bemerkung", "intervention_id": "eingriff", "kind": "art",
    "demand_points": "bedarf_wp", "approval_date": "genehm_dat", "municipality": "gemeinde", "area_m2": "flaeche_m2",
    "reserved_points": "reserv_wp", "allocated_points": "zugeord_wp", "booked_points": "gebucht_wp",
    "free_points": "frei_wp", "covered_points": "gedeckt_wp", "open_points": "offen_wp", "coverage": "deckung",
    "coverage_share": "deck_ant", "requested_points": "angefr_wp", "monitoring_flag": "monitoring",
}


def zipped_shapefiles(layers: Mapping[str, tuple[gpd.GeoDataFrame, Sequence[Column]]], short: Mapping[str, str],
                      lines: Sequence[str]) -> bytes:
    """Each layer's *columns* as a Shapefile (UTF-8 with ``.cpg``) in one zip, the fields renamed by *short*
    (at most 10 characters), with ``FELDER.txt``: *lines* (what the file holds), then every short name
    with its German header."""
    out = io.BytesIO()
    text = [*lines, "", "Feldnamen (Shapefile: höchstens 10 Zeichen):"]
    with tempfile.TemporaryDirectory(prefix="flaechenpool-shp-") as folder, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for layer, (frame, columns) in layers.items():
            named = frame.rename(columns={c.name: short[c.name] for c in columns})
            path = Path(folder) / f"{layer}.shp"
            pyogrio.write_dataframe(named, path, driver="ESRI Shapefile", encoding="UTF-8")
            for part in sorted(Path(folder).glob(f"{layer}.*")):
                archive.write(part, part.name)
            text += [f"{layer}.shp:"] + [f"  {short[c.name]:<10}  {c.header}" for c in columns]
        archive.writestr("FELDER.txt", "\n".join(text) + "\n")
    return out.getvalue()


def shapefile(report: summary.Report, *, on: dt.date | None = None) -> bytes:
    """The scope's pool areas and interventions as zipped Shapefiles (EPSG:25833, UTF-8), one per
    layer, with ``FELDER.txt`` naming each short field (at most 10 characters) and what the file holds."""
    layers = {layer: (frame, [c for c in _layer_columns(layer) if c.name in frame.columns])
              for layer, frame in _geodata(report).items()}
    return zipped_shapefiles(layers, SHAPEFILE_FIELDS,
                             [*(line for line in notes(report, on or fmt.today()) if line), GEODATA_NOTICE])


def geojson(report: summary.Report, *, on: dt.date | None = None) -> bytes:
    """The scope's pool areas and interventions as a ZIP of one GeoJSON FeatureCollection per layer
    (``pool_areas.geojson``, ``interventions.geojson``; WGS 84, RFC 7946), so a GIS reads each as one
    layer with its own fields; each collection's member ``hinweise`` says what it holds and for whom."""
    hints = [line for line in notes(report, on or fmt.today()) if line]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for layer, frame in _geodata(report).items():
            collection = json.loads(frame.to_crs(schema.WEB_CRS).to_json(drop_id=True))
            body = {"type": "FeatureCollection", "name": layer, "hinweise": hints, "features": collection["features"]}
            archive.writestr(f"{layer}.geojson", json.dumps(body, ensure_ascii=False))
    return out.getvalue()
