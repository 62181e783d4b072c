"""Council reports for the overview page, cached by data version and scope.

The export bytes are built on demand (the download button calls :func:`export`'s
callable when clicked) and cached per (data version, scope, kind, date).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Literal

import streamlit as st

from geo import summary
from geo.exports import content, pdf, pptx, tables
from ui import data

ExportKind = Literal["pptx", "pdf", "xlsx", "gpkg", "geojson"]
MIME: dict[str, str] = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
}


@st.cache_data(show_spinner=False, max_entries=16)
def _report(data_dir: str, version: tuple, scope: summary.Scope, _view: summary.PoolView) -> summary.Report:
    return summary.report(_view, scope)


def report(scope: summary.Scope) -> summary.Report:
    """The figures of *scope* (see :func:`geo.summary.report`)."""
    s = data.store()
    return _report(str(s.data_dir), s.version(), scope, data.view())


@st.cache_data(show_spinner=False, max_entries=32)
def _export(data_dir: str, version: tuple, scope: summary.Scope, kind: str, on: dt.date,
            _report: summary.Report, _context: summary.PoolView) -> bytes:
    if kind == "pptx":
        return pptx.build(_report, on=on, context=_context)
    if kind == "pdf":
        return pdf.build(_report, on=on, context=_context)
    builders = {"xlsx": tables.xlsx, "gpkg": tables.geopackage, "geojson": tables.geojson}
    return builders[kind](_report)


def export(kind: ExportKind, scope: summary.Scope, on: dt.date) -> Callable[[], bytes]:
    """A zero-argument callable that returns (and caches) the *kind* export of *scope*."""
    s = data.store()
    view = data.view()
    return functools.partial(_export, str(s.data_dir), s.version(), scope, kind, on, report(scope), view)


def file_name(kind: ExportKind, scope: summary.Scope, on: dt.date) -> str:
    return content.file_name(scope, on, kind)
