"""What the page "Eingriffe & Zuordnung" shows, as pure functions over the enriched view.

Filtering the intervention list, one intervention's journal (every ledger entry, with
reversals), the bookings a user can act on, and German display tables. Figures come
from :mod:`geo.accounting.ledger` through :func:`geo.accounting.summary.pool_view`; nothing is re-summed here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from geo import fmt, schema
from geo.accounting import ledger, valuation
from geo.accounting.summary import PoolView
from geo.accounting.valuation import ValuationTable
from geo.display.monitoring import flags
from geo.display.tables import Column, columns, german_table, points_both
from geo.errors import BookingError
from geo.map import mapfilter
from geo.map.selection import INTERVENTION_TABLE
from geo.monitoring.status import FLAG_COLUMN, FLAG_MARK

_TYPED_NUMBER = re.compile(r"[\d.,\s\u00a0]+")  # digits, German separators, spaces: no "1e5", "1_000", "0x10"


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


def facts(row: pd.Series, tables: Mapping[str, ValuationTable] | None = None) -> list[str]:
    """Short German facts about one intervention for a caption line (biotopes named with *tables*)."""
    parts = [fmt.text(row["municipality"]), fmt.text(row["kind"]), f"Status „{fmt.text(row['status'])}“"]
    if pd.notna(row["approval_date"]):
        parts.append(f"genehmigt am {fmt.date(row['approval_date'])}")
    before, after = (valuation.biotope_label(row[c], row["ags"], tables) for c in ("biotope_before", "biotope_after"))
    parts.append(f"Biotop vorher {before}, nachher {after}")
    return parts


_MAP_TABLE = {c.name: c for c in INTERVENTION_TABLE}
LIST_COLUMNS: tuple[Column, ...] = (
    *(_MAP_TABLE[name] for name in ("intervention_id", "name", "municipality", "kind", "status")),
    Column("coverage_text", schema.label("coverage"), "text"),
    Column("demand_points", "Bedarf (WP)", "points"),
    Column("covered_points", schema.label("booked_points"), "points"),
    Column("open_points", "Offen (WP)", "points"),
    Column("flag", "Hinweis", "text"),
)
"""The map's intervention table (:data:`geo.map.selection.INTERVENTION_TABLE`) with the coverage
share, the booked points and monitoring flags; short headers, so every column fits at 1440 px."""


def monitoring_warning(intervention: pd.Series) -> str | None:
    """What the intervention's bookings rest on, if an area is defective or not implemented; None otherwise."""
    flag = str(intervention.get(FLAG_COLUMN) or "")
    if not flag:
        return None
    return (f"{FLAG_MARK} Wertpunkte dieses Eingriffs stammen von Flächen mit Mängeln oder ohne Umsetzung: {flag}. "
            "Umsetzungsstand, Kontrollen und Fotos stehen auf der Seite „Monitoring“.")


def list_table(interventions: pd.DataFrame) -> pd.DataFrame:
    """The intervention list: coverage, demand, booked and remaining demand, formatted."""
    coverage = [f"{state} ({fmt.percent(share)})"  # "teilweise (35 %)"
                for state, share in zip(interventions["coverage"], interventions["coverage_share"], strict=True)]
    flagged = flags(interventions)
    shown = LIST_COLUMNS if flagged.astype(bool).any() else LIST_COLUMNS[:-1]  # the flag column only when needed
    return german_table(interventions.assign(coverage_text=coverage, flag=flagged), shown)


def journal(view: PoolView, intervention_id: str) -> pd.DataFrame:
    """Every ledger entry of *intervention_id* in booking order, with ``state``.

    ``state`` is ``aktiv`` (counts), ``storniert`` (a later entry reverses it) or ``Storno``
    (the reversing entry itself). Adds the pool area's ``pool_name`` and ``municipality``, and
    ``region_note`` (``anderer Naturraum: …`` where the area lies in another natural region).
    """
    entries = view.allocations[view.allocations["intervention_id"] == intervention_id].copy()
    reversed_ids = set(view.allocations["reverses"].dropna())
    entries["state"] = [
        "Storno" if points < 0 else ("storniert" if allocation_id in reversed_ids else "aktiv")
        for allocation_id, points in zip(entries["allocation_id"], entries["points"], strict=True)]
    pool = view.pool_areas[view.pool_areas["pool_id"].isin(entries["pool_id"])].set_index("pool_id")  # only booked
    entries["pool_name"] = entries["pool_id"].map(pool["name"])
    entries["municipality"] = entries["pool_id"].map(pool["municipality"])
    region = entries["pool_id"].map(pool["natural_region"])
    home = view.interventions.set_index("intervention_id")["natural_region"].get(intervention_id)
    other = region.notna() & pd.notna(home) & (region != home)
    entries["region_note"] = ("anderer Naturraum: " + region.astype(str)).where(other, "")
    entries["flag"] = entries["pool_id"].map(flags(pool)).fillna("")
    entries["_at"] = fmt.instants(entries["created_at"])
    return entries.sort_values(["_at", "allocation_id"], kind="stable").drop(columns="_at").reset_index(drop=True)


def _booking_label(name: str) -> str:
    return schema.label(name, schema.ALLOCATIONS)


JOURNAL_COLUMNS = columns(
    ("allocation_id", _booking_label("allocation_id"), "text"), ("pool_id", _booking_label("pool_id"), "text"),
    ("pool_name", "Flurname", "text"), ("municipality", "Gemeinde der Fläche", "text"),
    ("kind", _booking_label("kind"), "text"), ("points", _booking_label("points"), "wp"), ("state", "Stand", "text"),
    ("region_note", "Naturraum", "text"),
    ("date", _booking_label("date"), "date"), ("booked_by", _booking_label("booked_by"), "text"),
    ("notes", _booking_label("notes"), "text"), ("flag", "Monitoring der Fläche", "text"))


def journal_table(entries: pd.DataFrame) -> pd.DataFrame:
    return german_table(entries, JOURNAL_COLUMNS)


def active_bookings(entries: pd.DataFrame) -> pd.DataFrame:
    """The ``aktiv`` rows of a :func:`journal`: the ones that can be cancelled or confirmed."""
    return entries[entries["state"] == "aktiv"]


def booking_label(entry: pd.Series) -> str:
    """``B-2026-00012: 12.345 WP reserviert von BEN-2019-003 (Bennewitz)``."""
    return (f"{entry['allocation_id']}: {fmt.points(entry['points'])} {entry['kind']} von {entry['pool_id']} "
            f"({fmt.text(entry['municipality'])})")


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

    Raises :class:`BookingError` (German) for anything else, e.g. ``1.500,5`` or ``1e5``.
    """
    points = mapfilter.parse_points(raw) if _TYPED_NUMBER.fullmatch(raw) else None
    if points is None or points <= 0 or not points.is_integer():
        raise BookingError(f"„{raw}“ ist keine positive ganze Zahl von Wertpunkten. Bitte z. B. 12.500 eingeben.")
    return points


CANDIDATE_COLUMNS = columns(
    ("rank", "Rang", "count"), ("pool_id", schema.label("pool_id", schema.POOL_AREAS), "text"),
    ("free_text", "Frei", "text"), ("reason", "Warum diese Fläche", "text"), ("flag", "Monitoring", "text"),
    ("name", schema.label("name", schema.POOL_AREAS), "text"),
    ("measure_type", schema.label("measure_type", schema.POOL_AREAS), "text"))
"""The key columns first: on a phone the free points, the reason and a monitoring flag are on screen, the rest
beside."""


def candidate_table(candidates: pd.DataFrame) -> pd.DataFrame:
    """:func:`geo.accounting.candidates.rank`'s result for display (free points in the own model and,
    where it differs, the agreed one)."""
    free = [points_both(row, "free_points") for _, row in candidates.iterrows()]
    return german_table(candidates.assign(free_text=free, flag=flags(candidates)), CANDIDATE_COLUMNS)


def candidate_label(candidate: pd.Series) -> str:
    """``3. BEN-2019-003 · Bennewitz · 512.000 WP frei`` (`` · ⚠ Mängel`` for a flagged area)."""
    flag = flags(candidate.to_frame().T).iloc[0]
    return (f"{candidate['rank']}. {candidate['pool_id']} · {candidate['municipality']} · "
            f"{points_both(candidate, 'free_points')} frei{' · ' + flag if flag else ''}")


def covers(points: float, pool_id: str, candidates: pd.DataFrame, intervention: pd.Series) -> float:
    """How many of *intervention*'s own points *points* of the candidate *pool_id* cover (across a
    border counted in the agreed model, :func:`geo.accounting.ledger.cover_points`)."""
    entry = pd.DataFrame({"pool_id": [pool_id], "intervention_id": [intervention["intervention_id"]],
                          "points": [points]})
    return float(ledger.cover_points(entry, candidates, intervention.to_frame().T).iloc[0])


_VERBS = {"reserviert": "reservieren", "zugeordnet": "zuordnen"}


def default_kind(kinds: tuple[ledger.BookingKind, ...]) -> int:
    """Index of the preselected booking kind: an approved intervention is allocated, not reserved."""
    return kinds.index("zugeordnet") if "zugeordnet" in kinds else 0


def booking_preview(*, points: float, kind: str, pool_id: str, intervention_id: str, free_points: float,
                    covered: float | None = None) -> str:
    """What a booking will do: ``12.500 WP von Fläche WUR-… für Eingriff BPL-… reservieren; jetzt frei:
    15.500 WP, danach frei: 3.000 WP``, and, when the points cover the intervention differently
    (*covered*, across a border in the agreed model), how many of its points they cover."""
    text = (f"{fmt.points(points)} von Fläche {pool_id} für Eingriff {intervention_id} {_VERBS[kind]}; "
            f"jetzt frei: {fmt.points(free_points)}, danach frei: {fmt.points(free_points - points)}.")
    if covered is not None and round(covered) != round(points):
        text += (f" Über die Gemeindegrenze zählt das gemeinsame Bewertungsmodell: die {fmt.points(points)} der "
                 f"Fläche decken {fmt.points(covered)} des Eingriffs.")
    return text


def cancel_preview(entry: pd.Series, free_points: float) -> str:
    """What cancelling *entry* (a :func:`journal` row) will do, with the area's free points afterwards."""
    what = "Reservierung" if entry["kind"] == "reserviert" else "Zuordnung"
    return (f"{what} {entry['allocation_id']} stornieren: {fmt.points(entry['points'])} gehen an Fläche "
            f"{entry['pool_id']} zurück (Gegenbuchung im Journal); jetzt frei: {fmt.points(free_points)}, "
            f"danach frei: {fmt.points(free_points + entry['points'])}.")


def confirm_preview(entry: pd.Series) -> str:
    """What turning the reservation *entry* into an allocation will do."""
    return (f"Reservierung {entry['allocation_id']} ({fmt.points(entry['points'])} von Fläche {entry['pool_id']}) "
            f"für Eingriff {entry['intervention_id']} zuordnen: Storno der Reservierung und eine neue Zuordnung "
            "über dieselben Punkte; die freien Punkte der Fläche bleiben gleich.")


def obvious_refusal(*, points: float, pool_id: str, free_points: float, intervention: pd.Series,
                    covered: float | None = None) -> str | None:
    """Why the ledger would refuse booking *points* (too many for the area or the demand, which they
    cover as *covered* points where that differs: across a border in the agreed model), before asking
    for a confirmation; ``None`` if it may go ahead (the ledger still checks everything when booking)."""
    if points > free_points + ledger.EPS:
        return (f"Die Poolfläche {pool_id} hat nur noch {fmt.points(free_points)} frei; "
                f"{fmt.points(points)} würden sie überziehen.")
    still_open = float(intervention["open_points"] - intervention["requested_points"])
    if (points if covered is None else covered) > still_open + ledger.EPS:
        return (f"Der Eingriff {intervention['intervention_id']} braucht nur noch {fmt.points(max(still_open, 0.0))}; "
                f"{fmt.points(points)} wären zu viel.")
    return None
