"""Tables as people read them: one German column/formatter registry for pages and exports.

A table is a tuple of :class:`Column` specs (the frame's column, its German header and its
kind). The kind picks the German text formatter (:data:`FORMATTERS`) for the pages, the
slides and the PDF, and the cell's number format (:data:`EXCEL_FORMATS`) for the
workbook. The numbers come from :mod:`geo.accounting`; this module only renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from geo import fmt

Kind = Literal["text", "text_or_dash", "count", "decimal1", "decimal2", "ha", "m2_as_ha", "area", "points", "wp",
               "share", "date", "euro", "euro0"]
FORMATTERS: dict[Kind, Callable[[Any], str]] = {
    "text": fmt.text,  # missing → ""
    "text_or_dash": lambda v: fmt.text(v, "–"),
    "count": fmt.number,  # whole number: "1.234"
    "decimal1": lambda v: fmt.number(v, 1),  # "27,0"
    "decimal2": lambda v: fmt.number(v, 2),  # "0,50"
    "ha": lambda v: fmt.number(v, 1),  # hectares, given in ha: "1.234,5"
    "m2_as_ha": lambda v: fmt.number(v / fmt.M2_PER_HA, 2),  # m² shown in hectares: "0,45"
    "area": fmt.hectares,  # m² with unit: "1.234,5 ha"
    "points": lambda v: fmt.number(round(v)),  # value points, header says "(WP)": "12.345"
    "wp": fmt.points,  # value points with unit: "12.345 WP"
    "share": fmt.percent,  # 0.25 → "25 %"
    "date": fmt.date,  # "24.11.2026"
    "euro": fmt.euro,  # "1.234,50 €"
    "euro0": lambda v: fmt.euro(v, 0),  # whole euros, where a table is about sums: "1.235 €"
}
EXCEL_FORMATS: dict[Kind, str] = {"text": "@", "text_or_dash": "@", "count": "#,##0", "decimal1": "#,##0.0",
                                  "decimal2": "#,##0.00", "ha": "#,##0.0", "points": "#,##0", "share": "0%",
                                  "date": "DD.MM.YYYY", "euro": '#,##0.00 "€"',
                                  "euro0": '#,##0 "€"'}
"""Number format of a workbook cell, for the kinds whose cell holds the value itself."""
TEXT_KINDS: frozenset[Kind] = frozenset({"text", "text_or_dash"})


@dataclass(frozen=True)
class Column:
    """One column of a German table: *name* in the frame, German *header*, *kind* of its values."""

    name: str
    header: str
    kind: Kind

    @property
    def is_text(self) -> bool:
        """Text (set left, kept as text in a workbook); every other kind is a number."""
        return self.kind in TEXT_KINDS


def points_both(row: pd.Series | Mapping[str, Any], column: str, *, unit: bool = True) -> str:
    """``12.345 WP``: *column* of *row* in its municipality's own model, followed by
    ``(gemeinsames Modell: 11.800 WP)`` where the partners' agreed model counts differently
    (``agreed_<column>`` of :func:`geo.accounting.summary.pool_view`); without *unit* where a
    header says "(WP)"."""
    show = FORMATTERS["wp" if unit else "points"]
    own = float(row[column])
    agreed = row.get(f"agreed_{column}")
    if agreed is None or pd.isna(agreed) or round(float(agreed)) == round(own):
        return show(own)
    return f"{show(own)} (gemeinsames Modell: {show(float(agreed))})"


def columns(*specs: tuple[str, str, Kind]) -> tuple[Column, ...]:
    """``(name, header, kind), …`` as :class:`Column` specs."""
    return tuple(Column(*spec) for spec in specs)


def formatted(values: pd.Series, kind: Kind) -> list[str]:
    """``FORMATTERS[kind]`` of every value of a column; whole numbers and text a column at a time."""
    if kind == "count":
        return fmt.numbers(values).tolist()
    if kind in ("points", "wp"):  # round() first, as their FORMATTERS do: a whole zero has no sign (−0.0 + 0.0)
        whole = fmt.numbers(pd.to_numeric(values, errors="coerce").round() + 0.0)
        return (whole if kind == "points" else whole.where(whole == "–", whole + "\u00a0WP")).tolist()
    if kind == "text":
        return fmt.texts(values).tolist()
    return [FORMATTERS[kind](v) for v in values]


def _cells(frame: pd.DataFrame, cols: Iterable[Column]) -> dict[str, list[str]]:
    return {c.header: formatted(frame[c.name], c.kind) for c in cols}


def german_table(frame: pd.DataFrame, cols: Iterable[Column]) -> pd.DataFrame:
    """*frame*'s columns *cols* as German text under their German headers (index 0 … n−1)."""
    return pd.DataFrame(_cells(frame, cols), index=range(len(frame)))


def text_rows(frame: pd.DataFrame, cols: Iterable[Column]) -> list[list[str]]:
    """Every cell of :func:`german_table` row by row, in the order of *cols* (for print)."""
    return [list(row) for row in zip(*_cells(frame, cols).values(), strict=True)]


OVERVIEW_COLUMNS = columns(
    ("municipality", "Gemeinde", "text"), ("pool_count", "Poolflächen", "count"), ("area_m2", "Fläche", "area"),
    ("value_points", "Wertpunkte", "wp"), ("free_points", "Frei", "wp"), ("intervention_count", "Eingriffe", "count"),
    ("demand_points", "Bedarf", "wp"), ("open_points", "Offener Bedarf", "wp"), ("balance", "Bilanz", "wp"))
"""The start page's table of :func:`geo.accounting.summary.by_municipality`."""
VALUATION_COLUMNS = columns(
    ("code", "Code", "text"), ("name", "Biotoptyp", "text"), ("value_per_m2", "Wert (WP/m²)", "decimal1"),
    ("development_factor", "Entwicklungsfaktor", "decimal2"))


def municipality_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.accounting.summary.by_municipality` for display."""
    return german_table(table, OVERVIEW_COLUMNS)

