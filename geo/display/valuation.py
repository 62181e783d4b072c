"""What the page "Bewertungsmodelle" shows: searchable tables, the models compared per biotope
type and a worked example on a real pool area, as pure functions over the tables and the view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo import fmt, schema
from geo.accounting import climate, valuation
from geo.accounting.summary import PoolView
from geo.accounting.valuation import ValuationTable
from geo.config import ValuationModels
from geo.display.tables import VALUATION_COLUMNS, Column, german_table

FORMULAS = (
    "**Aufwertung einer Poolfläche** = Fläche (m²) × (Biotopwert Zielbiotop − Biotopwert Ausgangsbiotop) "
    "× Faktor. Der Faktor ist 1, wenn die Maßnahme abgeschlossen ist, sonst der Entwicklungsfaktor des "
    "Zielbiotops (höchstens 1). Nie negativ.",
    "**Bedarf eines Eingriffs** = Fläche (m²) × (Biotopwert vorher − Biotopwert nachher). Nie negativ.",
    "**Freie Wertpunkte** einer Fläche = Aufwertung − gebuchte Wertpunkte.",
    "**Bilanz** = freie Wertpunkte − offener Bedarf, je Gemeinde und gesamt.",
    "**Über Gemeindegrenzen** zählt das gemeinsame Modell der Partner: Wertpunkte einer Fläche werden in "
    "Punkte des gemeinsamen Modells umgerechnet (Aufwertung dort ÷ Aufwertung im eigenen Modell) und decken "
    "denselben Anteil am Bedarf des Eingriffs im gemeinsamen Modell.",
)
"""DOMAIN.md's valuation rules in German, one paragraph each."""


def search(table: ValuationTable, query: str) -> pd.DataFrame:
    """The biotopes of *table* whose code or name contains *query* (any case; empty: all), for display."""
    biotopes = table.biotopes.reset_index()
    wanted = query.strip().casefold()
    if wanted:
        text = (biotopes["code"].astype(str) + " " + biotopes["name"].astype(str)).str.casefold()
        biotopes = biotopes[text.str.contains(wanted, regex=False)]
    return german_table(biotopes, VALUATION_COLUMNS)


def comparison(tables: Mapping[str, ValuationTable]) -> pd.DataFrame:
    """Per biotope code (index ``code``, every code of any table): its ``name``, its value per m²
    under each model (one column per model) and ``difference`` (largest − smallest value)."""
    values = pd.DataFrame({model: table.biotopes["value_per_m2"] for model, table in tables.items()})
    names = pd.concat([table.biotopes["name"] for table in tables.values()])
    out = values.copy()
    out.insert(0, "name", names[~names.index.duplicated()].reindex(values.index))
    out["difference"] = values.max(axis=1) - values.min(axis=1)
    out.index.name = "code"
    return out


def comparison_table(compared: pd.DataFrame, query: str = "") -> pd.DataFrame:
    """:func:`comparison` for display, filtered like :func:`search`, the biggest differences first."""
    rows = compared.reset_index().sort_values(["difference", "code"], ascending=[False, True])
    wanted = query.strip().casefold()
    if wanted:
        rows = rows[(rows["code"] + " " + rows["name"].astype(str)).str.casefold().str.contains(wanted, regex=False)]
    models = [c for c in compared.columns if c not in ("name", "difference")]
    cols = (Column("code", "Code", "text"), Column("name", "Biotoptyp", "text"),
            *(Column(m, f"{valuation.model_label(m)} (WP/m²)", "decimal1") for m in models),
            Column("difference", "Unterschied (WP/m²)", "decimal1"))
    return german_table(rows, cols)


def example_area(view: PoolView, tables: Mapping[str, ValuationTable], on: dt.date | None = None) -> pd.Series | None:
    """A real pool area for the worked example: the first (by id) whose measure is complete and whose
    gain differs between the models; else the first area at all (``None``: no areas)."""
    pool = view.pool_areas.sort_values("pool_id")
    if pool.empty:
        return None
    gains = valuation.pool_gains(pool, tables, on)
    complete = pd.to_datetime(pool["measure_end"], errors="coerce") <= pd.Timestamp(on or fmt.today())
    differ = gains.nunique(axis=1) > 1
    chosen = pool[complete & differ]
    return (chosen if len(chosen) else pool).iloc[0]


def worked_example(area: pd.Series, tables: Mapping[str, ValuationTable], models: ValuationModels,
                   on: dt.date | None = None) -> list[str]:
    """The gain of *area* worked out under every model, in German, one line each (plain text)."""
    frame = gpd.GeoDataFrame([area.to_dict()], geometry="geometry", crs=schema.CRS)
    size = float(valuation.area_m2(frame).iloc[0])
    gains = valuation.pool_gains(frame, tables, on).iloc[0]
    end = pd.to_datetime(area["measure_end"], errors="coerce")
    done = pd.notna(end) and end <= pd.Timestamp(on or fmt.today())
    own = models.own(str(area["ags"]))
    lines = [f"Poolfläche {area['pool_id']} „{fmt.text(area['name'])}“ in {schema.AGS_NAMES.get(str(area['ags']))}: "
             f"{fmt.number(size, 1)} m², von {valuation.biotope_label(area['biotope_before'], area['ags'], tables)} "
             f"zu {valuation.biotope_label(area['biotope_after'], area['ags'], tables)}; "
             + (f"Maßnahme abgeschlossen am {fmt.date(end)}, Faktor 1." if done
                else "Maßnahme noch nicht abgeschlossen: Faktor = Entwicklungsfaktor des Zielbiotops.")]
    for model, table in tables.items():
        biotopes = table.biotopes
        before = biotopes["value_per_m2"].get(area["biotope_before"])
        after = biotopes["value_per_m2"].get(area["biotope_after"])
        if before is None or after is None:
            lines.append(f"{valuation.model_label(model)}: ein Biotopcode fehlt in der Tabelle.")
            continue
        factor = 1.0 if done else min(float(biotopes["development_factor"][area["biotope_after"]]), 1.0)
        roles = [word for word, is_it in (("eigenes", model == own), ("gemeinsames", model == models.agreed)) if is_it]
        role = f" ({' und '.join(roles)} Modell)" if roles else ""
        lines.append(f"{valuation.model_label(model)}{role}: {fmt.number(size, 1)} m² × ({fmt.number(after, 1)} − "
                     f"{fmt.number(before, 1)}) WP/m² × {fmt.number(factor, 2)} = {fmt.points(gains[model])}")
    return lines


IMPACT_COLUMNS = (
    Column("municipality", "Gemeinde", "text"),
    Column("free_points_before", "Frei bisher (WP)", "points"), Column("free_points_after", "Frei neu (WP)", "points"),
    Column("open_points_before", "Offener Bedarf bisher (WP)", "points"),
    Column("open_points_after", "Offener Bedarf neu (WP)", "points"),
    Column("balance_before", "Bilanz bisher (WP)", "points"), Column("balance_after", "Bilanz neu (WP)", "points"),
    Column("balance_change", "Änderung der Bilanz (WP)", "points"),
)


def impact_table(impact: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.accounting.versions.impact` for display."""
    return german_table(impact, IMPACT_COLUMNS)


CLIMATE_COLUMNS = (Column("kind_label", "Für", "text"), Column("key", "Maßnahmentyp / Eingriffsart", "text"),
                   Column("name", "Beschreibung", "text"),
                   Column("t_co2_per_ha_year", "t CO₂ je ha und Jahr", "decimal1"))


def climate_table(factors: climate.Factors) -> pd.DataFrame:
    """The climate factor table for display (positive: stored, negative: released)."""
    rows = factors.factors.assign(kind_label=factors.factors["kind"].map(
        {"measure": "Poolfläche", "intervention": "Eingriff"}))
    return german_table(rows, CLIMATE_COLUMNS)
