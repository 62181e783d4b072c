"""The shared ledger: free points, coverage, balances and booking rules.

Pure functions over frames; :mod:`geo.accounting.booking` wraps them in a store transaction.
The ledger is append-only. Every entry books ``points`` of one pool area for one
intervention as ``reserviert`` or ``zugeordnet``; a cancellation is a reversing entry
(same kind, negative points, ``reverses`` names the cancelled entry). Reserved and
allocated points both leave an area's free points and both cover demand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from geo import fmt, schema
from geo.errors import BookingError

EPS = 1e-6
BookingKind = Literal["reserviert", "zugeordnet"]
BOOKABLE_POOL_STATUS = ("verfügbar", "reserviert", "zugeordnet")
RESERVABLE_INTERVENTION_STATUS = ("geplant", "im Verfahren", "genehmigt")
ALLOCATABLE_INTERVENTION_STATUS = ("genehmigt", "umgesetzt")

FrameT = TypeVar("FrameT", bound=pd.DataFrame)


def empty_ledger() -> pd.DataFrame:
    """An empty allocations table with the schema's columns and dtypes."""
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in schema.field_names(schema.ALLOCATIONS)})
    return frame.astype({"points": float})


def _sum_by(ledger: pd.DataFrame, key: str, kind: str | None = None) -> pd.Series:
    rows = ledger if kind is None else ledger[ledger["kind"] == kind]
    return rows.groupby(key)["points"].sum()


def no_pending() -> pd.DataFrame:
    """No open requests: the *pending* argument's empty form (columns pool_id, intervention_id, points)."""
    return pd.DataFrame({"pool_id": pd.Series(dtype=object), "intervention_id": pd.Series(dtype=object),
                         "points": pd.Series(dtype=float)})


def enrich_pool(pool: FrameT, ledger: pd.DataFrame, pending: pd.DataFrame | None = None) -> FrameT:
    """Pool areas with booked/reserved/allocated/requested/free points and the ledger's status.

    ``unbooked_points`` is what the ledger leaves of an area's value points;
    ``requested_points`` the part of it under open requests of other municipalities
    (*pending*: one row per open request, see :func:`geo.accounting.requests.pending`);
    ``free_points`` what is left to book now: unbooked minus requested, and 0 for areas that
    are ``geplant`` (measure not begun) or ``gesperrt`` (withdrawn). The stored ``status`` is
    only trusted for those two; the other states follow the ledger: nothing unbooked
    left → ``zugeordnet``, or ``reserviert`` while any of the booked points are only
    reserved.
    """
    out = pool.copy()
    ids = out["pool_id"]
    pending = no_pending() if pending is None else pending
    out["reserved_points"] = ids.map(_sum_by(ledger, "pool_id", "reserviert")).fillna(0.0)
    out["allocated_points"] = ids.map(_sum_by(ledger, "pool_id", "zugeordnet")).fillna(0.0)
    out["booked_points"] = out["reserved_points"] + out["allocated_points"]
    out["unbooked_points"] = (out["value_points"].fillna(0.0) - out["booked_points"]).clip(lower=0.0)
    out["requested_points"] = ids.map(_sum_by(pending, "pool_id")).fillna(0.0)
    out["status"] = derived_status(out["status"], out["unbooked_points"], out["reserved_points"])
    left = (out["unbooked_points"] - out["requested_points"]).clip(lower=0.0)
    out["free_points"] = left.where(out["status"].isin(BOOKABLE_POOL_STATUS), 0.0)
    return out


def derived_status(stored: pd.Series, unbooked: pd.Series, reserved: pd.Series) -> pd.Series:
    """Pool-area status as the ledger says it is (see :func:`enrich_pool`)."""
    by_ledger = np.where(unbooked > EPS, "verfügbar", np.where(reserved > EPS, "reserviert", "zugeordnet"))
    keep = stored.isin(["geplant", "gesperrt"])
    return pd.Series(np.where(keep, stored, by_ledger), index=stored.index, name="status")


AGREED_FACTOR = "agreed_factor"
"""Column of pool areas and interventions valued by :func:`geo.accounting.valuation.with_models`."""


def cover_points(entries: pd.DataFrame, pool: pd.DataFrame | None, interventions: pd.DataFrame) -> pd.Series:
    """Per entry (ledger rows or requests: ``pool_id``, ``intervention_id``, ``points``): the points it
    covers of its intervention's demand, in the intervention's own model.

    ``points`` are always the pool area's own points (the ledger never books more than an area's
    ``value_points``). Within one municipality they cover as many points. Across a border the
    booking counts in the partners' agreed model: the area's points are worth ``points ×
    agreed_factor`` there, and cover that many agreed-model points of the intervention's demand,
    which are ``÷ agreed_factor`` of the intervention in its own model. Frames without
    ``agreed_factor`` (not valued under the models) count 1:1.
    """
    points = entries["points"].astype(float)
    if pool is None or AGREED_FACTOR not in pool.columns or AGREED_FACTOR not in interventions.columns:
        return points
    areas = pool.drop_duplicates("pool_id").set_index("pool_id")
    targets = interventions.drop_duplicates("intervention_id").set_index("intervention_id")
    area_ags, target_ags = entries["pool_id"].map(areas["ags"]), entries["intervention_id"].map(targets["ags"])
    ratio = (entries["pool_id"].map(areas[AGREED_FACTOR]) / entries["intervention_id"].map(targets[AGREED_FACTOR]))
    across = area_ags.notna() & target_ags.notna() & (area_ags != target_ags)
    return points * ratio.where(across, 1.0).fillna(1.0)


def _covered(entries: pd.DataFrame, pool: pd.DataFrame | None, interventions: pd.DataFrame) -> pd.DataFrame:
    return entries.assign(points=cover_points(entries, pool, interventions))


def enrich_interventions(interventions: FrameT, ledger: pd.DataFrame, pending: pd.DataFrame | None = None,
                         pool: pd.DataFrame | None = None) -> FrameT:
    """Interventions with reserved/allocated/covered/open points, coverage state and the
    points under open requests (``requested_points``, part of ``open_points``).

    With the valued *pool* (see :func:`cover_points`) entries across borders count in the agreed model.
    """
    out = interventions.copy()
    ids = out["intervention_id"]
    pending = no_pending() if pending is None else pending
    ledger, pending = _covered(ledger, pool, interventions), _covered(pending, pool, interventions)
    out["requested_points"] = ids.map(_sum_by(pending, "intervention_id")).fillna(0.0)
    out["reserved_points"] = ids.map(_sum_by(ledger, "intervention_id", "reserviert")).fillna(0.0)
    out["allocated_points"] = ids.map(_sum_by(ledger, "intervention_id", "zugeordnet")).fillna(0.0)
    out["covered_points"] = out["reserved_points"] + out["allocated_points"]
    demand = out["demand_points"].fillna(0.0)
    out["open_points"] = (demand - out["covered_points"]).clip(lower=0.0)
    share = (out["covered_points"] / demand.where(demand > 0)).clip(upper=1.0)
    out["coverage_share"] = share.where(demand > 0, 1.0)
    out["coverage"] = np.select(
        [out["open_points"] <= 0.5, out["covered_points"] > EPS], ["gedeckt", "teilweise"], "offen")
    return out


# --- booking rules --------------------------------------------------------------------

def _next_id(ledger: pd.DataFrame, on: dt.date) -> str:
    prefix = f"B-{on.year}-"
    numbers = ledger["allocation_id"].astype(str).str.extract(r"-(\d+)$")[0].dropna().astype(int)
    return f"{prefix}{(numbers.max() + 1) if len(numbers) else 1:05d}"


def _entry(ledger: pd.DataFrame, *, intervention_id: str, pool_id: str, kind: str,
           points: float, user: str, on: dt.date, notes: str = "",
           reverses: str | None = None, allocation_id: str | None = None) -> dict[str, Any]:
    return {
        "allocation_id": allocation_id or _next_id(ledger, on),
        "intervention_id": intervention_id, "pool_id": pool_id, "kind": kind,
        "points": float(points), "date": on.isoformat(), "booked_by": user, "notes": notes,
        "reverses": reverses, "created_at": fmt.iso(),
    }


def _append(ledger: pd.DataFrame, entries: list[dict[str, Any]]) -> pd.DataFrame:
    new = pd.DataFrame(entries, columns=schema.field_names(schema.ALLOCATIONS))
    return new.astype({"points": float})


def _one(frame: pd.DataFrame, key: str, value: str, what: str) -> pd.Series:
    rows = frame[frame[key] == value]
    if rows.empty:
        raise BookingError(f"{what} „{value}“ gibt es nicht.")
    return rows.iloc[0]


def check_booking(pool: pd.DataFrame, interventions: pd.DataFrame, ledger: pd.DataFrame, *,
                  pool_id: str, intervention_id: str, points: float, kind: str,
                  pending: pd.DataFrame | None = None) -> None:
    """Raise :class:`BookingError` (German) unless *points* of *pool_id* may be booked for *intervention_id*.

    Refused when the booking would overdraw the area (its points under the open requests
    *pending* count as taken), exceed the intervention's open demand (less what it has asked
    for in *pending*), or the states do not allow it.
    """
    if kind not in schema.ALLOCATION_KINDS:
        raise BookingError(f"Unbekannte Buchungsart „{kind}“.")
    if not np.isfinite(points) or points <= 0:
        raise BookingError("Bitte eine positive Zahl von Wertpunkten angeben.")
    area = _one(enrich_pool(pool, ledger, pending), "pool_id", pool_id, "Die Poolfläche")
    target = _one(enrich_interventions(interventions, ledger, pending, pool), "intervention_id", intervention_id,
                  "Den Eingriff")
    if area["status"] not in BOOKABLE_POOL_STATUS:
        raise BookingError(
            f"Die Poolfläche {pool_id} ist „{area['status']}“: von ihr kann nicht gebucht werden.")
    allowed = RESERVABLE_INTERVENTION_STATUS if kind == "reserviert" else ALLOCATABLE_INTERVENTION_STATUS
    if target["status"] not in allowed:
        verb = "reserviert" if kind == "reserviert" else "zugeordnet"
        raise BookingError(
            f"Für den Eingriff {intervention_id} (Status „{target['status']}“) können keine Punkte "
            f"{verb} werden; erlaubt bei: {', '.join(allowed)}.")
    if points > area["free_points"] + EPS:
        asked = (f" ({fmt.points(area['requested_points'])} sind angefragt)"
                 if area["requested_points"] > EPS else "")
        raise BookingError(
            f"Die Poolfläche {pool_id} hat nur noch {fmt.points(area['free_points'])} frei{asked}; "
            f"{fmt.points(points)} würden sie überziehen.")
    still_open = target["open_points"] - target["requested_points"]
    entry = pd.DataFrame({"pool_id": [pool_id], "intervention_id": [intervention_id], "points": [points]})
    covers = float(cover_points(entry, pool, interventions).iloc[0])
    if covers > still_open + EPS:
        asked = (f" (weitere {fmt.points(target['requested_points'])} sind angefragt)"
                 if target["requested_points"] > EPS else "")
        counted = ("" if abs(covers - points) <= EPS
                   else f" (über die Gemeindegrenze im gemeinsamen Modell: {fmt.points(covers)} des Eingriffs)")
        raise BookingError(
            f"Der Eingriff {intervention_id} braucht nur noch {fmt.points(max(still_open, 0.0))}{asked}; "
            f"{fmt.points(points)}{counted} wären zu viel.")


def plan_booking(pool: pd.DataFrame, interventions: pd.DataFrame, ledger: pd.DataFrame, *,
                 pool_id: str, intervention_id: str, points: float, kind: BookingKind,
                 user: str, on: dt.date | None = None, notes: str = "",
                 pending: pd.DataFrame | None = None) -> pd.DataFrame:
    """New ledger rows for booking *points* of *pool_id* for *intervention_id*.

    Raises :class:`BookingError` (German) when :func:`check_booking` refuses. Nothing is
    changed here; the caller appends the returned rows.
    """
    on = on or fmt.today()
    check_booking(pool, interventions, ledger, pool_id=pool_id, intervention_id=intervention_id, points=points,
                  kind=kind, pending=pending)
    return _append(ledger, [_entry(ledger, intervention_id=intervention_id, pool_id=pool_id, kind=kind,
                                   points=points, user=user, on=on, notes=notes)])


def active_entries(ledger: pd.DataFrame) -> pd.DataFrame:
    """Positive entries that no later entry reverses."""
    reversed_ids = set(ledger["reverses"].dropna())
    return ledger[(ledger["points"] > 0) & ~ledger["allocation_id"].isin(reversed_ids)]


def _active(ledger: pd.DataFrame, allocation_id: str) -> pd.Series:
    entry = _one(ledger, "allocation_id", allocation_id, "Die Buchung")
    if entry["points"] <= 0:
        raise BookingError(f"{allocation_id} ist selbst eine Stornobuchung.")
    if allocation_id in set(ledger["reverses"].dropna()):
        raise BookingError(f"Die Buchung {allocation_id} ist bereits storniert.")
    return entry


def plan_cancel(ledger: pd.DataFrame, *, allocation_id: str, user: str,
                on: dt.date | None = None, notes: str = "") -> pd.DataFrame:
    """The reversing entry that cancels *allocation_id*."""
    on = on or fmt.today()
    entry = _active(ledger, allocation_id)
    return _append(ledger, [_entry(
        ledger, intervention_id=entry["intervention_id"], pool_id=entry["pool_id"], kind=entry["kind"],
        points=-entry["points"], user=user, on=on, notes=notes or f"Storno von {allocation_id}",
        reverses=allocation_id)])


def plan_confirm(pool: pd.DataFrame, interventions: pd.DataFrame, ledger: pd.DataFrame, *, allocation_id: str,
                 user: str, on: dt.date | None = None, notes: str = "") -> pd.DataFrame:
    """Turn a reservation into an allocation: a reversal plus a new ``zugeordnet`` entry.

    Refused when the intervention is not approved yet or the pool area has been
    withdrawn (``gesperrt``) or set back to ``geplant`` since the reservation.
    """
    on = on or fmt.today()
    entry = _active(ledger, allocation_id)
    if entry["kind"] != "reserviert":
        raise BookingError(f"Die Buchung {allocation_id} ist keine Reservierung.")
    area = _one(pool, "pool_id", entry["pool_id"], "Die Poolfläche")
    if area["status"] in ("geplant", "gesperrt"):
        raise BookingError(
            f"Die Poolfläche {area['pool_id']} ist „{area['status']}“: die Reservierung kann nicht "
            "zugeordnet, nur storniert werden.")
    target = _one(interventions, "intervention_id", entry["intervention_id"], "Den Eingriff")
    if target["status"] not in ALLOCATABLE_INTERVENTION_STATUS:
        raise BookingError(
            f"Der Eingriff {target['intervention_id']} ist noch nicht genehmigt "
            f"(Status „{target['status']}“): die Reservierung kann noch nicht zugeordnet werden.")
    reversal = _entry(ledger, intervention_id=entry["intervention_id"], pool_id=entry["pool_id"],
                      kind="reserviert", points=-entry["points"], user=user, on=on,
                      notes="Umbuchung in Zuordnung", reverses=allocation_id)
    after = pd.concat([ledger, _append(ledger, [reversal])], ignore_index=True)
    allocation = _entry(after, intervention_id=entry["intervention_id"], pool_id=entry["pool_id"],
                        kind="zugeordnet", points=entry["points"], user=user, on=on,
                        notes=notes or f"aus Reservierung {allocation_id}")
    return _append(ledger, [reversal, allocation])
