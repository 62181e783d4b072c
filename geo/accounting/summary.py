"""The one way of counting: every figure the app, the charts and the exports show.

Start from :func:`pool_view` (the stored data enriched by the ledger), then ask for
headline figures or tables. Pages and exports never sum columns themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from geo import fmt, schema
from geo.accounting import ledger, requests, valuation
from geo.schema import PoolData

SeriesOrFrame = TypeVar("SeriesOrFrame", pd.Series, pd.DataFrame)


class PoolView(PoolData):
    """Stored data plus derived columns (areas, booked/free points, coverage): see :func:`pool_view`."""


def pool_view(data: PoolData, now: dt.datetime | None = None) -> PoolView:
    """The stored data with the ledger's figures; points under requests open at *now* are not free."""
    pending = requests.pending(data.requests, now or fmt.now())
    pool = ledger.enrich_pool(data.pool_areas, data.allocations, pending)
    pool["area_m2"] = valuation.area_m2(pool)
    interventions = ledger.enrich_interventions(data.interventions, data.allocations, pending)
    interventions["area_m2"] = valuation.area_m2(interventions)
    for frame in (pool, interventions):
        frame["municipality"] = frame["ags"].map(schema.AGS_NAMES)
    return PoolView(boundaries=data.boundaries, pool_areas=pool, interventions=interventions,
                    allocations=data.allocations, history=data.history, requests=data.requests, outbox=data.outbox)


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
                    history=view.history[view.history["ags"].isin(ags) | view.history["ags"].isna()],
                    requests=view.requests[view.requests["from_ags"].isin(ags) | view.requests["to_ags"].isin(ags)],
                    outbox=view.outbox[view.outbox["recipient_ags"].isin(ags)])


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


def by_municipality(view: PoolView, ags: Sequence[str] = ()) -> pd.DataFrame:
    """One row per partner with areas or interventions, plus one for each of *ags* (a
    chosen partner keeps its row of zeros), in schema order, and a last row ``Gesamt``.
    A view without any areas or interventions and no *ags* lists every partner.

    Columns: municipality, pool_count, area_m2, value_points, free_points,
    intervention_count, demand_points, open_points, balance.
    """
    pool, itv = view.pool_areas, view.interventions
    p = pool.groupby("ags").agg(pool_count=("pool_id", "size"), area_m2=("area_m2", "sum"),
                                value_points=("value_points", "sum"), free_points=("free_points", "sum"))
    i = itv.groupby("ags").agg(intervention_count=("intervention_id", "size"),
                               demand_points=("demand_points", "sum"), open_points=("open_points", "sum"))
    table = p.join(i, how="outer").reindex([m.ags for m in schema.MUNICIPALITIES]).fillna(0.0)
    listed = set(pool["ags"]) | set(itv["ags"]) | set(ags)
    table = table[table.index.isin(listed)] if listed else table
    table.insert(0, "municipality", table.index.map(schema.AGS_NAMES))
    table.loc["gesamt"] = ["Gesamt", *table.drop(columns="municipality").sum().tolist()]
    table["balance"] = table["free_points"] - table["open_points"]
    for col in ("pool_count", "intervention_count"):
        table[col] = table[col].astype(int)
    table.index.name = "ags"
    return table


# --- council overview: scope, breakdowns, development, report --------------------------

@dataclass(frozen=True)
class Scope:
    """What a council overview covers: some partners (empty: all) and a year range.

    The year range keeps pool areas whose measure runs in it (start ≤ last year and end ≥
    first year; a missing date leaves that side open), interventions approved in it or
    not approved yet (their demand is open now), and ledger entries dated in it.
    """

    ags: tuple[str, ...] = ()
    years: tuple[int, int] | None = None


def select_years(view: PoolView, first: int, last: int) -> PoolView:
    """The view restricted to the years *first*–*last* (see :class:`Scope`)."""
    begin, end = pd.Timestamp(first, 1, 1), pd.Timestamp(last, 12, 31)
    pool = view.pool_areas
    start, stop = pd.to_datetime(pool["measure_start"]), pd.to_datetime(pool["measure_end"])
    pool = pool[(start.isna() | (start <= end)) & (stop.isna() | (stop >= begin))]
    itv = view.interventions
    approval = pd.to_datetime(itv["approval_date"])
    itv = itv[approval.isna() | ((approval >= begin) & (approval <= end))]
    alloc = view.allocations
    dated = pd.to_datetime(alloc["date"])
    alloc = alloc[(dated >= begin) & (dated <= end)
                  & (alloc["pool_id"].isin(pool["pool_id"]) | alloc["intervention_id"].isin(itv["intervention_id"]))]
    return PoolView(boundaries=view.boundaries, pool_areas=pool, interventions=itv, allocations=alloc,
                    history=view.history)


def scoped(view: PoolView, scope: Scope) -> PoolView:
    """The view restricted to *scope*'s municipalities and years."""
    out = select(view, list(scope.ags))
    return select_years(out, *scope.years) if scope.years else out


def year_bounds(view: PoolView) -> tuple[int, int]:
    """First and last year any measure, approval or booking of *view* falls in."""
    dates = pd.concat([pd.to_datetime(view.pool_areas[c]) for c in ("measure_start", "measure_end")]
                      + [pd.to_datetime(view.interventions["approval_date"]), pd.to_datetime(view.allocations["date"])])
    years = dates.dropna().dt.year
    if years.empty:
        this_year = pd.Timestamp.today().year
        return this_year, this_year
    return int(years.min()), int(years.max())


def _hectares(area_m2: SeriesOrFrame) -> SeriesOrFrame:
    return area_m2 / fmt.M2_PER_HA


BREAKDOWN_FIELDS = ["pool_id", "area_m2", "value_points", "free_points"]


def _sums(pool: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return pool[[*keys, *BREAKDOWN_FIELDS]].groupby(keys, observed=True).agg(
        pool_count=("pool_id", "size"), area_m2=("area_m2", "sum"), value_points=("value_points", "sum"),
        free_points=("free_points", "sum"))


def _ordered(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    table = table.reindex([k for k in order if k in table.index])
    table.insert(0, "area_ha", _hectares(table["area_m2"]))
    table["pool_count"] = table["pool_count"].astype(int)
    return table[["pool_count", "area_m2", "area_ha", "value_points", "free_points"]]


def _pool_breakdown(pool: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    """Pool areas grouped by *key* in *order* (groups without areas left out)."""
    return _ordered(_sums(pool, [key]), order)


def measures_by_municipality(view: PoolView, ags: Iterable[str]) -> dict[str, pd.DataFrame]:
    """:func:`by_measure_type` with its total row for each of *ags*, from one grouping of the pool areas."""
    sums = _sums(view.pool_areas, ["ags", "measure_type"])
    empty = sums.iloc[:0].droplevel("ags")
    found = set(sums.index.get_level_values("ags"))
    return {code: with_total(_ordered(pd.DataFrame(sums.xs(code, level="ags")) if code in found else empty,
                                      list(schema.MEASURE_TYPES))) for code in ags}


def by_status(view: PoolView) -> pd.DataFrame:
    """Pool areas per status (schema order; index ``status``): pool_count, area_m2, area_ha,
    value_points, free_points."""
    return _pool_breakdown(view.pool_areas, "status", list(schema.POOL_STATUS))


def by_measure_type(view: PoolView) -> pd.DataFrame:
    """Pool areas per measure type (schema order; index ``measure_type``), columns as
    :func:`by_status`."""
    return _pool_breakdown(view.pool_areas, "measure_type", list(schema.MEASURE_TYPES))


def with_total(table: pd.DataFrame, label: str = "Gesamt") -> pd.DataFrame:
    """*table* (numbers only) with a last row *label* holding the column sums."""
    out = table.copy()
    out.loc[label] = table.sum()
    return out.astype({c: int for c in out.columns if c.endswith("_count")})


def area_by_municipality_status(view: PoolView) -> pd.DataFrame:
    """Hectares per municipality (rows, schema order, index ``municipality``) and status
    (columns, schema order; statuses without areas left out)."""
    pool = view.pool_areas
    names = [m.name for m in schema.MUNICIPALITIES if m.ags in set(pool["ags"])]
    table: pd.DataFrame = pool.pivot_table(index="municipality", columns="status", values="area_m2",
                                           aggfunc="sum", fill_value=0.0, observed=True)
    table = _hectares(table.reindex(index=names, columns=[s for s in schema.POOL_STATUS if s in table.columns]))
    table.columns.name = None
    return table


def supply_demand(view: PoolView, ags: Sequence[str] = ()) -> pd.DataFrame:
    """Free points against open demand per municipality (rows as :func:`by_municipality`)
    and for the whole selection (last row ``Gesamt``); index ``municipality``."""
    return _supply(by_municipality(view, ags))


def _supply(municipalities: pd.DataFrame) -> pd.DataFrame:
    return municipalities.set_index("municipality")[["free_points", "open_points", "balance"]]


def development(view: PoolView, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per year (index ``year``): measures started and completed (pool areas by
    ``measure_start``/``measure_end``) and value points booked (net sum of the ledger's
    entries, reversals included, by booking date).

    *years* gives the first and last row; without it the years the data spans.
    """
    pool, alloc = view.pool_areas, view.allocations
    started = pd.to_datetime(pool["measure_start"]).dt.year.value_counts()
    completed = pd.to_datetime(pool["measure_end"]).dt.year.value_counts()
    booked = alloc.groupby(pd.to_datetime(alloc["date"]).dt.year)["points"].sum()
    if years is None:
        present = pd.Index(started.index).union(completed.index).union(booked.index).dropna()
        years = (int(present.min()), int(present.max())) if len(present) else (0, -1)
    index = pd.RangeIndex(years[0], years[1] + 1, name="year")
    return pd.DataFrame({
        "measures_started": started.reindex(index, fill_value=0).astype(int).to_numpy(),
        "measures_completed": completed.reindex(index, fill_value=0).astype(int).to_numpy(),
        "booked_points": booked.reindex(index, fill_value=0.0).astype(float).to_numpy(),
    }, index=index)


def top_open_interventions(view: PoolView, n: int = 10) -> pd.DataFrame:
    """The *n* interventions with the most open demand (largest first, then by id)."""
    columns = ["intervention_id", "name", "municipality", "kind", "status", "demand_points", "covered_points",
               "open_points", "coverage_share"]
    itv = pd.DataFrame(view.interventions[columns])  # no geometry to carry through the sort
    itv = itv[itv["open_points"] > ledger.EPS]
    return itv.sort_values(["open_points", "intervention_id"], ascending=[False, True]).head(n).reset_index(drop=True)


@dataclass(frozen=True)
class Report:
    """Every figure of the council overview for one scope; page, charts and exports read it."""

    scope: Scope
    view: PoolView
    headline: Headline
    municipalities: pd.DataFrame
    status: pd.DataFrame
    measures: pd.DataFrame
    area_status: pd.DataFrame
    supply_demand: pd.DataFrame
    development: pd.DataFrame
    top_open: pd.DataFrame
    measures_by_municipality: dict[str, pd.DataFrame]


def report(view: PoolView, scope: Scope) -> Report:
    """All summaries of :func:`scoped` (*view*, *scope*)."""
    part = scoped(view, scope)
    municipalities = by_municipality(part, scope.ags)
    per_municipality = measures_by_municipality(part, [ags for ags in municipalities.index if ags != "gesamt"])
    return Report(scope=scope, view=part, headline=headline(part), municipalities=municipalities,
                  status=by_status(part), measures=by_measure_type(part),
                  area_status=area_by_municipality_status(part), supply_demand=_supply(municipalities),
                  development=development(part, scope.years), top_open=top_open_interventions(part),
                  measures_by_municipality=per_municipality)
