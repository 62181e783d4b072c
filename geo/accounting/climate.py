"""The climate balance (*Klima*, DOMAIN.md "Cooperation"): a documented factor table gives every pool
area's and intervention's climate effect in t CO₂ per year, reported beside the value points.

The table is stored like a valuation table, as the source ``klima`` (``data/valuation/klima.csv``):
``# key: value`` header lines (title, source, version, date), then ``kind`` (``measure`` or
``intervention``), ``key`` (a measure type or an intervention kind of :mod:`geo.schema`), ``name``
and ``t_co2_per_ha_year`` (positive: stored per hectare and year; negative: released).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from geo import fmt, schema
from geo.accounting.valuation import CLIMATE_TABLE
from geo.errors import DataError

TABLE = CLIMATE_TABLE
Kind = Literal["measure", "intervention"]
_KEYS: dict[Kind, tuple[str, ...]] = {"measure": schema.MEASURE_TYPES, "intervention": schema.INTERVENTION_KINDS}
_COLUMN: dict[Kind, str] = {"measure": "measure_type", "intervention": "kind"}


@dataclass(frozen=True)
class Factors:
    """The climate factor table with its provenance."""

    title: str
    source: str
    version: str
    date: str
    factors: pd.DataFrame  # columns kind, key, name, t_co2_per_ha_year

    def of(self, kind: Kind) -> pd.Series:
        """t CO₂ per ha and year by measure type (``measure``) or intervention kind (``intervention``)."""
        rows = self.factors[self.factors["kind"] == kind]
        return pd.Series(rows["t_co2_per_ha_year"].to_numpy(float), index=rows["key"].astype(str))


def parse(text: str) -> Factors:
    """The factor table from its CSV text; :class:`DataError` (German) with every problem."""
    meta = {k.strip(): v.strip() for k, _, v in (line[1:].partition(":") for line in text.splitlines()
                                                    if line.startswith("#"))}
    body = pd.read_csv(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#"))))
    problems = [f"Angabe fehlt im Kopf: {key}." for key in ("title", "source", "version", "date") if not meta.get(key)]
    missing = [c for c in ("kind", "key", "name", "t_co2_per_ha_year") if c not in body.columns]
    if missing:
        problems.append(f"Spalten fehlen: {', '.join(missing)}.")
    else:
        body["t_co2_per_ha_year"] = pd.to_numeric(body["t_co2_per_ha_year"], errors="coerce")
        if body["t_co2_per_ha_year"].isna().any():
            problems.append("Jeder Faktor muss eine Zahl sein (t CO₂ je ha und Jahr).")
        for kind, keys in _KEYS.items():
            rows = body[body["kind"] == kind]["key"].astype(str)
            if lacking := [k for k in keys if k not in set(rows)]:
                problems.append(f"Faktor fehlt für {', '.join(lacking)}.")
            if rows.duplicated().any():
                problems.append(f"Doppelt: {', '.join(sorted(set(rows[rows.duplicated()])))}.")
    if problems:
        raise DataError("Klimafaktoren: " + " ".join(problems))
    return Factors(title=meta["title"], source=meta["source"], version=meta["version"], date=meta["date"],
                   factors=body[["kind", "key", "name", "t_co2_per_ha_year"]])


def effect(frame: pd.DataFrame, factors: Factors, kind: Kind) -> pd.Series:
    """Climate effect of each row in t CO₂ per year (area in ha × the factor of its measure type or
    intervention kind; positive: stored, negative: released). Needs ``area_m2``."""
    per_ha = frame[_COLUMN[kind]].astype(str).map(factors.of(kind)).astype(float).fillna(0.0)
    return (frame["area_m2"] / fmt.M2_PER_HA * per_ha).rename("climate_t")


def balance(pool: pd.DataFrame, interventions: pd.DataFrame) -> pd.DataFrame:
    """Per municipality (index ``ags``, schema order, partners with areas or interventions): ``stored_t``
    (the pool areas' effect), ``released_t`` (the interventions', as a positive number) and
    ``balance_t`` (stored − released), in t CO₂ per year."""
    stored = pool.groupby("ags")["climate_t"].sum()
    released = -interventions.groupby("ags")["climate_t"].sum()
    order = [m.ags for m in schema.MUNICIPALITIES if m.ags in set(stored.index) | set(released.index)]
    out = pd.DataFrame({"stored_t": stored, "released_t": released}).reindex(order).fillna(0.0)
    out["balance_t"] = out["stored_t"] - out["released_t"]
    out.index.name = "ags"
    return out
