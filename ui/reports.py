"""Council reports for the overview page, cached by data version and scope.

The export bytes are built on demand (the download button calls :func:`export`'s
callable when clicked) and cached per (data version, scope, kind, date).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import streamlit as st

from geo.accounting import summary
from geo.reports import charts, content, exports
from geo.reports.exports import ExportKind
from ui import data

MIME: dict[str, str] = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
}


@st.cache_data(show_spinner=False, max_entries=16)
def _report(store_key: str, version: object, scope: summary.Scope, _view: summary.PoolView) -> summary.Report:
    return summary.report(_view, scope)


def report(scope: summary.Scope) -> summary.Report:
    """The figures of *scope* (see :func:`geo.accounting.summary.report`), as everyone may see them:
    reports and downloads are for the public and council, so private owners are never named."""
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
    return content.file_name(scope, on, kind)
