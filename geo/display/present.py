"""Tables as people read them: German headers and German number formats.

The numbers come from :mod:`geo.accounting.summary`; this module only renders them as text.
"""

from __future__ import annotations

import pandas as pd

from geo import fmt
from geo.accounting.valuation import ValuationTable

MUNICIPALITY_COLUMNS: dict[str, tuple[str, object]] = {
    "municipality": ("Gemeinde", str),
    "pool_count": ("Poolflächen", lambda v: fmt.number(v)),
    "area_m2": ("Fläche", fmt.hectares),
    "value_points": ("Wertpunkte", fmt.points),
    "free_points": ("Frei", fmt.points),
    "intervention_count": ("Eingriffe", lambda v: fmt.number(v)),
    "demand_points": ("Bedarf", fmt.points),
    "open_points": ("Offener Bedarf", fmt.points),
    "balance": ("Bilanz", fmt.points),
}


def german_table(frame: pd.DataFrame, columns: dict[str, tuple[str, object]]) -> pd.DataFrame:
    """Select *columns* (name → (German header, formatter)) and format every cell."""
    out = pd.DataFrame(index=range(len(frame)))
    for name, (header, formatter) in columns.items():
        out[header] = [formatter(v) for v in frame[name]]  # type: ignore[operator]
    return out


def municipality_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.accounting.summary.by_municipality` for display."""
    return german_table(table, MUNICIPALITY_COLUMNS)


def valuation_table(table: ValuationTable) -> pd.DataFrame:
    """A valuation table's biotope list for display."""
    frame = table.biotopes.reset_index()
    return german_table(frame, {
        "code": ("Code", str),
        "name": ("Biotoptyp", str),
        "value_per_m2": ("Wert (WP/m²)", lambda v: fmt.number(v, 1)),
        "development_factor": ("Entwicklungsfaktor", lambda v: fmt.number(v, 2)),
    })
