"""Valuation tables and the accounting model (DOMAIN.md, "Valuation").

A table lives in ``data/valuation/<model>.csv``: ``# key: value`` header lines with the
table's model, title, source, version and date, then the columns ``code``, ``name``,
``value_per_m2`` and ``development_factor``. Each municipality names its model in
:mod:`geo.schema`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import fmt, schema
from geo.errors import DataError
from geo.store import Store

_COLUMNS = ("code", "name", "value_per_m2", "development_factor")
_META_KEYS = ("model", "title", "source", "version", "date")


@dataclass(frozen=True)
class ValuationTable:
    """One valuation model's biotope list with its provenance."""

    model: str
    title: str
    source: str
    version: str
    date: str
    biotopes: pd.DataFrame  # index: code; columns: name, value_per_m2, development_factor

    def codes(self) -> set[str]:
        return set(self.biotopes.index)


def parse_table(text: str) -> ValuationTable:
    """Parse a valuation CSV (see module doc); raise :class:`DataError` in German."""
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.strip():
            body.append(line)
    missing_meta = [k for k in _META_KEYS if not meta.get(k)]
    if missing_meta:
        raise DataError(f"Bewertungstabelle: Angaben fehlen im Kopf: {', '.join(missing_meta)}.")
    frame = pd.read_csv(io.StringIO("\n".join(body)), dtype={"code": str})
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"Bewertungstabelle: Spalten fehlen: {', '.join(missing)}.")
    frame = frame[list(_COLUMNS)]
    if frame["code"].duplicated().any():
        dupes = ", ".join(sorted(frame.loc[frame["code"].duplicated(), "code"]))
        raise DataError(f"Bewertungstabelle: Biotopcodes doppelt: {dupes}.")
    values = pd.to_numeric(frame["value_per_m2"], errors="coerce")
    factors = pd.to_numeric(frame["development_factor"], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise DataError("Bewertungstabelle: Jeder Biotopwert muss eine Zahl ≥ 0 sein.")
    if factors.isna().any() or (factors <= 0).any() or (factors > 1).any():
        raise DataError("Bewertungstabelle: Jeder Entwicklungsfaktor muss zwischen 0 und 1 liegen.")
    biotopes = pd.DataFrame(
        {"name": frame["name"].astype(str).to_numpy(), "value_per_m2": values.to_numpy(float),
         "development_factor": factors.to_numpy(float)},
        index=pd.Index(frame["code"].astype(str), name="code"),
    )
    return ValuationTable(biotopes=biotopes, **{k: meta[k] for k in _META_KEYS})


def tables_from(sources: Mapping[str, str]) -> dict[str, ValuationTable]:
    """The tables the partners use, keyed by model name, from their CSV text (the store's
    :meth:`~geo.store.Store.read_valuation_sources`)."""
    models = sorted({m.valuation_model for m in schema.MUNICIPALITIES})
    missing = [m for m in models if m not in sources]
    if missing:
        raise DataError(f"Bewertungstabelle fehlt: {', '.join(missing)}.")
    return {model: parse_table(sources[model]) for model in models}


def read_tables(store: Store) -> dict[str, ValuationTable]:
    """The valuation tables in use, read from *store*."""
    return tables_from(store.read_valuation_sources())


def area_m2(frame: gpd.GeoDataFrame) -> pd.Series:
    """Areas in m², always measured in EPSG:25833 whatever the frame's CRS."""
    if frame.crs is None:
        raise DataError("Geodaten ohne Koordinatenbezugssystem: Flächen können nicht berechnet werden.")
    geoms = frame.geometry if frame.crs == schema.CRS else frame.geometry.to_crs(schema.CRS)
    return pd.Series(geoms.area.to_numpy(), index=frame.index, name="area_m2")


def _lookup(frame: pd.DataFrame, tables: dict[str, ValuationTable], code_col: str,
            attr: str) -> pd.Series:
    """Per row: *attr* of the biotope in *code_col*, from the row's municipality's model."""
    models = frame["ags"].map(lambda a: schema.municipality(a).valuation_model if a in schema.AGS_NAMES else None)
    if models.isna().any():
        bad = ", ".join(sorted(set(frame.loc[models.isna(), "ags"].astype(str))))
        raise DataError(f"Unbekannter Gemeindeschlüssel: {bad}.")
    out = pd.Series(np.nan, index=frame.index, dtype=float)
    for model, idx in models.groupby(models).groups.items():
        table = tables[str(model)].biotopes[attr]
        out.loc[idx] = frame.loc[idx, code_col].map(table).astype(float)
    return out


def biotope_value(frame: pd.DataFrame, tables: dict[str, ValuationTable], code_col: str) -> pd.Series:
    """Value points per m² of the biotope code in *code_col* (NaN for unknown codes)."""
    return _lookup(frame, tables, code_col, "value_per_m2")


def measure_factor(pool: pd.DataFrame, tables: dict[str, ValuationTable],
                   on: dt.date | None = None) -> pd.Series:
    """1 for measures completed by *on*, else the target biotope's development factor."""
    on = on or fmt.today()
    end = pd.to_datetime(pool["measure_end"], errors="coerce")
    complete = end.notna() & (end <= pd.Timestamp(on))
    development = _lookup(pool, tables, "biotope_after", "development_factor")
    return development.where(~complete, 1.0).clip(upper=1.0)


def pool_gain(pool: gpd.GeoDataFrame, tables: dict[str, ValuationTable],
              on: dt.date | None = None) -> pd.Series:
    """Gain of each pool area in whole value points (never negative).

    gain = area_m² × (value(after) − value(before)) × measure factor.
    """
    diff = biotope_value(pool, tables, "biotope_after") - biotope_value(pool, tables, "biotope_before")
    gain = area_m2(pool) * diff * measure_factor(pool, tables, on)
    return gain.clip(lower=0).round().rename("gain_points")


def intervention_demand(interventions: gpd.GeoDataFrame,
                        tables: dict[str, ValuationTable]) -> pd.Series:
    """Compensation demand of each intervention in whole value points (never negative).

    demand = area_m² × (value(before) − value(after)).
    """
    diff = (biotope_value(interventions, tables, "biotope_before")
            - biotope_value(interventions, tables, "biotope_after"))
    return (area_m2(interventions) * diff).clip(lower=0).round().rename("demand_points")


def biotope_label(code: object, ags: object, tables: Mapping[str, ValuationTable] | None) -> str:
    """A biotope code with its name for people: ``"AIN – Intensivacker"``.

    The name comes from the valuation table of *ags*'s model (another table's, if that one
    lacks the code); an unknown code, or no *tables*, gives the code alone; missing → ``"–"``.
    """
    text = fmt.text(code).strip()
    if not text:
        return "–"
    if not tables:
        return text
    model = schema.municipality(str(ags)).valuation_model if str(ags) in schema.AGS_NAMES else None
    ordered = ([tables[model]] if model is not None and model in tables else []) + [
        t for m, t in tables.items() if m != model]
    for table in ordered:
        if text in table.biotopes.index:
            return f"{text} – {fmt.text(table.biotopes.loc[text, 'name'])}"
    return text
