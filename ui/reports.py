"""Council reports for the overview page, cached by data version and scope; GeoPackages for QGIS
(the upload page's template, earlier versions on "Änderungen").

The export bytes are built on demand (the download button calls :func:`export`'s
callable when clicked) and cached per (data version, scope, kind, date).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import geopandas as gpd
import streamlit as st

from geo import schema
from geo.access import privacy
from geo.accounting import summary
from geo.reports import charts, content, exports, qgis
from geo.reports.exports import ExportKind
from ui import data

MIME: dict[str, str] = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "shp": "application/zip",
}


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
def _vega_specs(store_key: str, version: object, scope: summary.Scope, large: bool,
                _report: summary.Report) -> dict[str, dict]:
    return {spec.key: charts.altair_chart(spec, large=large).to_dict()
            for spec in charts.specs(_report) if not spec.empty()}


def vega_specs(scope: summary.Scope, *, large: bool = False) -> dict[str, dict]:
    """The overview's charts of *scope* as Vega-Lite specs by chart key, built once per data
    version (building them with Altair costs ~80 ms per rerun)."""
    s = data.store()
    return _vega_specs(s.key, s.version(), scope, large, report(scope))


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
    return content.file_name(scope, on, "shp.zip" if kind == "shp" else kind)


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
