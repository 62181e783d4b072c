"""Bringing an existing register in: a ledger kept in a spreadsheet, imported all or nothing.

A partner joining the shared pool brings its bookings as XLSX or CSV, one row per booking:
intervention, pool area, points, kind, date, who (and optional notes). Columns are mapped as
for layer uploads (:mod:`geo.upload.columns`, layer :data:`geo.schema.ALLOCATIONS`). Every
row is checked by the ledger's rules (:func:`geo.accounting.ledger.check_booking`) in date
order, on top of the stored ledger and the rows before it; the preview lists each row with
the entry it would become or the German reason it is refused. Only a file without refused
rows is imported: in one store transaction, re-checked inside it, with the original dates
(and the price that applied on them for cross-border allocations). Pure except for
:func:`import_ledger`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User, require_admin
from geo.accounting import ledger, prices, requests
from geo.errors import BookingError, DataError
from geo.schema import PoolData
from geo.store import Store, history_entry
from geo.upload import columns
from geo.upload.columns import Mapping

FIELDS = ("intervention_id", "pool_id", "points", "kind", "date", "booked_by", "notes")
REQUIRED = FIELDS[:-1]
KIND_WORDS = {"reservierung": "reserviert", "reserviert": "reserviert", "vormerkung": "reserviert",
              "zuordnung": "zugeordnet", "zugeordnet": "zugeordnet", "abbuchung": "zugeordnet",
              "abgebucht": "zugeordnet"}
"""Words the partners' registers use for the two kinds of booking (normalised)."""
PREVIEW_COLUMNS = ("line", "date", "intervention_id", "pool_id", "points", "kind", "booked_by", "notes",
                   "allocation_id", "reason")


def read_table(name: str, data: bytes) -> pd.DataFrame:
    """The first sheet of an Excel file or a CSV (UTF-8 or Windows-1252, separator detected), all as text."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix not in ("xlsx", "csv"):
        raise DataError(f"„{name}“: bitte eine Excel-Datei (.xlsx) oder CSV-Datei (.csv) wählen.")
    try:
        if suffix == "xlsx":
            frame = pd.read_excel(io.BytesIO(data), dtype=object)
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
            frame = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str, keep_default_na=False)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(f"„{name}“ lässt sich nicht als Tabelle lesen.", details=str(exc)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.dropna(how="all")


def guess(frame: pd.DataFrame) -> Mapping:
    """Column and kind-value mapping proposed for *frame* (as for layer uploads)."""
    chosen = {k: v for k, v in columns.guess_columns(list(frame.columns), schema.ALLOCATIONS).items() if k in FIELDS}
    values = {}
    if "kind" in chosen:
        found = columns.distinct_values(frame, chosen["kind"])
        words = {v: KIND_WORDS[columns.normalise(v)] for v in found if columns.normalise(v) in KIND_WORDS}
        values = {"kind": {**columns.guess_values(found, schema.ALLOCATION_KINDS), **words}}
    return Mapping(schema.ALLOCATIONS, chosen, values)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return pd.Timestamp(value).date()
    if isinstance(value, dt.date):
        return value
    text = fmt.text(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _points(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if pd.notna(value) else None
    return fmt.parse_number(fmt.text(value))


@dataclass(frozen=True)
class Row:
    """One row of the file as import fields (what could be read of it)."""

    intervention_id: str
    pool_id: str
    points: float | None
    kind: str
    date: dt.date | None
    booked_by: str
    notes: str


def parse_row(record: dict[str, object], mapping: Mapping, today: dt.date) -> tuple[Row, str]:
    """One file row as import fields, and why it cannot be booked at all (empty if it can be tried)."""
    raw = {name: record.get(mapping.columns[name]) if name in mapping.columns else None for name in FIELDS}
    text = {name: fmt.text(raw[name]).strip() for name in ("intervention_id", "pool_id", "booked_by", "notes")}
    kind = fmt.text(raw["kind"]).strip()
    kind = mapping.values.get("kind", {}).get(kind, kind)
    row = Row(text["intervention_id"], text["pool_id"], _points(raw["points"]), kind, _date(raw["date"]),
              text["booked_by"], text["notes"])
    missing = [schema.label(n, schema.ALLOCATIONS) for n in REQUIRED if n not in mapping.columns]
    if missing:
        return row, f"keine Spalte für {', '.join(missing)}"
    empty = [schema.label(n, schema.ALLOCATIONS) for n in ("intervention_id", "pool_id", "booked_by") if not text[n]]
    if empty:
        return row, f"leer: {', '.join(empty)}"
    if kind not in schema.ALLOCATION_KINDS:
        return row, f"Buchungsart „{kind}“ unbekannt (möglich: {', '.join(schema.ALLOCATION_KINDS)})"
    if row.date is None:
        return row, f"Datum „{fmt.text(raw['date'])}“ nicht lesbar (TT.MM.JJJJ)"
    if row.date > today:
        return row, f"Datum {fmt.date(row.date)} liegt in der Zukunft"
    if row.points is None or row.points <= 0 or not float(row.points).is_integer():
        return row, f"Wertpunkte „{fmt.text(raw['points'])}“: erwartet wird eine positive ganze Zahl"
    return row, ""


@dataclass(frozen=True)
class Preview:
    """Every row of the file in date order with the entry it becomes or why it is refused."""

    rows: pd.DataFrame
    """Columns :data:`PREVIEW_COLUMNS`; ``reason`` empty for rows that would be booked."""
    entries: pd.DataFrame
    """The ledger rows the import would append (only meaningful when :attr:`ok`)."""

    @property
    def refused(self) -> pd.DataFrame:
        return self.rows[self.rows["reason"] != ""]

    @property
    def ok(self) -> bool:
        return len(self.rows) > 0 and self.refused.empty


def check(frame: pd.DataFrame, mapping: Mapping, state: PoolData, *, now: dt.datetime | None = None,
          note: str = "") -> Preview:
    """Check every row of *frame* in date order against the ledger of *state* and the rows before it."""
    now = now or fmt.now()
    pending = requests.pending(state.requests, now)
    records = [(line, *parse_row({str(k): v for k, v in record.items()}, mapping, now.date()))
               for line, record in enumerate(frame.to_dict("records"), start=2)]  # line 1: the header
    records.sort(key=lambda r: (r[1].date or dt.date.max, r[0]))
    entries = state.allocations.iloc[:0]
    book = state.allocations
    out = []
    for line, row, reason in records:
        allocation_id = ""
        kind: ledger.BookingKind = "zugeordnet" if row.kind == "zugeordnet" else "reserviert"
        if not reason and row.points is not None:
            try:
                new = ledger.plan_booking(state.pool_areas, state.interventions, book, pool_id=row.pool_id,
                                          intervention_id=row.intervention_id, points=row.points, kind=kind,
                                          user=row.booked_by, on=row.date,
                                          notes=" · ".join(p for p in (note, row.notes) if p), pending=pending)
            except BookingError as exc:
                reason = str(exc)
            else:
                allocation_id = str(new["allocation_id"].iloc[0])
                book = pd.concat([book, new], ignore_index=True)
                entries = pd.concat([entries, new], ignore_index=True)
        out.append({"line": line, **dataclasses.asdict(row), "allocation_id": allocation_id, "reason": reason})
    return Preview(pd.DataFrame(out, columns=list(PREVIEW_COLUMNS)), prices.priced(entries, state))


def import_ledger(store: Store, user: User | None, frame: pd.DataFrame, mapping: Mapping, *,
                  source: str) -> pd.DataFrame:
    """Append every row of *frame* to the ledger in one transaction (administrators only), or nothing.

    Re-checked inside the transaction; if any row is refused, :class:`DataError` names each
    refused row with its reason and nothing is written. Returns the stored ledger rows.
    """

    def plan(state: PoolData) -> tuple[pd.DataFrame, pd.DataFrame]:
        admin = require_admin(user, "Altbestand importieren")
        preview = check(frame, mapping, state, note=f"Altbestand ({source})")
        if preview.rows.empty:
            raise DataError(f"„{source}“ enthält keine Buchungen; es wurde nichts importiert.")
        if not preview.ok:
            refused = preview.refused
            lines = "; ".join(f"Zeile {r.line}: {r.reason}" for r in refused.head(10).itertuples())
            more = f" (und {len(refused) - 10} weitere)" if len(refused) > 10 else ""
            raise DataError(f"{len(refused)} von {len(preview.rows)} Zeilen abgelehnt, es wurde nichts importiert. "
                            f"{lines}{more}.")
        count = fmt.count(len(preview.entries), "Buchung", "Buchungen")
        history = history_entry(user=admin.username, layer=schema.ALLOCATIONS, action="booking", source=source,
                                added=len(preview.entries), notes=f"Altbestand importiert: {count} aus {source}")
        return preview.entries, history

    return store.transact(plan)[0]
