"""Requests across borders through the store: ask, approve, decline, withdraw — each one transaction.

Each action hands the store a plan that decides on the state read *inside* the store's
lock or transaction (:mod:`geo.accounting.requests` holds the rules and the permission
checks). The plan returns the request event, its history row, the outbox row that tells
the other party and, for an approval, the ledger entry: all of it is written together or
not at all. Two approvals racing for an area's last points are serialised by the store, so
the second one sees the first one's entry and is refused.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User
from geo.accounting import ledger, prices, requests, valuation
from geo.config import DEFAULT_REQUEST_DAYS, ValuationModels
from geo.schema import PoolData
from geo.store import Change, Store, history_entry


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or fmt.now()).replace(microsecond=0)


def _change(event: pd.DataFrame, note: str, *, booked: pd.DataFrame | None = None) -> Change:
    """The event with its notification and history row (a booking change if it booked *booked*)."""
    row = event.iloc[0]
    at = dt.datetime.fromisoformat(str(row["at"]))
    ags = row["from_ags"] if row["event"] in ("gestellt", "zurückgezogen") else row["to_ags"]
    if booked is None:
        history = history_entry(user=str(row["user"]), ags=str(ags), layer=schema.REQUEST_EVENTS, action="request",
                                notes=note, at=at)
        return Change(ledger.empty_ledger(), history, event, requests.notification(event))
    history = history_entry(user=str(row["user"]), ags=str(ags), layer=schema.ALLOCATIONS, action="booking",
                            added=len(booked), notes=note, at=at)
    return Change(booked, history, event, requests.notification(event))


def ask(store: Store, user: User | None, *, intervention_id: str, pool_id: str, points: float,
        kind: ledger.BookingKind, message: str = "", days: int = DEFAULT_REQUEST_DAYS,
        now: dt.datetime | None = None, models: ValuationModels | None = None) -> Change:
    """Request *points* (the area's own points) of another municipality's *pool_id* for
    *intervention_id*; they cover it in the agreed model of *models*. Returns the stored rows."""
    at = _now(now)

    def plan(stored: PoolData) -> Change:
        state = valuation.valued(stored, models)
        event = requests.plan_request(state.pool_areas, state.interventions, state.allocations, state.requests,
                                      user=user, intervention_id=intervention_id, pool_id=pool_id, points=points,
                                      kind=kind, message=message, now=at, days=days)
        request_id = event["request_id"].iloc[0]
        return _change(event, f"Anfrage {request_id}: {fmt.points(points)} von {pool_id} für {intervention_id}")

    return store.transact(plan)


def approve(store: Store, user: User | None, *, request_id: str, points: float | None = None,
            condition: str = "", now: dt.datetime | None = None, models: ValuationModels | None = None) -> Change:
    """Consent to *request_id* (for *points* ≤ asked, with a *condition*): event and ledger entry in one change
    (counted for the intervention in the agreed model of *models*)."""
    at = _now(now)

    def plan(stored: PoolData) -> Change:
        state = valuation.valued(stored, models)
        event, rows = requests.plan_approval(state.pool_areas, state.interventions, state.allocations,
                                             state.requests, user=user, request_id=request_id, now=at, points=points,
                                             condition=condition)
        rows = prices.priced(rows, state)
        row = rows.iloc[0]
        note = (f"Zusage zu Anfrage {request_id}: {fmt.points(row['points'])} von {row['pool_id']} für "
                f"{row['intervention_id']} {row['kind']}")
        return _change(event, note, booked=rows)

    return store.transact(plan)


def decline(store: Store, user: User | None, *, request_id: str, reason: str,
            now: dt.datetime | None = None) -> Change:
    """Refuse *request_id*, giving the *reason*; returns the stored rows."""
    at = _now(now)

    def plan(state: PoolData) -> Change:
        event = requests.plan_decline(state.requests, user=user, request_id=request_id, now=at, reason=reason)
        return _change(event, f"Anfrage {request_id} abgelehnt: {reason.strip()}")

    return store.transact(plan)


def withdraw(store: Store, user: User | None, *, request_id: str, reason: str = "",
             now: dt.datetime | None = None) -> Change:
    """Take back one's own open request; returns the stored rows."""
    at = _now(now)

    def plan(state: PoolData) -> Change:
        event = requests.plan_withdrawal(state.requests, user=user, request_id=request_id, now=at, reason=reason)
        return _change(event, f"Anfrage {request_id} zurückgezogen")

    return store.transact(plan)
