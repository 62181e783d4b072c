"""Valuation tables and the accounting model (DOMAIN.md, "Valuation").

A table lives in ``data/valuation/<model>.csv``: ``# key: value`` header lines with the
table's model, title, source, version and date, then the columns ``code``, ``name``,
``value_per_m2`` and ``development_factor``. Each municipality names its model in
:mod:`geo.schema`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import fmt, schema
from geo.accounting.ledger import AGREED_FACTOR
from geo.config import ValuationModels
from geo.errors import DataError
from geo.schema import PoolData
from geo.store import Store

CLIMATE_TABLE = "klima"
"""The climate factors are stored beside the valuation tables under this name (:mod:`geo.accounting.climate`)."""
FrameT = TypeVar("FrameT", bound=gpd.GeoDataFrame)
OtherT = TypeVar("OtherT", bound=gpd.GeoDataFrame)

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


def tables_from(sources: Mapping[str, str], models: ValuationModels | None = None) -> dict[str, ValuationTable]:
    """The valuation tables, keyed by model name, from their CSV text (the store's
    :meth:`~geo.store.Store.read_valuation_sources`); every model of *models* (default: the
    schema's, agreed ``sachsen``) must be among them."""
    needed = (models or ValuationModels()).names()
    missing = [m for m in needed if m not in sources]
    if missing:
        raise DataError(f"Bewertungstabelle fehlt: {', '.join(missing)}.")
    return {model: parse_table(sources[model]) for model in sorted(sources) if model != CLIMATE_TABLE}


def read_tables(store: Store, models: ValuationModels | None = None) -> dict[str, ValuationTable]:
    """The valuation tables in use, read from *store*."""
    return tables_from(store.read_valuation_sources(), models)


def area_m2(frame: gpd.GeoDataFrame) -> pd.Series:
    """Areas in m², always measured in EPSG:25833 whatever the frame's CRS."""
    if frame.crs is None:
        raise DataError("Geodaten ohne Koordinatenbezugssystem: Flächen können nicht berechnet werden.")
    geoms = frame.geometry if frame.crs == schema.CRS else frame.geometry.to_crs(schema.CRS)
    return pd.Series(geoms.area.to_numpy(), index=frame.index, name="area_m2")


def own_models(frame: pd.DataFrame, models: ValuationModels | None = None) -> pd.Series:
    """Per row: the model of the row's municipality (``ags``); unknown AGS → :class:`DataError`."""
    by_ags = (models or ValuationModels()).by_ags()
    out = frame["ags"].astype(str).map(by_ags)
    if out.isna().any():
        bad = ", ".join(sorted(set(frame.loc[out.isna(), "ags"].astype(str))))
        raise DataError(f"Unbekannter Gemeindeschlüssel: {bad}.")
    return out.rename("model")


def _under(frame: pd.DataFrame, table: ValuationTable, code_col: str, attr: str) -> pd.Series:
    return frame[code_col].map(table.biotopes[attr]).astype(float)


def _complete(pool: pd.DataFrame, on: dt.date | None) -> pd.Series:
    end = pd.to_datetime(pool["measure_end"], errors="coerce")
    return end.notna() & (end <= pd.Timestamp(on or fmt.today()))


def pool_gains(pool: gpd.GeoDataFrame, tables: Mapping[str, ValuationTable],
               on: dt.date | None = None) -> pd.DataFrame:
    """Gain of each pool area in whole value points under every model of *tables* (one column each).

    gain = area_m² × (value(after) − value(before)) × measure factor, never negative; the measure
    factor is 1 for measures completed by *on* (default today), else the target biotope's
    development factor (≤ 1). NaN where a code is missing from a table.
    """
    area, complete = area_m2(pool), _complete(pool, on)
    gains = {}
    for model, table in tables.items():
        diff = _under(pool, table, "biotope_after", "value_per_m2") - _under(pool, table, "biotope_before",
                                                                              "value_per_m2")
        factor = _under(pool, table, "biotope_after", "development_factor").where(~complete, 1.0).clip(upper=1.0)
        gains[model] = (area * diff * factor).clip(lower=0).round()
    return pd.DataFrame(gains, index=pool.index)


def intervention_demands(interventions: gpd.GeoDataFrame, tables: Mapping[str, ValuationTable]) -> pd.DataFrame:
    """Demand of each intervention in whole value points under every model of *tables* (one column
    each): area_m² × (value(before) − value(after)), never negative."""
    area = area_m2(interventions)
    return pd.DataFrame({model: (area * (_under(interventions, table, "biotope_before", "value_per_m2")
                                         - _under(interventions, table, "biotope_after", "value_per_m2")))
                         .clip(lower=0).round() for model, table in tables.items()}, index=interventions.index)


def own_value(values: pd.DataFrame, frame: pd.DataFrame, models: ValuationModels | None = None) -> pd.Series:
    """Per row of *frame*: the column of *values* (one per model) of the row's own model."""
    wanted = own_models(frame, models)
    missing = sorted(set(wanted) - set(values.columns))
    if missing:
        raise DataError(f"Bewertungstabelle fehlt: {', '.join(missing)}.")
    picked = values.to_numpy(float)[np.arange(len(values)), values.columns.get_indexer(pd.Index(wanted))]
    return pd.Series(picked, index=frame.index)


def pool_gain(pool: gpd.GeoDataFrame, tables: Mapping[str, ValuationTable], on: dt.date | None = None,
              models: ValuationModels | None = None) -> pd.Series:
    """Gain of each pool area in its municipality's own model (see :func:`pool_gains`)."""
    return own_value(pool_gains(pool, tables, on), pool, models).rename("gain_points")


def intervention_demand(interventions: gpd.GeoDataFrame, tables: Mapping[str, ValuationTable],
                        models: ValuationModels | None = None) -> pd.Series:
    """Demand of each intervention in its municipality's own model (see :func:`intervention_demands`)."""
    return own_value(intervention_demands(interventions, tables), interventions, models).rename("demand_points")


FACTOR_PREFIX = "factor_"


def factor_column(model: str) -> str:
    """The column of :func:`with_models` that converts a row's own-model points into *model*."""
    return FACTOR_PREFIX + model


def _factors(values: pd.DataFrame, frame: pd.DataFrame, models: ValuationModels, stored: str) -> pd.DataFrame:
    computed = own_value(values, frame, models)
    kept = pd.to_numeric(frame[stored], errors="coerce") if stored in frame.columns else computed
    own = kept.where(kept > 0, computed)
    usable = own > 0
    out = pd.DataFrame({factor_column(str(m)): (values[m] / own).where(usable & values[m].notna(), 1.0)
                        for m in values.columns}, index=frame.index)
    out.insert(0, "model", own_models(frame, models))
    out[AGREED_FACTOR] = out[factor_column(models.agreed)]
    return out


def with_models(pool: FrameT, interventions: OtherT, tables: Mapping[str, ValuationTable],
                models: ValuationModels, on: dt.date | None = None) -> tuple[FrameT, OtherT]:
    """Copies of the frames with each row's own ``model``, a factor per model (``factor_<model>``:
    value under that model's table ÷ the stored ``value_points``/``demand_points``, which the ledger
    counts; the computed own value where none is stored; 1 where that is 0) and ``agreed_factor``
    (the agreed model's factor). With the tables the stored values were computed with, the own
    model's factor is 1; a new table version moves it.

    Points of a row times its factor are the same points counted in the other model; the ledger
    uses ``agreed_factor`` for bookings across borders (:func:`geo.accounting.ledger.cover_points`).
    """
    pool_out = pool.drop(columns=[c for c in pool.columns if c.startswith(FACTOR_PREFIX)], errors="ignore")
    itv_out = interventions.drop(columns=[c for c in interventions.columns if c.startswith(FACTOR_PREFIX)],
                                 errors="ignore")
    pool_factors = _factors(pool_gains(pool, tables, on), pool, models, "value_points")
    itv_factors = _factors(intervention_demands(interventions, tables), interventions, models, "demand_points")
    for out, factors in ((pool_out, pool_factors), (itv_out, itv_factors)):
        for column in factors.columns:
            out[column] = factors[column]
    return pool_out, itv_out


def valued(data: PoolData, models: ValuationModels | None = None, on: dt.date | None = None) -> PoolData:
    """*data* with its pool areas and interventions valued under each of its tables
    (:func:`with_models`); unchanged when it carries no valuation tables (``data.valuation`` empty or
    only the climate factors)."""
    if not set(data.valuation) - {CLIMATE_TABLE}:
        return data
    chosen = models or ValuationModels()
    pool, interventions = with_models(data.pool_areas, data.interventions, tables_from(data.valuation, chosen),
                                      chosen, on)
    return dataclasses.replace(data, pool_areas=pool, interventions=interventions)


def models_in(frame: pd.DataFrame) -> list[str]:
    """The models *frame* was valued with by :func:`with_models` (sorted; none: not valued)."""
    return sorted(c[len(FACTOR_PREFIX):] for c in frame.columns if c.startswith(FACTOR_PREFIX))


MODEL_LABELS = {"leipzig": "Leipziger Modell", "sachsen": "Sächsisches Modell"}


def model_label(model: str) -> str:
    """Short German name of a model (``sachsen`` → ``Sächsisches Modell``); unknown ones by their key."""
    return MODEL_LABELS.get(model, f"Modell „{model}“")


def in_model(frame: pd.DataFrame, column: str, model: str) -> pd.Series:
    """*column* (points in each row's own model) counted in *model* (needs :func:`with_models`)."""
    return frame[column] * frame[factor_column(model)]


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
