"""Every report download by kind: the one dispatch the overview page and the command line use."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from geo.accounting import summary
from geo.reports import downloads, pdf, pptx

ExportKind = Literal["pptx", "pdf", "xlsx", "gpkg", "geojson", "shp", "factsheet"]
"""``factsheet``: the one-page PDF of one municipality (a scope of exactly one partner)."""


def build(kind: ExportKind, report: summary.Report, *, on: dt.date, context: summary.PoolView | None = None
          ) -> bytes:
    """The *kind* export of *report* (slides and PDF dated *on*, with *context* for their map)."""
    if kind == "pptx":
        return pptx.build(report, on=on, context=context)
    if kind == "pdf":
        return pdf.build(report, on=on, context=context)
    if kind == "factsheet":
        return pdf.fact_sheet(report, on=on, context=context)
    builders = {"xlsx": downloads.xlsx, "gpkg": downloads.geopackage, "geojson": downloads.geojson,
                "shp": downloads.shapefile}
    return builders[kind](report, on=on)
