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

from geo import fmt, schema
from geo.accounting import flows, summary
from geo.display.tables import Column

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
DEMAND_COLOR = "#c51b7d"
LIGHT, DARK, PLANNED = "#9ecae1", "#2b3a8f", "#fdd49e"
MEASURE_COLOR = "#4dac26"

# Per unit: d3 formats of tooltips and axes.
VALUE_FORMATS: dict[str, str] = {"ha": ",.1f", "points": ",.0f", "count": ",.0f"}
AXIS_FORMATS: dict[str, str] = {"ha": ",.1~f", "points": ",.0f", "count": ",.0f"}
MILLIONS_AXIS_LABEL = "datum.value == 0 ? '0' : format(datum.value / 1e6, ',.1~f') + ' Mio.'"
VALUE_LABEL: dict[str, str] = {
    "ha": "format(datum.Wert, ',.1f')", "count": "format(datum.Wert, ',.0f')",
    "points": "format(datum.Wert, ',.0f')"}
MILLIONS_LABEL = "format(datum.Wert / 1e6, ',.1f') + ' Mio.'"
"""Value labels of a chart whose axis counts in millions: every bar in millions, one decimal."""
"""Vega expressions of the value labels (German separators through the chart's locale)."""
INK = "#222222"
LABEL_FONT_LARGE = 15
"""Value labels on a projected chart: large, but below a bar's height when 18 bars share 360 px."""
LABEL_ROOM = 1.18
COLUMN_LABEL_ROOM = 1.3
"""A labelled chart's axis reaches this far beyond its highest bar (column: upright label), so that the
label fits."""
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
    labels: bool = False
    """Value labels at the bars' ends (never for bars stacked from several series)."""

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


def flows_spec(flow: pd.DataFrame) -> ChartSpec:
    """:func:`geo.accounting.flows.flows` as a stacked bar chart: one bar per intervention municipality,
    one colour per pool municipality."""
    table = flows.matrix(flow).drop(index=flows.TOTAL, columns=flows.TOTAL)
    return ChartSpec(
        "flows", "Woher die Wertpunkte kommen",
        "Netto gebuchte Wertpunkte je Gemeinde der Eingriffe, nach Gemeinde der Poolflächen.",
        table.reset_index(), flows.ROWS_TITLE, flows.ROWS_TITLE,
        tuple(Series(name, name, flows.MUNICIPALITY_COLORS[name]) for name in table.columns),
        "Gebuchte Wertpunkte", "points", stacked=True)


def specs(report: summary.Report) -> list[ChartSpec]:
    """The overview's charts in reading order, each over one of *report*'s tables: first today's
    supply and demand, then the charts of the year range (see :class:`geo.accounting.summary.Report`)."""
    status = report.status.rename_axis("status").reset_index()
    status["status"] = status["status"].map(schema.POOL_STATUS_LABELS)
    supply = report.supply_demand.drop(index="Gesamt").reset_index()
    total = report.supply_demand.loc["Gesamt"].astype(float).to_dict()
    development = report.development.reset_index()
    development["year"] = development["year"].astype(str)
    return [
        ChartSpec("balance", "Angebot und Bedarf",
                  "Freie Wertpunkte (Angebot) gegen offenen Bedarf der Eingriffe je Gemeinde, Stand heute. "
                  f"Zusammen: {fmt.points_short(total['free_points'])} frei, "
                  f"{fmt.points_short(total['open_points'])} offener Bedarf.",
                  supply, "municipality", "Gemeinde",
                  (Series("free_points", "Freie Wertpunkte", SUPPLY_COLOR),
                   Series("open_points", "Offener Bedarf", DEMAND_COLOR)), "Wertpunkte", "points", labels=True),
        ChartSpec("area_status", "Poolfläche nach Gemeinde und Status",
                  "Hektar je Gemeinde, gestapelt nach Status (Farben wie in der Kartenlegende).",
                  report.area_status.reset_index(), "municipality", "Gemeinde",
                  _status_series(list(report.area_status.columns)), "Fläche (ha)", "ha", stacked=True),
        ChartSpec("points_status", "Wertpunkte nach Status",
                  "Aufwertung aller Poolflächen je Status in Wertpunkten (WP), Farben wie in der Kartenlegende.",
                  _one_bar_per_series(status, "status", "value_points", list(report.status.index)), "status",
                  "Status", _status_series(list(report.status.index)), "Wertpunkte", "points", stacked=True,
                  labels=True),
        ChartSpec("measures", "Fläche nach Maßnahmentyp",
                  "Hektar Poolfläche je Maßnahmentyp.",
                  report.measures.rename_axis("measure_type").reset_index(), "measure_type", "Maßnahmentyp",
                  (Series("area_ha", "Fläche (ha)", MEASURE_COLOR),), "Fläche (ha)", "ha", labels=True),
        ChartSpec("measures_per_year", "Maßnahmen je Jahr",
                  "Begonnene und abgeschlossene Maßnahmen bis heute (Jahr des Beginns bzw. Endes) und Maßnahmen, "
                  "deren Abschluss noch bevorsteht (Jahr des geplanten Endes).",
                  development, "year", "Jahr",
                  (Series("measures_started", "begonnen", LIGHT), Series("measures_completed", "abgeschlossen", DARK),
                   Series("measures_planned", "Abschluss geplant", PLANNED)),
                  "Anzahl Maßnahmen", "count", horizontal=False),
        ChartSpec("booked_per_year", "Gebuchte Wertpunkte je Jahr",
                  "Reservierungen und Zuordnungen im Buchungsjournal, netto (Stornos abgezogen).",
                  development, "year", "Jahr", (Series("booked_points", "gebuchte Wertpunkte", DARK),),
                  "Wertpunkte", "points", horizontal=False, labels=True),
    ]


def altair_chart(spec: ChartSpec, *, large: bool = False, width: int | None = None,
                 plot_height: int | None = None, titled: bool = True) -> alt.LayerChart:
    """*spec* as an Altair bar chart with German labels, number formats and value labels.

    The chart's data is ``spec.data`` with the series columns renamed to their German
    labels; Vega folds them into bars, so the drawn values are the summary's values.
    *plot_height* overrides :func:`height` (the presentation fits a chart to one screen, under
    its own heading: ``titled=False``).
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
        "value": value("Wert:Q", title=spec.value_title, axis=axis, stack="zero" if spec.stacked else None,
                       scale=alt.Scale(domain=_domain(spec)) if spec.labels else alt.Undefined),
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
    base = alt.Chart(data, title=alt.TitleParams(spec.title, anchor="start") if titled else alt.Undefined
                     ).transform_fold(
        [*labels], as_=["Reihe", "Wert"])
    bars = base.mark_bar(stroke=OUTLINE, strokeWidth=0.6).encode(
        encoding["value"], encoding["category"], encoding["color"], tooltip=encoding["tooltip"], **offset)
    layers: list[alt.Chart] = [bars]
    if spec.labels:
        # Stacked one-bar-per-series charts hold zeros beside each bar: label only drawn bars.
        text = base.transform_filter("datum.Wert != 0").transform_calculate(
            Beschriftung=MILLIONS_LABEL if millions else VALUE_LABEL[spec.unit])
        # Columns stand side by side: their labels run upwards so that neighbours never overlap.
        layers.append(text.mark_text(align="left", baseline="middle", angle=0 if spec.horizontal else 270,
                                     dx=4, fontSize=LABEL_FONT_LARGE if large else font - 1, color=INK).encode(
            value("Wert:Q", stack=None), encoding["category"], text="Beschriftung:N", **offset))
    chart = alt.layer(*layers).properties(width=width or "container",
                                          height=plot_height or height(spec, large=large))
    return chart.configure(
        locale={"number": DE_NUMBER_LOCALE, "time": DE_TIME_LOCALE}, font=FONT,
    ).configure_axis(labelFontSize=font, titleFontSize=font).configure_legend(
        labelFontSize=font, symbolSize=font * 12).configure_title(fontSize=font + 4).configure_view(stroke=None)


def _domain(spec: ChartSpec) -> list[float]:
    """The value axis of a labelled chart: zero (or the lowest value) to the highest bar plus room
    for its label."""
    values = spec.data[[s.column for s in spec.series]]
    bars = values.sum(axis=1) if spec.stacked else values.max(axis=1)
    low = min(0.0, float(values.to_numpy().min(initial=0.0)))
    room = LABEL_ROOM if spec.horizontal else COLUMN_LABEL_ROOM
    return [low, max(float(bars.max()), 0.0) * room or 1.0]


def height(spec: ChartSpec, *, large: bool = False) -> int:
    """Plot height in pixels: bar charts grow with their bars, column charts are fixed."""
    if not spec.horizontal:
        return 420 if large else 280
    bars = len(spec.data) * (1 if spec.stacked else len(spec.series))
    return max(120, bars * (40 if large else 26))


def png(spec: ChartSpec, *, width: int = 680, scale: float = 2.0) -> bytes:
    """*spec* drawn as a PNG (vl-convert, no browser), for the PDF."""
    return vl_convert.vegalite_to_png(altair_chart(spec, width=width).to_dict(), scale=scale)


def value_text(value: float, unit: Unit) -> str:
    """One chart value in German words' units: ``"12,5 ha"``, ``"1,2 Mio. WP"``, ``"7"``."""
    if unit == "ha":
        return fmt.hectares(value * fmt.M2_PER_HA)
    return fmt.points_short(value) if unit == "points" else fmt.number(value)


def describe(spec: ChartSpec) -> str:
    """The chart's statement in German words, after its title: its text alternative (screen
    readers, speaker notes).

    Per series (stacked bars: their totals) the largest and the smallest value and the sum.
    """
    if spec.empty():
        return f"{spec.title}: {EMPTY_NOTE}"
    frame = spec.data.set_index(spec.category)
    columns = {s.label: frame[s.column] for s in spec.series}
    if spec.stacked:
        columns = {spec.value_title: frame[[s.column for s in spec.series]].sum(axis=1)}
    parts = []
    for label, column in columns.items():
        values = {str(k): float(v) for k, v in column.items()}
        top, low = max(values, key=values.__getitem__), min(values, key=values.__getitem__)
        parts.append(f"{label}: insgesamt {value_text(sum(values.values()), spec.unit)}, am meisten bei {top} "
                     f"({value_text(values[top], spec.unit)}), am wenigsten bei {low} "
                     f"({value_text(values[low], spec.unit)})")
    return f"{spec.title}. " + "; ".join(parts) + "."


def table_columns(spec: ChartSpec) -> tuple[Column, ...]:
    """The chart's values as a German table (its text alternative): category, one column per series."""
    return (Column(spec.category, spec.category_title, "text"),
            *(Column(s.column, s.label, "ha" if spec.unit == "ha" else "count" if spec.unit == "count" else "points")
              for s in spec.series))
