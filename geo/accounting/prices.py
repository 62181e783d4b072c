"""Prices per value point (€/WP) and the price each cross-border booking records.

A price belongs to a municipality (for all its pool areas) or to one pool area, and is valid
from a day, to a day or open-ended. Prices are only appended: a new price is a new row. On
a day the most specific row applies (the area's own before its municipality's), among those
the one starting latest, and among rows starting the same day the one set last.

A cross-border ledger entry (the intervention's municipality differs from the area's)
records the price that applied on its booking day, looked up inside the booking's
transaction (:func:`priced`); a reversal repeats the price of the entry it reverses, so a
settlement nets out. Entries within one municipality carry no price.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User, require_admin
from geo.errors import BookingError, DataError
from geo.schema import PoolData
from geo.store import Change, Store, history_entry


def applicable(prices: pd.DataFrame, *, ags: str, pool_id: str | None, on: dt.date) -> pd.Series | None:
    """The price row that applies to *pool_id* of *ags* on the day *on*, or None (see the module docstring)."""
    if prices.empty:
        return None
    day = pd.Timestamp(on)
    start = pd.to_datetime(prices["valid_from"], errors="coerce")
    end = pd.to_datetime(prices["valid_to"], errors="coerce")
    valid = (prices["ags"] == ags) & (start <= day) & (end.isna() | (end >= day))
    own = prices["pool_id"].notna() & (prices["pool_id"] == pool_id)
    general = prices["pool_id"].isna()
    for scope in (own, general):
        rows = prices[valid & scope]
        if len(rows):
            order = pd.DataFrame({"start": start[rows.index], "seq": range(len(rows))}, index=rows.index)
            chosen: pd.Series = rows.loc[order.sort_values(["start", "seq"]).index[-1]]
            return chosen
    return None


def price_on(prices: pd.DataFrame, *, ags: str, pool_id: str | None, on: dt.date) -> float | None:
    """€/WP for *pool_id* of *ags* on *on*; None where no price is set."""
    row = applicable(prices, ags=ags, pool_id=pool_id, on=on)
    return None if row is None else float(row["eur_per_point"])


def priced(rows: pd.DataFrame, state: PoolData) -> pd.DataFrame:
    """*rows* (new ledger entries) with ``price_eur`` filled for cross-border entries.

    A new entry gets the price valid on its booking ``date``; a reversal the price recorded
    on the entry it reverses (also one among *rows*, as in a conversion).
    """
    out = rows.copy()
    area_ags = state.pool_areas.set_index("pool_id")["ags"]
    intervention_ags = state.interventions.set_index("intervention_id")["ags"]
    recorded = {str(k): float(v) for k, v in zip(state.allocations["allocation_id"], state.allocations["price_eur"],
                                                  strict=True) if pd.notna(v)}
    found: list[float | None] = []
    for row in out.to_dict("records"):
        to_ags, from_ags = area_ags.get(row["pool_id"]), intervention_ags.get(row["intervention_id"])
        price: float | None = None
        if to_ags is not None and from_ags is not None and to_ags != from_ags:
            reverses = row["reverses"]
            price = (recorded.get(reverses) if isinstance(reverses, str) and reverses
                     else price_on(state.prices, ags=str(to_ags), pool_id=str(row["pool_id"]),
                                   on=pd.Timestamp(row["date"]).date()))
        if price is not None:
            recorded[str(row["allocation_id"])] = price
        found.append(price)
    out["price_eur"] = pd.Series(found, index=out.index, dtype=float)
    return out


def _next_id(prices: pd.DataFrame) -> str:
    numbers = prices["price_id"].astype(str).str.extract(r"(\d+)$")[0].dropna().astype(int)
    return f"P-{(numbers.max() + 1) if len(numbers) else 1:06d}"


def plan_price(state: PoolData, user: User | None, *, ags: str, eur_per_point: float, valid_from: dt.date,
               valid_to: dt.date | None = None, pool_id: str | None = None, notes: str = "",
               now: dt.datetime | None = None) -> Change:
    """The price row and its history row; only administrators set prices (German refusals)."""
    signed_in = require_admin(user, "Preis festlegen")
    if not math.isfinite(eur_per_point) or eur_per_point < 0:
        raise DataError("Bitte einen Preis ab 0 € je Wertpunkt angeben.")
    if valid_to is not None and valid_to < valid_from:
        raise DataError(f"„Gültig bis“ ({fmt.date(valid_to)}) liegt vor „Gültig ab“ ({fmt.date(valid_from)}).")
    name = schema.AGS_NAMES.get(ags)
    if name is None:
        raise DataError(f"Unbekannte Gemeinde „{ags}“.")
    if pool_id:
        owner = state.pool_areas.loc[state.pool_areas["pool_id"] == pool_id, "ags"]
        if owner.empty:
            raise BookingError(f"Die Poolfläche „{pool_id}“ gibt es nicht.")
        if owner.iloc[0] != ags:
            raise DataError(f"Die Poolfläche {pool_id} liegt nicht in {name}.")
    at = (now or fmt.now()).replace(microsecond=0)
    row = {"price_id": _next_id(state.prices), "ags": ags, "pool_id": pool_id or None,
           "eur_per_point": float(eur_per_point), "valid_from": valid_from.isoformat(),
           "valid_to": valid_to.isoformat() if valid_to else None, "notes": notes.strip(),
           "set_by": signed_in.username, "at": fmt.iso(at), "change_id": None}
    period = f"ab {fmt.date(valid_from)}" + (f" bis {fmt.date(valid_to)}" if valid_to else "")
    target = f"Poolfläche {pool_id}" if pool_id else name
    history = history_entry(user=signed_in.username, ags=ags, layer=schema.PRICES, action="price", added=1,
                            notes=f"Preis für {target}: {fmt.euro(eur_per_point)}/WP {period}", at=at)
    return Change(pd.DataFrame(columns=schema.field_names(schema.ALLOCATIONS)), history,
                  schema.empty_table(schema.REQUEST_EVENTS), schema.empty_table(schema.OUTBOX),
                  pd.DataFrame([row], columns=schema.field_names(schema.PRICES)))


def set_price(store: Store, user: User | None, *, ags: str, eur_per_point: float, valid_from: dt.date,
              valid_to: dt.date | None = None, pool_id: str | None = None, notes: str = "") -> pd.DataFrame:
    """Store a new price (one transaction); returns the stored price row."""
    return store.transact(lambda state: plan_price(state, user, ags=ags, eur_per_point=eur_per_point,
                                                   valid_from=valid_from, valid_to=valid_to, pool_id=pool_id,
                                                   notes=notes)).prices


def table(prices: pd.DataFrame) -> pd.DataFrame:
    """The prices for display, newest first: German headers and formats."""
    rows = prices.iloc[::-1]
    return pd.DataFrame({
        "Preis-ID": rows["price_id"].to_numpy(),
        "Gemeinde": [schema.AGS_NAMES.get(a, a) for a in rows["ags"]],
        "Poolfläche": [fmt.text(v, "alle") for v in rows["pool_id"]],
        "€/WP": [fmt.euro(v) for v in rows["eur_per_point"]],
        "Gültig ab": [fmt.date(v) for v in rows["valid_from"]],
        "Gültig bis": [fmt.date(v) if pd.notna(v) else "offen" for v in rows["valid_to"]],
        "Festgelegt von": rows["set_by"].to_numpy(),
        "Bemerkung": rows["notes"].fillna("").to_numpy(),
    })
