"""The one way of counting: every figure the app, the charts and the exports show.

Start from :func:`pool_view` (the stored data enriched by the ledger), then ask for
headline figures or tables. Pages and exports never sum columns themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from geo import fmt, schema
from geo.accounting import climate, flows, ledger, naturalregions, requests, settlement, valuation
from geo.config import ValuationModels
from geo.schema import PoolData

SeriesOrFrame = TypeVar("SeriesOrFrame", pd.Series, pd.DataFrame)


class PoolView(PoolData):
    """Stored data plus derived columns (areas, booked/free points, coverage): see :func:`pool_view`."""


def pool_view(data: PoolData, now: dt.datetime | None = None, models: ValuationModels | None = None) -> PoolView:
    """The stored data with the ledger's figures; points under requests open at *now* are not free.

    With the data's valuation tables, every area and intervention is valued under each model
    (:func:`geo.accounting.valuation.valued`; own model per *models*, default the schema's) and
    bookings across borders count in the agreed model; the view then has ``agreed_value_points``,
    ``agreed_free_points`` (areas) and ``agreed_demand_points``, ``agreed_open_points`` (interventions).
    """
    data = valuation.valued(data, models)
    pending = requests.pending(data.requests, now or fmt.now())
    pool = ledger.enrich_pool(data.pool_areas, data.allocations, pending)
    pool["area_m2"] = valuation.area_m2(pool)
    interventions = ledger.enrich_interventions(data.interventions, data.allocations, pending, data.pool_areas)
    interventions["area_m2"] = valuation.area_m2(interventions)
    for frame in (pool, interventions):
        frame["municipality"] = frame["ags"].map(schema.AGS_NAMES)
        frame["natural_region"] = naturalregions.region_of(frame, data.natural_regions)
    if climate.TABLE in data.valuation:
        factors = climate.parse(data.valuation[climate.TABLE])
        pool["climate_t"] = climate.effect(pool, factors, "measure")
        interventions["climate_t"] = climate.effect(interventions, factors, "intervention")
    if ledger.AGREED_FACTOR in pool.columns:
        pairs = ((pool, ("value_points", "free_points")), (interventions, ("demand_points", "open_points")))
        for frame, columns in pairs:
            for column in columns:
                frame[f"agreed_{column}"] = frame[column] * frame[ledger.AGREED_FACTOR]
    return PoolView(boundaries=data.boundaries, pool_areas=pool, interventions=interventions,
                    allocations=data.allocations, history=data.history, requests=data.requests, outbox=data.outbox,
                    prices=data.prices)


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
                    outbox=view.outbox[view.outbox["recipient_ags"].isin(ags)],
                    prices=view.prices[view.prices["ags"].isin(ags)])


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


def _counted(view: PoolView, free: pd.Series, open_: pd.Series, ags: Sequence[str]) -> pd.DataFrame:
    """:func:`by_municipality`'s free points, open demand and balance with the areas' free points
    *free* and the interventions' open demand *open_* (the same points counted in another model)."""
    counted = dataclasses.replace(view, pool_areas=view.pool_areas.assign(free_points=free),
                                  interventions=view.interventions.assign(open_points=open_))
    return by_municipality(counted, ags)[["free_points", "open_points", "balance"]]


def by_model(view: PoolView, ags: Sequence[str] = ()) -> pd.DataFrame:
    """Free points, open demand and balance per municipality (rows and index as
    :func:`by_municipality`, with column ``municipality``) under every valuation model the view
    was valued with: columns ``(model, free_points | open_points | balance)``. Each row's own model
    gives :func:`by_municipality`'s figures; the agreed model's ``Gesamt`` row is the
    partnership's total in one currency. Empty (no model columns) for an unvalued view.
    """
    rows = by_municipality(view, ags)
    pool, itv = view.pool_areas, view.interventions
    parts = {model: _counted(view, valuation.in_model(pool, "free_points", model),
                             valuation.in_model(itv, "open_points", model), ags)
             for model in valuation.models_in(pool)}
    table = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=rows.index)
    table.insert(0, ("", "municipality"), rows["municipality"])
    return table


def climate_beside_points(view: PoolView, ags: Sequence[str] = ()) -> pd.DataFrame:
    """The climate balance beside the points balance, per municipality (rows and index as
    :func:`by_municipality`): municipality, ``balance`` (WP, own model), ``agreed_balance`` (WP, the
    agreed model, where valued), ``stored_t``, ``released_t``, ``balance_t`` (t CO₂ per year, see
    :func:`geo.accounting.climate.balance`). Empty without climate factors."""
    if "climate_t" not in view.pool_areas.columns:
        return pd.DataFrame()
    table = by_municipality(view, ags)[["municipality", "balance"]]
    if "agreed_free_points" in view.pool_areas.columns:
        agreed = _counted(view, view.pool_areas["agreed_free_points"], view.interventions["agreed_open_points"], ags)
        table = table.assign(agreed_balance=agreed["balance"])
    per = climate.balance(view.pool_areas, view.interventions)
    out = table.join(per).fillna({c: 0.0 for c in per.columns})
    out.loc["gesamt", per.columns] = per.sum()
    return out


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
    measure_types: tuple[str, ...] = ()
    """Only pool areas of these measure types (empty: all), today's figures included."""
    since: dt.date | None = None
    """An earlier date (e.g. the last council meeting): :attr:`Report.earlier` holds today's
    figures as the ledger stood then."""


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


def select_measures(view: PoolView, measure_types: Sequence[str]) -> PoolView:
    """The view with only the pool areas of *measure_types* (empty: all) and their ledger entries;
    interventions stay (their open demand is the ledger's, whichever areas cover it)."""
    if not measure_types:
        return view
    pool = view.pool_areas[view.pool_areas["measure_type"].isin(measure_types)]
    return PoolView(boundaries=view.boundaries, pool_areas=pool, interventions=view.interventions,
                    allocations=view.allocations[view.allocations["pool_id"].isin(pool["pool_id"])],
                    history=view.history, requests=view.requests, outbox=view.outbox)


def current(view: PoolView, scope: Scope) -> PoolView:
    """The view restricted to *scope*'s municipalities and measure types (no year range: today)."""
    return select_measures(select(view, list(scope.ags)), scope.measure_types)


def scoped(view: PoolView, scope: Scope) -> PoolView:
    """The view restricted to *scope*'s municipalities, measure types and years."""
    out = current(view, scope)
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


def development(view: PoolView, years: tuple[int, int] | None = None, today: dt.date | None = None
                ) -> pd.DataFrame:
    """Per year (index ``year``): measures started and completed by *today* (pool areas by
    ``measure_start``/``measure_end`` on or before *today*), measures whose end is still ahead
    (``measures_planned``, by the year of ``measure_end``) and value points booked (net sum of
    the ledger's entries, reversals included, by booking date).

    *years* gives the first and last row; without it the years the data spans. *today*
    defaults to today in Berlin: a measure ending in 2028 is not completed in 2028 yet.
    """
    pool, alloc = view.pool_areas, view.allocations
    cutoff = pd.Timestamp(today or fmt.today())
    start, end = pd.to_datetime(pool["measure_start"]), pd.to_datetime(pool["measure_end"])
    started = start[start <= cutoff].dt.year.value_counts()
    completed = end[end <= cutoff].dt.year.value_counts()
    planned = end[end > cutoff].dt.year.value_counts()
    booked = alloc.groupby(pd.to_datetime(alloc["date"]).dt.year)["points"].sum()
    if years is None:
        present = pd.Index(start.dt.year).union(pd.Index(end.dt.year)).union(booked.index).dropna()
        years = (int(present.min()), int(present.max())) if len(present) else (0, -1)
    index = pd.RangeIndex(years[0], years[1] + 1, name="year")
    return pd.DataFrame({
        "measures_started": started.reindex(index, fill_value=0).astype(int).to_numpy(),
        "measures_completed": completed.reindex(index, fill_value=0).astype(int).to_numpy(),
        "measures_planned": planned.reindex(index, fill_value=0).astype(int).to_numpy(),
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
    """Every figure of the council overview for one scope; page, charts and exports read it.

    Today's figures (:attr:`headline`, :attr:`municipalities`, :attr:`supply_demand`,
    :attr:`top_open`) count every pool area and intervention of the chosen partners with the
    ledger as it is today, whatever the year range; the year range selects what the breakdowns
    and the development per year count (:attr:`period` is the range's headline).
    """

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
    period: Headline
    models: pd.DataFrame
    """:func:`by_model` of the scope: supply, demand and balance under each valuation model."""
    across_regions: pd.DataFrame
    """Active bookings of the scope across natural regions (:func:`geo.accounting.naturalregions.across`)."""
    climate: pd.DataFrame
    """:func:`climate_beside_points` of the scope (empty without climate factors)."""
    flows: pd.DataFrame
    """Net booked points between partners today (:func:`geo.accounting.flows.flows`), those with a partner of
    the scope on either side: with partners outside the scope too, which the other tables leave out."""
    money: pd.DataFrame
    """Euros settled between partners (:func:`geo.accounting.settlement.money_flows`), chosen as :attr:`flows`."""
    earlier: Headline | None = None


def report(view: PoolView, scope: Scope, today: dt.date | None = None) -> Report:
    """All summaries of *scope*: today's figures of its partners, the breakdowns of :func:`scoped`."""
    now = current(view, scope)
    part = scoped(view, scope)
    municipalities = by_municipality(now, scope.ags)
    per_municipality = measures_by_municipality(part, [ags for ags in municipalities.index if ags != "gesamt"])
    return Report(scope=scope, view=part, headline=headline(now), municipalities=municipalities,
                  status=by_status(part), measures=by_measure_type(part),
                  area_status=area_by_municipality_status(part), supply_demand=_supply(municipalities),
                  development=development(part, scope.years, today), top_open=top_open_interventions(now),
                  measures_by_municipality=per_municipality, period=headline(part), models=by_model(now, scope.ags),
                  across_regions=naturalregions.across(now.allocations, now.pool_areas, now.interventions),
                  climate=climate_beside_points(now, scope.ags),
                  flows=flows.involving(flows.flows(view), scope.ags),
                  money=flows.involving(settlement.money_flows(view), scope.ags),
                  earlier=headline(current(as_of(view, scope.since), scope)) if scope.since else None)


def as_of(view: PoolView, on: dt.date) -> PoolView:
    """*view* with the ledger as it stood at the end of *on*: the entries dated up to *on* and the
    requests open then. Pool areas and interventions are today's (their earlier versions are not
    part of the accounts), so the difference to today is what was booked and cancelled since."""
    alloc = view.allocations[pd.to_datetime(view.allocations["date"]) <= pd.Timestamp(on)]
    moment = dt.datetime.combine(on, dt.time(23, 59, 59), tzinfo=fmt.TIMEZONE)
    return pool_view(PoolData(boundaries=view.boundaries, pool_areas=view.pool_areas,
                              interventions=view.interventions, allocations=alloc, history=view.history,
                              requests=view.requests, outbox=view.outbox), now=moment)


def change(now: Headline, then: Headline) -> Headline:
    """Figure by figure, *now* minus *then* (e.g. since the last council meeting)."""
    return Headline(**{f: getattr(now, f) - getattr(then, f) for f in Headline.__dataclass_fields__})
