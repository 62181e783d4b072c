"""Booking value points: permission check, rules and the ledger write in one transaction.

Each action hands the store a plan. The store calls it with the pool areas, interventions,
ledger and history as they are *inside* its lock or transaction, so a publish or another
booking that lands in between is seen: an area cannot be overdrawn, nor booked after it
was withdrawn, however the writes interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User, require_direct_booking, require_edit_municipality
from geo.accounting import ledger, prices, requests, valuation
from geo.config import ValuationModels
from geo.errors import BookingError
from geo.schema import PoolData
from geo.store import Store, history_entry


def _intervention_ags(interventions: pd.DataFrame, intervention_id: str) -> str:
    rows = interventions.loc[interventions["intervention_id"] == intervention_id, "ags"]
    if rows.empty:
        raise BookingError(f"Den Eingriff „{intervention_id}“ gibt es nicht.")
    return str(rows.iloc[0])


def _pool_ags(pool: pd.DataFrame, pool_id: str) -> str:
    rows = pool.loc[pool["pool_id"] == pool_id, "ags"]
    if rows.empty:
        raise BookingError(f"Die Poolfläche „{pool_id}“ gibt es nicht.")
    return str(rows.iloc[0])


def _entry_intervention(current: pd.DataFrame, allocation_id: str) -> str:
    rows = current.loc[current["allocation_id"] == allocation_id, "intervention_id"]
    if rows.empty:
        raise BookingError(f"Die Buchung „{allocation_id}“ gibt es nicht.")
    return str(rows.iloc[0])


def _history(user: User, ags: str, rows: pd.DataFrame, notes: str) -> pd.DataFrame:
    return history_entry(user=user.username, ags=ags, layer=schema.ALLOCATIONS, action="booking",
                         added=len(rows), notes=notes)


def book(store: Store, user: User | None, *, pool_id: str, intervention_id: str, points: float,
         kind: ledger.BookingKind, notes: str = "", on: dt.date | None = None,
         models: ValuationModels | None = None) -> pd.DataFrame:
    """Reserve or allocate *points* (the pool area's own points); refused (and nothing written) if a
    rule is broken.

    Directly only within one's own municipality (or as administrator); across a border
    :func:`geo.accounting.consent.ask` makes a request instead. Points under other open
    requests are not free. Across a border the points cover the intervention in the agreed
    model of *models* (:func:`geo.accounting.ledger.cover_points`).
    """

    def plan(stored: PoolData) -> tuple[pd.DataFrame, pd.DataFrame]:
        state = valuation.valued(stored, models)
        ags = _intervention_ags(state.interventions, intervention_id)
        require_edit_municipality(user, ags, "Wertpunkte buchen")
        signed_in = require_direct_booking(user, ags, _pool_ags(state.pool_areas, pool_id))
        pending = requests.pending(state.requests, fmt.now())
        rows = prices.priced(ledger.plan_booking(state.pool_areas, state.interventions, state.allocations,
                                                 pool_id=pool_id, intervention_id=intervention_id, points=points,
                                                 kind=kind, user=signed_in.username, on=on, notes=notes,
                                                 pending=pending), state)
        verb = "reserviert" if kind == "reserviert" else "zugeordnet"
        return rows, _history(signed_in, ags, rows, f"{fmt.points(points)} von {pool_id} für {intervention_id} {verb}")

    return store.transact(plan)[0]


def _on_entry(store: Store, user: User | None, allocation_id: str, action: str, note: str,
              rows_for: Callable[[PoolData, str], pd.DataFrame]) -> pd.DataFrame:
    """A change of the booking *allocation_id* by the intervention's municipality: *rows_for* gets the
    state and the signed-in user's name and returns the ledger rows; *note* goes into the history."""

    def plan(state: PoolData) -> tuple[pd.DataFrame, pd.DataFrame]:
        ags = _intervention_ags(state.interventions, _entry_intervention(state.allocations, allocation_id))
        signed_in = require_edit_municipality(user, ags, action)
        rows = prices.priced(rows_for(state, signed_in.username), state)
        return rows, _history(signed_in, ags, rows, note)

    return store.transact(plan)[0]


def cancel(store: Store, user: User | None, *, allocation_id: str, notes: str = "",
           on: dt.date | None = None) -> pd.DataFrame:
    """Cancel a booking by a reversing entry."""
    return _on_entry(store, user, allocation_id, "Buchung stornieren", f"Storno von {allocation_id}",
                     lambda state, name: ledger.plan_cancel(state.allocations, allocation_id=allocation_id,
                                                            user=name, on=on, notes=notes))


def confirm(store: Store, user: User | None, *, allocation_id: str, notes: str = "",
            on: dt.date | None = None) -> pd.DataFrame:
    """Turn a reservation into an allocation (intervention must be approved, area not withdrawn)."""
    return _on_entry(store, user, allocation_id, "Reservierung zuordnen", f"Reservierung {allocation_id} zugeordnet",
                     lambda state, name: ledger.plan_confirm(state.pool_areas, state.interventions,
                                                             state.allocations, allocation_id=allocation_id,
                                                             user=name, on=on, notes=notes))
