"""Documents for the approval file: the booking certificate with its verification code, and the
account statement of a pool area (Flächenkontoauszug).

The verification code is the start of the ledger row's hash (:mod:`geo.store.chain`), which
covers the row's content and, through the previous hash, every row before it. A code is
checked against the stored ledger (:func:`check_code`): it must name a row whose hash is
intact in the chain; a changed certificate (other points, area or date) would need a
different hash, so its code names no row. Pure functions over :class:`geo.schema.PoolData`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from geo import fmt, schema
from geo.accounting.valuation import ValuationTable
from geo.errors import BookingError
from geo.schema import PoolData
from geo.store import chain

CODE_DIGITS = 16
"""Hex digits of the hash in a verification code (64 bits): ``3F9A-C2D1-77E0-A1B2``."""


def verification_code(row_hash: str) -> str:
    """The code printed on a certificate for a ledger row with hash *row_hash*."""
    digits = row_hash[:CODE_DIGITS].upper()
    return "-".join(digits[i:i + 4] for i in range(0, CODE_DIGITS, 4))


@dataclass(frozen=True)
class Certificate:
    """What a booking certificate (Buchungsbestätigung) states about one allocation."""

    allocation_id: str
    kind: str
    date: str
    booked_by: str
    points: float
    price_eur: float | None
    intervention_id: str
    intervention_name: str
    intervention_ags: str
    pool_id: str
    pool_name: str
    pool_ags: str
    parcels: str
    model: str
    notes: str
    code: str

    @property
    def amount_eur(self) -> float | None:
        return None if self.price_eur is None else self.points * self.price_eur

    @property
    def cross_border(self) -> bool:
        return self.intervention_ags != self.pool_ags

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs in German, in the order the certificate prints them."""
        price = (f"{fmt.euro(self.price_eur)} je WP, zusammen {fmt.euro(self.amount_eur)}"
                 if self.price_eur is not None else
                 "keiner (Buchung innerhalb der Gemeinde)" if not self.cross_border else "kein Preis festgelegt")
        return [
            ("Buchung", f"{self.allocation_id} ({self.kind}) vom {fmt.date(self.date)}, gebucht von {self.booked_by}"),
            ("Eingriff (Ausgleichspflichtige Gemeinde)",
             f"{self.intervention_id} „{self.intervention_name}“, {schema.AGS_NAMES[self.intervention_ags]}"),
            ("Poolfläche (Gemeinde der Fläche)",
             f"{self.pool_id} „{self.pool_name}“, {schema.AGS_NAMES[self.pool_ags]}"),
            ("Flurstücke", self.parcels or "–"),
            ("Wertpunkte", fmt.points(self.points)),
            ("Bewertungsmodell", self.model),
            ("Preis", price),
            ("Bemerkung", self.notes or "–"),
            ("Prüfcode", self.code),
        ]


def _one(frame: pd.DataFrame, key: str, value: str) -> pd.Series | None:
    rows = frame[frame[key] == value]
    return None if rows.empty else rows.iloc[0]


def _model(ags: str, tables: Mapping[str, ValuationTable]) -> str:
    model = schema.municipality(ags).valuation_model
    table = tables.get(model)
    return f"{table.title} (Version {table.version}, {table.date})" if table else model


def certificate(data: PoolData, allocation_id: str, tables: Mapping[str, ValuationTable]) -> Certificate:
    """The certificate of the active allocation *allocation_id*; :class:`BookingError` (German) otherwise."""
    entry = _one(data.allocations, "allocation_id", allocation_id)
    if entry is None:
        raise BookingError(f"Die Buchung „{allocation_id}“ gibt es nicht.")
    if entry["points"] <= 0:
        raise BookingError(f"{allocation_id} ist eine Stornobuchung; bestätigt werden Zuordnungen.")
    if entry["kind"] != "zugeordnet":
        raise BookingError(f"{allocation_id} ist eine Reservierung; bestätigt werden Zuordnungen.")
    reversal = _one(data.allocations, "reverses", allocation_id)
    if reversal is not None:
        raise BookingError(f"Die Buchung {allocation_id} ist storniert ({reversal['allocation_id']}).")
    area = _one(data.pool_areas, "pool_id", str(entry["pool_id"]))
    target = _one(data.interventions, "intervention_id", str(entry["intervention_id"]))
    if area is None or target is None:
        raise BookingError(f"Fläche oder Eingriff der Buchung {allocation_id} stehen in keiner Ebene mehr.")
    price = entry.get("price_eur")
    return Certificate(
        allocation_id=allocation_id, kind=str(entry["kind"]), date=fmt.text(entry["date"]),
        booked_by=str(entry["booked_by"]), points=float(entry["points"]),
        price_eur=None if price is None or pd.isna(price) else float(price),
        intervention_id=str(target["intervention_id"]), intervention_name=fmt.text(target["name"]),
        intervention_ags=str(target["ags"]), pool_id=str(area["pool_id"]), pool_name=fmt.text(area["name"]),
        pool_ags=str(area["ags"]), parcels=fmt.text(area["parcels"]), model=_model(str(area["ags"]), tables),
        notes=fmt.text(entry["notes"]), code=verification_code(str(entry["hash"])))


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    message: str


def check_code(data: PoolData, code: str) -> CodeCheck:
    """Whether *code* (from a certificate) names an intact, active allocation of the ledger; German verdict."""
    digits = re.sub(r"[\s-]", "", code).lower()
    if not re.fullmatch(f"[0-9a-f]{{{CODE_DIGITS}}}", digits):
        return CodeCheck(False, f"„{code}“ ist kein Prüfcode: erwartet werden {CODE_DIGITS} Zeichen 0–9 und A–F, "
                                "z. B. 3F9A-C2D1-77E0-A1B2.")
    ledger = data.allocations
    hashes = ledger["hash"].fillna("").astype(str)
    found = [i for i, h in enumerate(hashes) if h.startswith(digits)]
    if not found:
        return CodeCheck(False, f"Der Prüfcode {code} gehört zu keiner Buchung im Journal: Die Bestätigung ist "
                                "nicht echt, wurde verändert oder stammt aus einem anderen Datenbestand.")
    position = found[0]
    row = ledger.iloc[position]
    broken = [i for i in chain.broken_rows(ledger, schema.ALLOCATIONS) if i <= position]
    if broken:
        return CodeCheck(False, f"Der Prüfcode gehört zu Buchung {row['allocation_id']}, aber die Prüfkette des "
                                f"Journals ist ab Zeile {broken[0] + 1} unterbrochen: Das Journal wurde am System "
                                "vorbei verändert. Bitte die Administration informieren.")
    if row["points"] <= 0 or row["kind"] != "zugeordnet":
        what = "eine Stornobuchung" if row["points"] <= 0 else "eine Reservierung"
        return CodeCheck(False, f"Der Prüfcode gehört zu Buchung {row['allocation_id']}, {what}: dafür gibt es keine "
                                "Buchungsbestätigung (bestätigt werden Zuordnungen).")
    what = (f"Buchung {row['allocation_id']} vom {fmt.date(row['date'])}: {fmt.points(row['points'])} von "
            f"{row['pool_id']} für {row['intervention_id']} ({row['kind']})")
    reversal = _one(ledger, "reverses", str(row["allocation_id"]))
    if reversal is not None:
        return CodeCheck(False, f"Der Prüfcode ist echt ({what}), die Buchung wurde aber am "
                                f"{fmt.date(reversal['date'])} storniert ({reversal['allocation_id']}).")
    price = row.get("price_eur")
    priced = f", Preis {fmt.euro(float(price))} je WP" if price is not None and pd.notna(price) else ""
    return CodeCheck(True, f"Echt: {what}{priced}. Die Prüfkette des Journals ist bis zu dieser Buchung intakt.")


ACCOUNT_COLUMNS = ("allocation_id", "date", "intervention_id", "intervention", "kind", "points", "reverses",
                   "balance", "booked_by", "notes")


@dataclass(frozen=True)
class Account:
    """A pool area's account: its value points, every booking and reversal, and the running balance."""

    pool_id: str
    name: str
    ags: str
    value_points: float
    entries: pd.DataFrame
    """In booking order (columns :data:`ACCOUNT_COLUMNS`); ``balance`` is what is left unbooked after the row."""

    @property
    def balance(self) -> float:
        return float(self.entries["balance"].iloc[-1]) if len(self.entries) else self.value_points


def account(data: PoolData, pool_id: str) -> Account:
    """The account statement of *pool_id*; :class:`BookingError` (German) if there is no such area."""
    area = _one(data.pool_areas, "pool_id", pool_id)
    if area is None:
        raise BookingError(f"Die Poolfläche „{pool_id}“ gibt es nicht.")
    value = float(area["value_points"]) if pd.notna(area["value_points"]) else 0.0
    rows = data.allocations[data.allocations["pool_id"] == pool_id]
    names = data.interventions.set_index("intervention_id")["name"]
    entries = pd.DataFrame({
        "allocation_id": rows["allocation_id"], "date": pd.to_datetime(rows["date"], errors="coerce"),
        "intervention_id": rows["intervention_id"], "intervention": rows["intervention_id"].map(names),
        "kind": rows["kind"], "points": rows["points"].astype(float), "reverses": rows["reverses"],
        "balance": value - rows["points"].astype(float).cumsum(), "booked_by": rows["booked_by"],
        "notes": rows["notes"],
    }, columns=list(ACCOUNT_COLUMNS)).reset_index(drop=True)
    return Account(pool_id, fmt.text(area["name"]), str(area["ags"]), value, entries)
