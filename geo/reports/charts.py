"""The overview's charts: one description each, drawn by Altair (page, PDF) and PowerPoint.

A :class:`ChartSpec` holds a wide table straight from :class:`geo.accounting.summary.Report`
(one category column, one column per series) plus German titles, units and colours.
:func:`altair_chart` draws it with German number formats (a de-DE ``formatLocale``);
:mod:`geo.reports.pptx` draws the same spec as a native, editable PowerPoint chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import altair as alt
import pandas as pd
import vl_convert

from geo import schema
from geo.accounting import summary

Unit = Literal["ha", "points", "count"]

# d3-format / Vega locale for German numbers (decimal comma, thousands dot) and dates.
DE_NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]}
DE_TIME_LOCALE = {
    "dateTime": "%A, der %e. %B %Y, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
               "November", "Dezember"],
    "shortMonths": ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
}
FONT = "DejaVu Sans"
OUTLINE = "#4d4d4d"
SUPPLY_COLOR = schema.POOL_STATUS_COLORS["verfügbar"]
DEMAND_COLOR = "#b2182b"
LIGHT, DARK = "#9ecae1", "#2b3a8f"
MEASURE_COLOR = "#4dac26"

# Per unit: d3 formats of tooltips and axes.
VALUE_FORMATS: dict[str, str] = {"ha": ",.1f", "points": ",.0f", "count": ",.0f"}
AXIS_FORMATS: dict[str, str] = {"ha": ",.1~f", "points": ",.0f", "count": ",.0f"}
MILLIONS_AXIS_LABEL = "datum.value == 0 ? '0' : format(datum.value / 1e6, ',.1~f') + ' Mio.'"
MILLIONS_TICKS = 5
"""Tick count of million axes: Vega's overlap check misses labels rewritten by ``labelExpr``."""
EMPTY_NOTE = "In dieser Auswahl gibt es dazu keine Werte."


@dataclass(frozen=True)
class Series:
    column: str
    label: str
    color: str


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    note: str
    data: pd.DataFrame
    category: str
    category_title: str
    series: tuple[Series, ...]
    value_title: str
    unit: Unit
    stacked: bool = False
    horizontal: bool = True

    def values(self, series: Series) -> list[float]:
        return [float(v) for v in self.data[series.column]]

    def in_millions(self) -> bool:
        """Value points axes count in millions once any value reaches a million."""
        peak = self.data[[s.column for s in self.series]].abs().to_numpy().max(initial=0.0)
        return self.unit == "points" and peak >= 1e6

    def empty(self) -> bool:
        """Nothing to draw: no rows, or every value zero."""
        return not self.data[[s.column for s in self.series]].abs().to_numpy().max(initial=0.0) > 0

    def categories(self) -> list[str]:
        return [str(v) for v in self.data[self.category]]


def _status_series(columns: list[str]) -> tuple[Series, ...]:
    return tuple(Series(s, schema.POOL_STATUS_LABELS[s], schema.POOL_STATUS_COLORS[s]) for s in columns)


def _one_bar_per_series(frame: pd.DataFrame, category: str, value: str, columns: list[str]) -> pd.DataFrame:
    """One column per row holding that row's *value* (0 elsewhere): stacked, every bar gets
    its own series colour, e.g. each status bar its legend colour."""
    out = frame[[category]].copy()
    for i, column in enumerate(columns):
        out[column] = [v if j == i else 0.0 for j, v in enumerate(frame[value])]
    return out


def specs(report: summary.Report) -> list[ChartSpec]:
    """The overview's charts in reading order, each over one of *report*'s tables."""
    status = report.status.rename_axis("status").reset_index()
    status["status"] = status["status"].map(schema.POOL_STATUS_LABELS)
    supply = report.supply_demand.reset_index()
    development = report.development.reset_index()
    development["year"] = development["year"].astype(str)
    return [
        ChartSpec("area_status", "Poolfläche nach Gemeinde und Status",
                  "Hektar je Gemeinde, gestapelt nach Status (Farben wie in der Kartenlegende).",
                  report.area_status.reset_index(), "municipality", "Gemeinde",
                  _status_series(list(report.area_status.columns)), "Fläche (ha)", "ha", stacked=True),
        ChartSpec("points_status", "Wertpunkte nach Status",
                  "Aufwertung aller Poolflächen je Status in Wertpunkten (WP), Farben wie in der Kartenlegende.",
                  _one_bar_per_series(status, "status", "value_points", list(report.status.index)), "status",
                  "Status", _status_series(list(report.status.index)), "Wertpunkte", "points", stacked=True),
        ChartSpec("measures", "Fläche nach Maßnahmentyp",
                  "Hektar Poolfläche je Maßnahmentyp.",
                  report.measures.rename_axis("measure_type").reset_index(), "measure_type", "Maßnahmentyp",
                  (Series("area_ha", "Fläche (ha)", MEASURE_COLOR),), "Fläche (ha)", "ha"),
        ChartSpec("balance", "Angebot und Bedarf",
                  "Freie Wertpunkte (Angebot) gegen offenen Bedarf der Eingriffe, je Gemeinde und gesamt.",
                  supply, "municipality", "Gemeinde",
                  (Series("free_points", "Freie Wertpunkte", SUPPLY_COLOR),
                   Series("open_points", "Offener Bedarf", DEMAND_COLOR)), "Wertpunkte", "points"),
        ChartSpec("measures_per_year", "Maßnahmen je Jahr",
                  "Begonnene und abgeschlossene Maßnahmen (Jahr des Beginns bzw. Endes; spätere Jahre: geplant).",
                  development, "year", "Jahr",
                  (Series("measures_started", "begonnen", LIGHT), Series("measures_completed", "abgeschlossen", DARK)),
                  "Anzahl Maßnahmen", "count", horizontal=False),
        ChartSpec("booked_per_year", "Gebuchte Wertpunkte je Jahr",
                  "Reservierungen und Zuordnungen im Buchungsjournal, netto (Stornos abgezogen).",
                  development, "year", "Jahr", (Series("booked_points", "gebuchte Wertpunkte", DARK),),
                  "Wertpunkte", "points", horizontal=False),
    ]


def altair_chart(spec: ChartSpec, *, large: bool = False, width: int | None = None) -> alt.Chart:
    """*spec* as an Altair bar chart with German labels and number formats.

    The chart's data is ``spec.data`` with the series columns renamed to their German
    labels; Vega folds them into bars, so the drawn values are the summary's values.
    """
    labels = [s.label for s in spec.series]
    data = spec.data[[spec.category, *[s.column for s in spec.series]]].rename(
        columns={spec.category: spec.category_title, **{s.column: s.label for s in spec.series}})
    number = VALUE_FORMATS[spec.unit]
    value = alt.X if spec.horizontal else alt.Y
    category = alt.Y if spec.horizontal else alt.X
    millions = spec.in_millions()
    axis = alt.Axis(format=AXIS_FORMATS[spec.unit], labelOverlap="greedy", labelFlush=False,
                    tickMinStep=1 if spec.unit == "count" else alt.Undefined,
                    tickCount=MILLIONS_TICKS if millions else alt.Undefined,
                    labelExpr=MILLIONS_AXIS_LABEL if millions else alt.Undefined)
    encoding = {
        "value": value("Wert:Q", title=spec.value_title, axis=axis, stack="zero" if spec.stacked else None),
        "category": category(f"{spec.category_title}:N", sort=list(data[spec.category_title]), title=None,
                             axis=alt.Axis(labelAngle=0, labelLimit=260)),
        "color": alt.Color("Reihe:N", title=None, sort=labels,
                           scale=alt.Scale(domain=labels, range=[s.color for s in spec.series]),
                           legend=alt.Legend(orient="bottom") if len(labels) > 1 else None),
        "tooltip": [alt.Tooltip(f"{spec.category_title}:N"), alt.Tooltip("Reihe:N", title="Reihe"),
                    alt.Tooltip("Wert:Q", title=spec.value_title, format=number)],
    }
    if not spec.stacked and len(labels) > 1:
        offset = {"yOffset" if spec.horizontal else "xOffset": alt.YOffset("Reihe:N", sort=labels)
                  if spec.horizontal else alt.XOffset("Reihe:N", sort=labels)}
    else:
        offset = {}
    font = 20 if large else 12
    chart = alt.Chart(data, title=alt.TitleParams(spec.title, anchor="start")).transform_fold(
        [*labels], as_=["Reihe", "Wert"]).mark_bar(stroke=OUTLINE, strokeWidth=0.6).encode(
        encoding["value"], encoding["category"], encoding["color"], tooltip=encoding["tooltip"], **offset)
    return chart.properties(width=width or "container", height=height(spec, large=large)).configure(
        locale={"number": DE_NUMBER_LOCALE, "time": DE_TIME_LOCALE}, font=FONT,
    ).configure_axis(labelFontSize=font, titleFontSize=font).configure_legend(
        labelFontSize=font, symbolSize=font * 12).configure_title(fontSize=font + 4).configure_view(stroke=None)


def height(spec: ChartSpec, *, large: bool = False) -> int:
    """Plot height in pixels: bar charts grow with their bars, column charts are fixed."""
    if not spec.horizontal:
        return 420 if large else 280
    bars = len(spec.data) * (1 if spec.stacked else len(spec.series))
    return max(120, bars * (40 if large else 26))


def png(spec: ChartSpec, *, width: int = 680, scale: float = 2.0) -> bytes:
    """*spec* drawn as a PNG (vl-convert, no browser), for the PDF."""
    return vl_convert.vegalite_to_png(altair_chart(spec, width=width).to_dict(), scale=scale)
