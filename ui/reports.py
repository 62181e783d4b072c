"""Council reports for the overview page, cached by data version and scope; GeoPackages for QGIS
(the upload page's template, earlier versions on "Änderungen").

The export bytes are built on demand (the download button calls :func:`export`'s
callable when clicked) and cached per (data version, scope, kind, date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable

import geopandas as gpd
import streamlit as st

from geo import fmt, schema
from geo.access import privacy
from geo.accounting import summary
from geo.display.tables import german_table
from geo.reports import charts, content, exports, qgis, staticmap
from geo.reports.exports import ExportKind
from ui import data, tables

MIME: dict[str, str] = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/zip",
    "shp": "application/zip",
    "factsheet": "application/pdf",
}
EXPORTS: list[tuple[ExportKind, str, str]] = [
    ("pptx", "Foliensatz (PowerPoint)", ":material/slideshow:"),
    ("pdf", "Bericht (PDF)", ":material/picture_as_pdf:"),
    ("xlsx", "Tabellen (Excel)", ":material/table:"),
    ("gpkg", "Geodaten (GeoPackage)", ":material/map:"),
    ("geojson", "Geodaten (GeoJSON, ZIP)", ":material/data_object:"),
    ("shp", "Geodaten (Shapefile, ZIP)", ":material/folder_zip:"),
]


@st.cache_resource(show_spinner=False, max_entries=16)
def _report(store_key: str, version: object, scope: summary.Scope, _view: summary.PoolView) -> summary.Report:
    return summary.report(_view, scope)


def report(scope: summary.Scope) -> summary.Report:
    """The figures of *scope* (see :func:`geo.accounting.summary.report`), as everyone may see them:
    reports and downloads are for the public and council, so private owners are never named.

    A shared resource (it holds the scoped view): read-only, never unpickled per chart or button."""
    s = data.store()
    return _report(s.key, s.version(), scope, data.public_view())


@st.cache_data(show_spinner=False, max_entries=16)
def _vega_specs(store_key: str, version: object, scope: summary.Scope, large: bool, plot_height: int | None,
                titled: bool, _report: summary.Report) -> dict[str, dict]:
    return {spec.key: charts.altair_chart(spec, large=large, plot_height=plot_height, titled=titled).to_dict()
            for spec in charts.specs(_report) if not spec.empty()}


def vega_specs(scope: summary.Scope, *, large: bool = False, plot_height: int | None = None,
               titled: bool = True) -> dict[str, dict]:
    """The overview's charts of *scope* as Vega-Lite specs by chart key, built once per data
    version (building them with Altair costs ~80 ms per rerun). *plot_height* gives every chart
    that height (charts side by side, the presentation's screens)."""
    s = data.store()
    return _vega_specs(s.key, s.version(), scope, large, plot_height, titled, report(scope))


CHART_CHROME = 90
"""Pixels a chart needs around its plot: title, axis title and legend."""


def chart(scope: summary.Scope, spec: charts.ChartSpec, *, plot_height: int | None = None, large: bool = False,
          titled: bool = True, details: bool = True) -> None:
    """One of the overview's charts, with its German description as accessible name and (*details*),
    folded away, the same in words and as a table (the chart's text alternative)."""
    if spec.empty():
        st.info(f"**{spec.title}**: {charts.EMPTY_NOTE}")
        return
    description = charts.describe(spec)
    st.vega_lite_chart(spec=vega_specs(scope, large=large, plot_height=plot_height, titled=titled)[spec.key],
                       width="stretch", height=(plot_height or charts.height(spec, large=large)) + CHART_CHROME
                       + (40 if large else 0), theme=None, alt=description)
    st.caption(spec.note)
    if not details:
        return
    with st.expander("In Worten und als Tabelle"):
        st.markdown(fmt.literal(description))
        tables.static(german_table(spec.data, charts.table_columns(spec)))


@st.cache_data(show_spinner=False, max_entries=8)
def _map_png(store_key: str, version: object, scope: summary.Scope, width_in: float, height_in: float,
             _report: summary.Report, _context: summary.PoolView) -> bytes:
    return staticmap.render(_report.view, _context, width_in=width_in, height_in=height_in)


def map_png(scope: summary.Scope, *, width_in: float, height_in: float) -> bytes:
    """The static map of *scope* (scale bar, north arrow, the other partners in grey) as PNG."""
    s = data.store()
    return _map_png(s.key, s.version(), scope, width_in, height_in, report(scope), data.public_view())


@st.cache_data(show_spinner=False, max_entries=32)
def _export(store_key: str, version: object, scope: summary.Scope, kind: ExportKind, on: dt.date,
            _report: summary.Report, _context: summary.PoolView) -> bytes:
    return exports.build(kind, _report, on=on, context=_context)


def export(kind: ExportKind, scope: summary.Scope, on: dt.date) -> Callable[[], bytes]:
    """A zero-argument callable that returns (and caches) the *kind* export of *scope*."""
    s = data.store()
    view = data.public_view()
    return functools.partial(_export, s.key, s.version(), scope, kind, on, report(scope), view)


def file_name(kind: ExportKind, scope: summary.Scope, on: dt.date) -> str:
    if kind == "factsheet":
        return content.file_name(scope, on, "pdf").replace("flaechenpool_", "faktenblatt_", 1)
    return content.file_name(scope, on, f"{kind}.zip" if kind in ("shp", "geojson") else kind)


def downloads(scope: summary.Scope) -> None:
    """The overview's download buttons: the selection's files, a PDF report and a one-page fact
    sheet for one municipality (the only one chosen, or one picked here)."""
    today = fmt.today()
    partners = list(scope.ags) or [m.ags for m in schema.MUNICIPALITIES]
    one = st.selectbox("PDF-Bericht und Faktenblatt für", ["", *partners], format_func=lambda a: schema.AGS_NAMES.get(
        a, "die ganze Auswahl"), placeholder="Bitte wählen …") if len(partners) > 1 else partners[0]
    single = dataclasses.replace(scope, ags=(one,)) if one else scope
    files = [*((kind, label, icon, single if kind == "pdf" else scope) for kind, label, icon in EXPORTS)]
    if one:
        files.insert(2, ("factsheet", f"Faktenblatt {schema.AGS_NAMES[one]} (PDF, 1 Seite)", ":material/description:",
                         single))
    with st.container(horizontal=True):
        for kind, label, icon, chosen in files:
            st.download_button(label, export(kind, chosen, today), icon=icon, file_name=file_name(kind, chosen, today),
                               mime=MIME[kind], on_click="ignore", key=f"download_{kind}")
    st.caption(f"Foliensatz, Bericht, Faktenblatt und Tabellen zeigen dieselben Zahlen wie diese Seite "
               f"({content.stand(today)}). Geodaten: die Poolflächen und Eingriffe der Auswahl mit Wertpunkten.")


# --- GeoPackages for QGIS (geo.reports.qgis) ---------------------------------------------
@st.cache_data(show_spinner=False, max_entries=16)
def _template(store_key: str, version: object, ags: str, _boundaries: gpd.GeoDataFrame) -> bytes:
    return qgis.template(ags, _boundaries)


def template(ags: str) -> Callable[[], bytes]:
    """A zero-argument callable that returns the QGIS template of *ags* (nothing personal in it)."""
    s = data.store()
    return functools.partial(_template, s.key, s.version(), ags, data.public_view().boundaries)


def template_name(ags: str) -> str:
    return f"flaechenpool-vorlage-{schema.municipality(ags).slug}.gpkg"


def version_file(layer: str, ags: str, change_id: str, earlier: gpd.GeoDataFrame) -> Callable[[], bytes]:
    """A zero-argument callable: *earlier* (already redacted for the viewer) as a styled GeoPackage."""
    where = schema.AGS_NAMES[ags]
    description = (f"{schema.LAYER_LABELS[layer]} von {where}, wie sie vor der Änderung {change_id} waren "
                   f"(Flächenpool Leipzig & Wurzener Land). {privacy.EXPORT_NOTICE}")
    columns = [c for c in schema.field_names(layer) if c in earlier.columns]
    frame = gpd.GeoDataFrame(earlier[columns], geometry=earlier.geometry.to_numpy(), crs=earlier.crs)
    return functools.partial(qgis.geopackage, {layer: frame}, description=description)


def version_name(layer: str, ags: str, change_id: str) -> str:
    return f"flaechenpool-{schema.municipality(ags).slug}-{layer}-vor-{change_id}.gpkg"
