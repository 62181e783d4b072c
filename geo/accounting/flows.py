"""Cross-border flows: whose interventions are compensated in whose pool.

Counted from the ledger (net of reversals), so the figures match every other balance in
the app. Rows are the municipality of the intervention, columns the municipality of the
pool area the points come from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from geo import schema

if TYPE_CHECKING:  # summary's report counts the flows with this module
    from geo.accounting.summary import PoolView

TOTAL = "Gesamt"
ROWS_TITLE, COLUMNS_TITLE = "Eingriffe in", "Poolflächen in"


def flows(view: PoolView) -> pd.DataFrame:
    """Net booked points per (intervention municipality, pool municipality) pair.

    Columns: ``from_ags``/``from_name`` (the intervention's municipality), ``to_ags``/
    ``to_name`` (the pool area's), ``reserved_points``, ``allocated_points``, ``points``
    (both together) and ``cross_border``. Pairs whose entries cancel out are dropped; rows
    are in schema order.
    """
    entries = view.allocations[["intervention_id", "pool_id", "kind", "points"]]
    entries = entries.assign(
        from_ags=entries["intervention_id"].map(view.interventions.set_index("intervention_id")["ags"]),
        to_ags=entries["pool_id"].map(view.pool_areas.set_index("pool_id")["ags"]),
    ).dropna(subset=["from_ags", "to_ags"])
    by_kind = entries.pivot_table(index=["from_ags", "to_ags"], columns="kind", values="points", aggfunc="sum",
                                  fill_value=0.0).reindex(columns=list(schema.ALLOCATION_KINDS), fill_value=0.0)
    out = pd.DataFrame({"reserved_points": by_kind["reserviert"], "allocated_points": by_kind["zugeordnet"]})
    out["points"] = out["reserved_points"] + out["allocated_points"]
    out = out[out["points"].abs() > 0.5].reset_index()
    order = {m.ags: i for i, m in enumerate(schema.MUNICIPALITIES)}
    out = out.sort_values(["from_ags", "to_ags"], key=lambda s: s.map(order)).reset_index(drop=True)
    out.insert(1, "from_name", out["from_ags"].map(schema.AGS_NAMES))
    out.insert(3, "to_name", out["to_ags"].map(schema.AGS_NAMES))
    out["cross_border"] = out["from_ags"] != out["to_ags"]
    return out.astype({"reserved_points": float, "allocated_points": float, "points": float})


def matrix(flow: pd.DataFrame, values: str = "points") -> pd.DataFrame:
    """:func:`flows` as a table: intervention municipalities × pool municipalities.

    Index and columns are municipality names in schema order (only those with flows),
    plus a ``Gesamt`` row and column; empty cells are 0. *values* names the column summed
    (``amount_eur`` for :func:`geo.accounting.settlement.money_flows`).
    """
    names = [m.name for m in schema.MUNICIPALITIES]
    rows = [n for n in names if n in set(flow["from_name"])]
    cols = [n for n in names if n in set(flow["to_name"])]
    table = flow.pivot_table(index="from_name", columns="to_name", values=values, aggfunc="sum", fill_value=0.0)
    table = table.reindex(index=rows, columns=cols, fill_value=0.0).astype(float)
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    table.index.name, table.columns.name = ROWS_TITLE, COLUMNS_TITLE
    return table


def involving(flow: pd.DataFrame, ags: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The rows of *flow* (points or money, columns ``from_name``/``to_name``) with a chosen partner on
    either side; all rows when *ags* is empty. A partner's flows include those with partners not chosen."""
    if not ags:
        return flow
    names = {schema.AGS_NAMES[a] for a in ags}
    return flow[flow["from_name"].isin(names) | flow["to_name"].isin(names)].reset_index(drop=True)


def cross_border_share(flow: pd.DataFrame) -> float:
    """Share of all net booked points that cross a municipal border (0 when nothing is booked)."""
    total = float(flow["points"].sum())
    return float(flow.loc[flow["cross_border"], "points"].sum()) / total if total > 0 else 0.0


MUNICIPALITY_COLORS: dict[str, str] = dict(zip(
    [m.name for m in schema.MUNICIPALITIES],
    ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666", "#1f78b4"],
    strict=True))
"""One colour per partner for the flow chart (ColorBrewer Dark2 plus a blue)."""
