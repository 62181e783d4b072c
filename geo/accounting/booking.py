"""Booking value points: permission check, rules and the ledger write in one transaction."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User, require_edit_municipality
from geo.accounting import ledger
from geo.errors import BookingError
from geo.store.gpkg import Store, history_entry


def _intervention_ags(interventions: pd.DataFrame, intervention_id: str) -> str:
    rows = interventions.loc[interventions["intervention_id"] == intervention_id, "ags"]
    if rows.empty:
        raise BookingError(f"Den Eingriff „{intervention_id}“ gibt es nicht.")
    return str(rows.iloc[0])


def _history(user: User, ags: str, history: pd.DataFrame, rows: pd.DataFrame, notes: str) -> pd.DataFrame:
    return history_entry(user=user.username, ags=ags, layer=schema.ALLOCATIONS, action="booking",
                         added=len(rows), notes=notes, history=history)


def book(store: Store, user: User, *, pool_id: str, intervention_id: str, points: float,
         kind: ledger.BookingKind, notes: str = "", on: dt.date | None = None) -> pd.DataFrame:
    """Reserve or allocate *points*; refused (and nothing written) if a rule is broken."""
    pool = store.read_layer(schema.POOL_AREAS)
    interventions = store.read_layer(schema.INTERVENTIONS)
    ags = _intervention_ags(interventions, intervention_id)
    require_edit_municipality(user, ags, "Wertpunkte buchen")

    def plan(current: pd.DataFrame, history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = ledger.plan_booking(pool, interventions, current, pool_id=pool_id,
                                   intervention_id=intervention_id, points=points, kind=kind,
                                   user=user.username, on=on, notes=notes)
        verb = "reserviert" if kind == "reserviert" else "zugeordnet"
        return rows, _history(user, ags, history, rows,
                              f"{fmt.points(points)} von {pool_id} für {intervention_id} {verb}")

    return store.transact_pool(plan)[0]


def _entry_intervention(current: pd.DataFrame, allocation_id: str) -> str:
    rows = current.loc[current["allocation_id"] == allocation_id, "intervention_id"]
    if rows.empty:
        raise BookingError(f"Die Buchung „{allocation_id}“ gibt es nicht.")
    return str(rows.iloc[0])


def cancel(store: Store, user: User, *, allocation_id: str, notes: str = "",
           on: dt.date | None = None) -> pd.DataFrame:
    """Cancel a booking by a reversing entry."""
    interventions = store.read_layer(schema.INTERVENTIONS)

    def plan(current: pd.DataFrame, history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        ags = _intervention_ags(interventions, _entry_intervention(current, allocation_id))
        require_edit_municipality(user, ags, "Buchung stornieren")
        rows = ledger.plan_cancel(current, allocation_id=allocation_id, user=user.username, on=on, notes=notes)
        return rows, _history(user, ags, history, rows, f"Storno von {allocation_id}")

    return store.transact_pool(plan)[0]


def confirm(store: Store, user: User, *, allocation_id: str, notes: str = "",
            on: dt.date | None = None) -> pd.DataFrame:
    """Turn a reservation into an allocation (intervention must be approved, area not withdrawn)."""
    pool = store.read_layer(schema.POOL_AREAS)
    interventions = store.read_layer(schema.INTERVENTIONS)

    def plan(current: pd.DataFrame, history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        ags = _intervention_ags(interventions, _entry_intervention(current, allocation_id))
        require_edit_municipality(user, ags, "Reservierung zuordnen")
        rows = ledger.plan_confirm(pool, interventions, current, allocation_id=allocation_id,
                                   user=user.username, on=on, notes=notes)
        return rows, _history(user, ags, history, rows, f"Reservierung {allocation_id} zugeordnet")

    return store.transact_pool(plan)[0]
