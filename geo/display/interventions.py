"""What the page "Eingriffe & Zuordnung" shows, as pure functions over the enriched view.

Filtering the intervention list, one intervention's journal (every ledger entry, with
reversals), the bookings a user can act on, and German display tables. Figures come
from :mod:`geo.accounting.ledger` through :func:`geo.accounting.summary.pool_view`; nothing is re-summed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import fmt, schema
from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.display import present
from geo.errors import BookingError
from geo.map import mapfilter
from geo.map.selection import INTERVENTION_TABLE

ENTRY_STATES = ("aktiv", "storniert", "Storno")


@dataclass(frozen=True)
class InterventionFilter:
    """Which interventions the list shows. Empty tuples mean "all"."""

    municipalities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    coverage: tuple[str, ...] = ()


def apply(interventions: pd.DataFrame, flt: InterventionFilter) -> pd.DataFrame:
    """The enriched *interventions* that pass *flt*, in the order given."""
    keep = pd.Series(True, index=interventions.index)
    for column, wanted in (("ags", flt.municipalities), ("kind", flt.kinds), ("status", flt.status),
                           ("coverage", flt.coverage)):
        if wanted:
            keep &= interventions[column].isin(wanted)
    return interventions[keep]


def one(interventions: pd.DataFrame, intervention_id: str) -> pd.Series:
    """The enriched row of *intervention_id*; :class:`BookingError` when it does not exist."""
    rows = interventions[interventions["intervention_id"] == intervention_id]
    if rows.empty:
        raise BookingError(f"Den Eingriff „{intervention_id}“ gibt es nicht (mehr).")
    return rows.iloc[0]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def coverage_text(row: pd.Series) -> str:
    """``teilweise (35 %)``: coverage state and share."""
    return f"{row['coverage']} ({fmt.percent(row['coverage_share'])})"


def facts(row: pd.Series) -> list[str]:
    """Short German facts about one intervention for a caption line."""
    parts = [_text(row["municipality"]), _text(row["kind"]), f"Status „{_text(row['status'])}“"]
    if pd.notna(row["approval_date"]):
        parts.append(f"genehmigt am {fmt.date(row['approval_date'])}")
    parts.append(f"Biotop vorher {_text(row['biotope_before'])}, nachher {_text(row['biotope_after'])}")
    return parts


LIST_COLUMNS: dict[str, tuple[str, object]] = {
    **{k: v for k, v in INTERVENTION_TABLE.items() if k not in ("open_points", "coverage")},
    "covered_points": (schema.label("booked_points"), lambda v: fmt.number(round(v))),
    "open_points": INTERVENTION_TABLE["open_points"],
}
"""The map's intervention table (:data:`geo.map.selection.INTERVENTION_TABLE`) plus the booked points."""


def list_table(interventions: pd.DataFrame) -> pd.DataFrame:
    """The intervention list: coverage, demand, booked and remaining demand, formatted."""
    out = present.german_table(interventions, LIST_COLUMNS)
    out.insert(list(LIST_COLUMNS).index("status") + 1, schema.label("coverage"),
               [coverage_text(row) for _, row in interventions.iterrows()])
    return out


def journal(view: PoolView, intervention_id: str) -> pd.DataFrame:
    """Every ledger entry of *intervention_id* in booking order, with ``state``.

    ``state`` is ``aktiv`` (counts), ``storniert`` (a later entry reverses it) or ``Storno``
    (the reversing entry itself). Adds the pool area's ``pool_name`` and ``municipality``.
    """
    entries = view.allocations[view.allocations["intervention_id"] == intervention_id].copy()
    reversed_ids = set(view.allocations["reverses"].dropna())
    entries["state"] = [
        "Storno" if points < 0 else ("storniert" if allocation_id in reversed_ids else "aktiv")
        for allocation_id, points in zip(entries["allocation_id"], entries["points"], strict=True)]
    pool = view.pool_areas.set_index("pool_id")
    entries["pool_name"] = entries["pool_id"].map(pool["name"])
    entries["municipality"] = entries["pool_id"].map(pool["municipality"])
    return entries.sort_values(["created_at", "allocation_id"], kind="stable").reset_index(drop=True)


JOURNAL_COLUMNS: dict[str, tuple[str, object]] = {
    "allocation_id": (schema.label("allocation_id", schema.ALLOCATIONS), _text),
    "pool_id": (schema.label("pool_id", schema.ALLOCATIONS), _text),
    "pool_name": ("Flurname", _text),
    "municipality": ("Gemeinde der Fläche", _text),
    "kind": (schema.label("kind", schema.ALLOCATIONS), _text),
    "points": (schema.label("points", schema.ALLOCATIONS), fmt.points),
    "state": ("Stand", _text),
    "date": (schema.label("date", schema.ALLOCATIONS), fmt.date),
    "booked_by": (schema.label("booked_by", schema.ALLOCATIONS), _text),
    "notes": (schema.label("notes", schema.ALLOCATIONS), _text),
}


def journal_table(entries: pd.DataFrame) -> pd.DataFrame:
    return present.german_table(entries, JOURNAL_COLUMNS)


def active_bookings(entries: pd.DataFrame) -> pd.DataFrame:
    """The ``aktiv`` rows of a :func:`journal`: the ones that can be cancelled or confirmed."""
    return entries[entries["state"] == "aktiv"]


def booking_label(entry: pd.Series) -> str:
    """``B-2026-00012: 12.345 WP reserviert von BEN-2019-003 (Bennewitz)``."""
    return (f"{entry['allocation_id']}: {fmt.points(entry['points'])} {entry['kind']} von {entry['pool_id']} "
            f"({_text(entry['municipality'])})")


def can_confirm(intervention: pd.Series) -> bool:
    """Reservations of *intervention* can become allocations (it is approved)."""
    return intervention["status"] in ledger.ALLOCATABLE_INTERVENTION_STATUS


def allowed_kinds(intervention: pd.Series) -> tuple[ledger.BookingKind, ...]:
    """Booking kinds the ledger accepts for *intervention*'s status."""
    kinds: list[ledger.BookingKind] = []
    if intervention["status"] in ledger.RESERVABLE_INTERVENTION_STATUS:
        kinds.append("reserviert")
    if can_confirm(intervention):
        kinds.append("zugeordnet")
    return tuple(kinds)


def booking_points(raw: str) -> float:
    """Value points as typed into the booking form (``12500``, ``12.500``): a whole number > 0.

    Raises :class:`BookingError` (German) for anything else, e.g. ``1.500,5``.
    """
    points = mapfilter.parse_points(raw)
    if points is None or points <= 0 or not points.is_integer():
        raise BookingError(f"„{raw}“ ist keine positive ganze Zahl von Wertpunkten. Bitte z. B. 12.500 eingeben.")
    return points


CANDIDATE_COLUMNS: dict[str, tuple[str, object]] = {
    "rank": ("Rang", lambda v: fmt.number(v)),
    "pool_id": (schema.label("pool_id", schema.POOL_AREAS), _text),
    "name": (schema.label("name", schema.POOL_AREAS), _text),
    "measure_type": (schema.label("measure_type", schema.POOL_AREAS), _text),
    "free_points": ("Frei", fmt.points),
    "reason": ("Warum diese Fläche", _text),
}


def candidate_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.accounting.candidates.rank`'s result for display."""
    return present.german_table(candidates, CANDIDATE_COLUMNS)


def candidate_label(candidate: pd.Series) -> str:
    """``3. BEN-2019-003 · Bennewitz · 512.000 WP frei``."""
    return (f"{candidate['rank']}. {candidate['pool_id']} · {candidate['municipality']} · "
            f"{fmt.points(candidate['free_points'])} frei")
