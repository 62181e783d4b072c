"""The one way of counting: every figure the app, the charts and the exports show.

Start from :func:`pool_view` (the stored data enriched by the ledger), then ask for
headline figures or tables. Pages and exports never sum columns themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo import ledger, schema, valuation
from geo.store import PoolData


@dataclass(frozen=True)
class PoolView:
    """Stored data plus derived columns (areas, booked/free points, coverage)."""

    boundaries: gpd.GeoDataFrame
    pool_areas: gpd.GeoDataFrame
    interventions: gpd.GeoDataFrame
    allocations: pd.DataFrame
    history: pd.DataFrame


def pool_view(data: PoolData) -> PoolView:
    pool = ledger.enrich_pool(data.pool_areas, data.allocations)
    pool["area_m2"] = valuation.area_m2(pool)
    interventions = ledger.enrich_interventions(data.interventions, data.allocations)
    interventions["area_m2"] = valuation.area_m2(interventions)
    for frame in (pool, interventions):
        frame["municipality"] = frame["ags"].map(schema.AGS_NAMES)
    return PoolView(boundaries=data.boundaries, pool_areas=pool, interventions=interventions,
                    allocations=data.allocations, history=data.history)


def select(view: PoolView, ags: list[str] | None) -> PoolView:
    """The view restricted to the given municipalities (None: all).

    Areas and interventions are filtered by their own municipality; the ledger keeps
    every entry that touches a selected area or intervention.
    """
    if not ags:
        return view
    pool = view.pool_areas[view.pool_areas["ags"].isin(ags)]
    interventions = view.interventions[view.interventions["ags"].isin(ags)]
    alloc = view.allocations[view.allocations["pool_id"].isin(pool["pool_id"])
                             | view.allocations["intervention_id"].isin(interventions["intervention_id"])]
    return PoolView(boundaries=view.boundaries[view.boundaries["ags"].isin(ags)], pool_areas=pool,
                    interventions=interventions, allocations=alloc,
                    history=view.history[view.history["ags"].isin(ags) | view.history["ags"].isna()])


@dataclass(frozen=True)
class Headline:
    pool_count: int
    pool_area_m2: float
    value_points: float
    free_points: float
    intervention_count: int
    demand_points: float
    open_points: float
    balance: float


def headline(view: PoolView) -> Headline:
    pool, itv = view.pool_areas, view.interventions
    free, open_ = float(pool["free_points"].sum()), float(itv["open_points"].sum())
    return Headline(
        pool_count=len(pool), pool_area_m2=float(pool["area_m2"].sum()),
        value_points=float(pool["value_points"].sum()), free_points=free,
        intervention_count=len(itv), demand_points=float(itv["demand_points"].sum()),
        open_points=open_, balance=free - open_,
    )


def by_municipality(view: PoolView) -> pd.DataFrame:
    """One row per partner (schema order) and a last row ``Gesamt``.

    Columns: municipality, pool_count, area_m2, value_points, free_points,
    intervention_count, demand_points, open_points, balance.
    """
    ags = [m.ags for m in schema.MUNICIPALITIES]
    pool, itv = view.pool_areas, view.interventions
    p = pool.groupby("ags").agg(pool_count=("pool_id", "size"), area_m2=("area_m2", "sum"),
                                value_points=("value_points", "sum"), free_points=("free_points", "sum"))
    i = itv.groupby("ags").agg(intervention_count=("intervention_id", "size"),
                               demand_points=("demand_points", "sum"), open_points=("open_points", "sum"))
    table = p.join(i, how="outer").reindex(ags).fillna(0.0)
    table = table[table.index.isin(set(pool["ags"]) | set(itv["ags"]))] if len(pool) + len(itv) else table
    table.insert(0, "municipality", table.index.map(schema.AGS_NAMES))
    table.loc["gesamt"] = ["Gesamt", *table.drop(columns="municipality").sum().tolist()]
    table["balance"] = table["free_points"] - table["open_points"]
    for col in ("pool_count", "intervention_count"):
        table[col] = table[col].astype(int)
    table.index.name = "ags"
    return table
