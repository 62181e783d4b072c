"""Settlement (Verrechnung): who owes whom for value points booked across municipal borders.

Counted from the ledger: every ``zugeordnet`` entry whose intervention lies in another
municipality than its pool area, with the price it recorded (:mod:`geo.accounting.prices`).
The intervention's municipality pays, the area's municipality receives; a reversal counts
negative at the price of the entry it reverses, so a cancelled allocation nets to zero.
Reservations are not settled: they become allocations first (or are cancelled). An entry
without a recorded price is listed with an empty amount so that the gap is visible.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import fmt, schema
from geo.schema import PoolData

CENT = 0.01
ENTRY_COLUMNS = ("allocation_id", "date", "intervention_id", "pool_id", "payer_ags", "payer", "payee_ags", "payee",
                 "points", "price_eur", "amount_eur")


def cross_border(data: PoolData) -> pd.DataFrame:
    """Every cross-border ``zugeordnet`` entry with payer, payee and amount (columns :data:`ENTRY_COLUMNS`)."""
    ledger = data.allocations
    ledger = ledger[ledger["kind"] == "zugeordnet"]
    payer = ledger["intervention_id"].map(data.interventions.set_index("intervention_id")["ags"])
    payee = ledger["pool_id"].map(data.pool_areas.set_index("pool_id")["ags"])
    keep = payer.notna() & payee.notna() & (payer != payee)
    rows = ledger[keep]
    out = pd.DataFrame({
        "allocation_id": rows["allocation_id"], "date": pd.to_datetime(rows["date"], errors="coerce"),
        "intervention_id": rows["intervention_id"], "pool_id": rows["pool_id"],
        "payer_ags": payer[keep], "payer": payer[keep].map(schema.AGS_NAMES),
        "payee_ags": payee[keep], "payee": payee[keep].map(schema.AGS_NAMES),
        "points": rows["points"].astype(float), "price_eur": rows["price_eur"].astype(float),
    }, columns=list(ENTRY_COLUMNS[:-1]))
    out["amount_eur"] = out["points"] * out["price_eur"]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Statement:
    """A partner's settlement for one year: its entries booking by booking and the balance per partner."""

    ags: str
    year: int
    entries: pd.DataFrame
    """Cross-border allocations of the year touching *ags*; ``signed_eur`` is + for money *ags* receives."""
    balances: pd.DataFrame
    """One row per other partner: ``partner``, ``receivable_eur`` (owed to *ags*), ``payable_eur`` (owed by
    *ags*), ``net_eur`` (+: the partner owes *ags*), ``unpriced`` (entries without a price)."""

    @property
    def name(self) -> str:
        return schema.AGS_NAMES[self.ags]

    @property
    def net_eur(self) -> float:
        return float(self.balances["net_eur"].sum())

    def sentences(self) -> list[str]:
        """Who owes whom, in German (one sentence per partner with a balance)."""
        out = []
        for partner, net in zip(self.balances["partner"], self.balances["net_eur"].astype(float), strict=True):
            if net > CENT / 2:
                out.append(f"{partner} schuldet {self.name} {fmt.euro(net)}.")
            elif net < -CENT / 2:
                out.append(f"{self.name} schuldet {partner} {fmt.euro(-net)}.")
            else:
                out.append(f"{self.name} und {partner} sind ausgeglichen.")
        return out


def statement(data: PoolData, ags: str, year: int) -> Statement:
    """*ags*'s settlement for *year* (entries dated in that year)."""
    every = cross_border(data)
    rows = every[((every["payer_ags"] == ags) | (every["payee_ags"] == ags)) & (every["date"].dt.year == year)]
    receives = rows["payee_ags"] == ags
    rows = rows.assign(partner=rows["payer"].where(receives, rows["payee"]),
                       direction=receives.map({True: "erhält", False: "zahlt"}),
                       signed_eur=rows["amount_eur"].where(receives, -rows["amount_eur"]))
    order = [m.name for m in schema.MUNICIPALITIES]
    grouped = rows.groupby("partner", sort=False)
    balances = pd.DataFrame({
        "receivable_eur": grouped["amount_eur"].apply(lambda s: s[receives[s.index]].sum()),
        "payable_eur": grouped["amount_eur"].apply(lambda s: s[~receives[s.index]].sum()),
        "unpriced": grouped["price_eur"].apply(lambda s: int(s.isna().sum())),
    }).reindex([n for n in order if n in set(rows["partner"])])
    balances["net_eur"] = balances["receivable_eur"] - balances["payable_eur"]
    balances = balances.rename_axis("partner").reset_index().astype({"unpriced": int})
    return Statement(ags, year, rows.sort_values(["date", "allocation_id"]).reset_index(drop=True), balances)


def years(data: PoolData, ags: str | None = None) -> list[int]:
    """Years with cross-border allocations (of *ags*, paying or receiving, if given), newest first."""
    every = cross_border(data)
    if ags is not None:
        every = every[(every["payer_ags"] == ags) | (every["payee_ags"] == ags)]
    return sorted({int(y) for y in every["date"].dt.year.dropna()}, reverse=True)


def money_flows(data: PoolData) -> pd.DataFrame:
    """Net euros per (intervention municipality, pool municipality) pair, as :func:`geo.accounting.flows.flows`
    has points: columns ``from_name``, ``to_name``, ``amount_eur``, ``points``; priced entries only."""
    every = cross_border(data).dropna(subset=["amount_eur"])
    grouped = every.groupby(["payer", "payee"], sort=False)[["amount_eur", "points"]].sum().reset_index()
    grouped = grouped.rename(columns={"payer": "from_name", "payee": "to_name"})
    return grouped[grouped["amount_eur"].abs() > CENT / 2].reset_index(drop=True)

