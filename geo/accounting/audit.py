"""The store's audit: hash chains and the ledger's invariants, checked from what is stored.

:func:`verify` reads a store and reports every finding in German. It checks

- the hash chains of the ledger and the history (a changed, inserted or deleted row
  breaks the chain from there on);
- that every ledger entry belongs to a booking change of the history, and that the
  history's booking changes account for every ledger row;
- that no pool area is overdrawn and no entry is negative on balance;
- that every reversal names an existing, earlier booking of the same area, intervention
  and kind, for exactly its points, and that nothing is reversed twice;
- that no booking was made on an area that was ``geplant`` or ``gesperrt`` (or did not
  exist) at the time, judged by the layer as it was then (the earlier version kept by
  the first publish after the booking, or today's layer if none came since);
- that every publish has its earlier version and the current layers match the checksum
  of the publish that wrote them;
- that change ids are unique;
- the hash chain of the request events, that every request was asked once and decided at
  most once, not after it expired, and that every approval has exactly its ledger entry
  (same change, area, intervention, kind and points) and no entry serves two approvals.

The chains' last hashes are reported too: noted down outside the system (e.g. in the
minutes of a partners' meeting), they show later that nothing was cut off the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import fmt, schema
from geo.accounting.ledger import EPS
from geo.errors import FlaechenpoolError
from geo.schema import PoolData
from geo.store import Store, chain, change_number

PUBLISH_ACTIONS = schema.LAYER_ACTIONS
Row = dict[str, Any]


def _rows(frame: pd.DataFrame) -> list[Row]:
    """The rows of *frame* as plain dicts (values as pandas holds them)."""
    return [{str(k): v for k, v in record.items()} for record in frame.to_dict("records")]
UNBOOKABLE = ("geplant", "gesperrt")


@dataclass(frozen=True)
class Finding:
    """One broken rule: which check, and what is wrong, in German."""

    check: str
    message: str


@dataclass(frozen=True)
class AuditReport:
    results: tuple[tuple[str, tuple[Finding, ...]], ...]  # (what was checked, what it found)
    ledger_rows: int
    history_rows: int
    ledger_head: str
    history_head: str
    requests_head: str = ""

    @property
    def findings(self) -> list[Finding]:
        return [f for _, found in self.results for f in found]

    @property
    def ok(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        """The report as people read it (German)."""
        out = [f"Geprüft: {self.ledger_rows} Buchungen, {self.history_rows} Änderungen."]
        for what, found in self.results:
            out.append(f"  {'✓' if not found else '✗'} {what}" + (f": {len(found)} Befund(e)" if found else ""))
            out += [f"      {f.message}" for f in found]
        out.append("Keine Befunde: Ketten und Regeln sind intakt." if self.ok
                   else f"{len(self.findings)} Befund(e) insgesamt.")
        out += [f"Kettenende Buchungen: {self.ledger_head or '–'}",
                f"Kettenende Änderungen: {self.history_head or '–'}",
                f"Kettenende Anfragen: {self.requests_head or '–'}"]
        return out


def verify(store: Store) -> AuditReport:
    """Check *store* (see the module docstring); never raises for a broken rule, only reports it."""
    data = store.read_all()
    results = (
        ("Prüfkette der Buchungen", _chain(data.allocations, schema.ALLOCATIONS, "Buchung", "allocation_id")),
        ("Prüfkette der Änderungen", _chain(data.history, schema.HISTORY, "Änderung", "change_id")),
        ("Buchungen gehören zu Änderungen", _ledger_changes(data)),
        ("keine Fläche überbucht", _balances(data)),
        ("Stornos nennen eine bestehende Buchung", _reversals(data.allocations)),
        ("keine Buchung auf geplanten oder gesperrten Flächen", _bookable_at_the_time(data, _VersionCache(store))),
        ("frühere Stände und Prüfsummen der Ebenen", _layers(data, store)),
        ("eindeutige Änderungs-IDs", _unique_changes(data.history)),
        ("Prüfkette der Anfragen", _chain(data.requests, schema.REQUEST_EVENTS, "Anfrage-Ereignis", "event_id")),
        ("jede Anfrage einmal gestellt, höchstens einmal entschieden", _request_stories(data)),
        ("jede Zusage hat genau ihre Buchung", _approvals(data)),
    )
    return AuditReport(tuple((what, tuple(found)) for what, found in results), len(data.allocations),
                       len(data.history), chain.last_hash(data.allocations), chain.last_hash(data.history),
                       chain.last_hash(data.requests))


def _chain(rows: pd.DataFrame, table: str, noun: str, id_field: str) -> list[Finding]:
    return [Finding(f"chain_{table}",
                    f"{noun} {rows[id_field].iloc[i]} (Zeile {i + 1}): Prüfwert passt nicht zur Kette – die Zeile "
                    "oder eine davor wurde verändert, eingefügt oder gelöscht.")
            for i in chain.broken_rows(rows, table)]


def _ledger_changes(data: PoolData) -> list[Finding]:
    history, ledger = data.history, data.allocations
    bookings = history[history["action"] == "booking"]
    found = []
    for row in _rows(ledger[~ledger["change_id"].isin(bookings["change_id"])]):
        found.append(Finding("ledger_change", f"Buchung {row['allocation_id']} gehört zu keiner Buchungsänderung "
                                              f"der Historie ({row['change_id'] or 'ohne Änderungs-ID'})."))
    counted = int(bookings["added"].fillna(0).sum())
    if counted != len(ledger):
        found.append(Finding("ledger_count", f"Die Historie verzeichnet {counted} Buchungszeilen, das Journal "
                                             f"enthält {len(ledger)}: Zeilen fehlen oder sind hinzugekommen."))
    return found


def _balances(data: PoolData) -> list[Finding]:
    ledger, pool = data.allocations, data.pool_areas
    found = []
    sums = ledger.groupby("pool_id")["points"].sum()
    booked = {str(k): float(v) for k, v in sums.items()}
    value = {str(k): float(v) for k, v in zip(pool["pool_id"], pool["value_points"].fillna(0.0), strict=True)}
    for pool_id, points in booked.items():
        if points < -EPS:
            found.append(Finding("negative", f"Fläche {pool_id}: mehr storniert als gebucht ({fmt.points(points)})."))
        elif pool_id not in value:
            found.append(Finding("overdrawn", f"Fläche {pool_id} hat {fmt.points(points)} gebucht, "
                                              "steht aber in keiner Ebene mehr."))
        elif points > value[pool_id] + 0.5:
            found.append(Finding("overdrawn", f"Fläche {pool_id} ist überbucht: {fmt.points(points)} gebucht, "
                                              f"Wert {fmt.points(value[pool_id])}."))
    return found


def _reversals(ledger: pd.DataFrame) -> list[Finding]:
    found = []
    rows = _rows(ledger)
    position = {str(row["allocation_id"]): i for i, row in enumerate(rows)}
    seen: set[str] = set()
    for i, row in enumerate(rows):
        entry, points, target = row["allocation_id"], float(row["points"]), row["reverses"]
        if points >= 0 and not target:
            continue
        if not target or points >= 0:
            found.append(Finding("reversal", f"Buchung {entry}: negative Punkte ohne stornierte Buchung "
                                             "oder Storno mit positiven Punkten."))
            continue
        if target not in position or position[target] >= i:
            found.append(Finding("reversal", f"Storno {entry} nennt {target}, das es davor nicht gibt."))
            continue
        original = rows[position[target]]
        same = all(original[key] == row[key] for key in ("pool_id", "intervention_id", "kind"))
        if not same or abs(float(original["points"]) + points) > EPS:
            found.append(Finding("reversal", f"Storno {entry} passt nicht zu {target} "
                                             "(Fläche, Eingriff, Art oder Punkte verschieden)."))
        if target in seen:
            found.append(Finding("reversal", f"{target} ist mehr als einmal storniert."))
        seen.add(target)
    return found


class _VersionCache:
    """Earlier layer states by (ags, change id), read once each."""

    def __init__(self, store: Store):
        self._store = store
        self._frames: dict[tuple[str, str], gpd.GeoDataFrame | None] = {}

    def get(self, ags: str, change_id: str) -> gpd.GeoDataFrame | None:
        key = (ags, change_id)
        if key not in self._frames:
            try:
                self._frames[key] = self._store.read_version(ags, change_id, schema.POOL_AREAS)
            except FlaechenpoolError:
                self._frames[key] = None
        return self._frames[key]


def _bookable_at_the_time(data: PoolData, versions: _VersionCache) -> list[Finding]:
    ledger, history = data.allocations, data.history
    publishes = history[history["action"].isin(PUBLISH_ACTIONS) & (history["layer"] == schema.POOL_AREAS)]
    publishes = publishes.assign(number=publishes["change_id"].map(change_number))
    owner = _owners(data, publishes, versions)
    found = []
    for row in _rows(ledger[ledger["points"] > 0]):
        entry, pool_id = row["allocation_id"], str(row["pool_id"])
        ags = owner.get(pool_id)
        if ags is None:
            found.append(Finding("bookable", f"Buchung {entry}: die Fläche {pool_id} gibt es "
                                             "in keinem gespeicherten Stand."))
            continue
        layer = _layer_at(data, publishes, versions, ags, change_number(row["change_id"]))
        status = _status_of(layer, pool_id) if layer is not None else None
        if layer is None:
            found.append(Finding("bookable", f"Buchung {entry}: der Stand der Poolflächen zur "
                                             "Buchungszeit ist nicht gespeichert."))
        elif status is None:
            found.append(Finding("bookable", f"Buchung {entry}: die Fläche {pool_id} gab es zur "
                                             "Buchungszeit nicht."))
        elif status in UNBOOKABLE:
            found.append(Finding("bookable", f"Buchung {entry}: die Fläche {pool_id} war zur "
                                             f"Buchungszeit „{status}“ und durfte nicht gebucht werden."))
    return found


def _owners(data: PoolData, publishes: pd.DataFrame, versions: _VersionCache) -> dict[str, str]:
    """Pool id → AGS, from today's layer and, for areas no longer there, the kept versions."""
    owner = {str(p): str(a) for p, a in zip(data.pool_areas["pool_id"], data.pool_areas["ags"], strict=True)}
    for row in _rows(publishes):
        frame = versions.get(str(row["ags"]), str(row["change_id"]))
        if frame is not None:
            for pool_id, ags in zip(frame["pool_id"], frame["ags"], strict=True):
                owner.setdefault(str(pool_id), str(ags))
    return owner


def _layer_at(data: PoolData, publishes: pd.DataFrame, versions: _VersionCache, ags: str,
              number: int) -> gpd.GeoDataFrame | None:
    """*ags*'s pool layer as it was at change *number*: kept by the first publish after it, else today's."""
    later = publishes[(publishes["ags"] == ags) & (publishes["number"] > number)]
    if later.empty:
        return data.pool_areas[data.pool_areas["ags"] == ags]
    return versions.get(ags, str(later.sort_values("number")["change_id"].iloc[0]))


def _status_of(layer: gpd.GeoDataFrame, pool_id: str) -> str | None:
    rows = layer.loc[layer["pool_id"] == pool_id, "status"]
    return None if rows.empty else str(rows.iloc[0])


def _layers(data: PoolData, store: Store) -> list[Finding]:
    history = data.history
    publishes = history[history["action"].isin(PUBLISH_ACTIONS)]
    kept = {(ref.ags, ref.change_id, ref.layer) for ref in store.list_versions()}
    found = []
    for row in _rows(publishes):
        if (row["ags"], row["change_id"], row["layer"]) not in kept:
            found.append(Finding("version", f"Änderung {row['change_id']} ({_layer_name(row['layer'], row['ags'])}): "
                                            "der frühere Stand fehlt, sie lässt sich nicht zurücknehmen."))
    latest = publishes.assign(number=publishes["change_id"].map(change_number)).sort_values("number")
    latest = latest.drop_duplicates(["ags", "layer"], keep="last")
    for row in _rows(latest):
        layer_name, ags = str(row["layer"]), str(row["ags"])
        layer = data.layer(layer_name)
        if chain.layer_checksum(layer[layer["ags"] == ags], layer_name) != row["checksum"]:
            found.append(Finding("checksum", f"{_layer_name(layer_name, ags)}: der gespeicherte Stand passt nicht "
                                             f"zur Prüfsumme der letzten Veröffentlichung ({row['change_id']}); die "
                                             "Ebene wurde am System vorbei geändert."))
    return found


def _layer_name(layer: str, ags: str) -> str:
    return f"{schema.LAYER_LABELS.get(layer, layer)} {schema.AGS_NAMES.get(ags, ags)}"


def _unique_changes(history: pd.DataFrame) -> list[Finding]:
    dupes = history.loc[history["change_id"].duplicated(), "change_id"]
    return [Finding("change_id", f"Änderungs-ID {c} kommt mehrfach vor.") for c in sorted(set(dupes))]


def _request_stories(data: PoolData) -> list[Finding]:
    found = []
    changes = set(data.history["change_id"])
    for request_id, events in data.requests.groupby("request_id", sort=False):
        kinds = list(events["event"])
        if kinds[0] != "gestellt" or kinds.count("gestellt") != 1:
            found.append(Finding("request", f"Anfrage {request_id}: nicht genau einmal und zuerst gestellt."))
        if len(kinds) > 2:
            found.append(Finding("request", f"Anfrage {request_id}: mehr als eine Entscheidung ({', '.join(kinds)})."))
        asked = events[events["event"] == "gestellt"]
        if len(kinds) > 1 and len(asked):
            decided = pd.Timestamp(str(events["at"].iloc[-1])).date()
            expires = pd.Timestamp(asked["expires"].iloc[0]).date()
            if decided > expires:
                found.append(Finding("request", f"Anfrage {request_id}: am {fmt.date(decided)} entschieden, "
                                                f"aber nur bis {fmt.date(expires)} offen."))
        for row in _rows(events[~events["change_id"].isin(changes)]):
            found.append(Finding("request", f"Anfrage-Ereignis {row['event_id']} gehört zu keiner Änderung der "
                                            "Historie."))
    return found


def _approvals(data: PoolData) -> list[Finding]:
    ledger = data.allocations.set_index("allocation_id")
    approvals = data.requests[data.requests["event"] == "zugesagt"]
    found = []
    for allocation_id in sorted(set(approvals.loc[approvals["allocation_id"].duplicated(), "allocation_id"])):
        found.append(Finding("approval", f"Buchung {allocation_id} ist mehr als einer Zusage zugeordnet."))
    for row in _rows(approvals):
        request_id, allocation_id = row["request_id"], row["allocation_id"]
        if allocation_id not in ledger.index:
            found.append(Finding("approval", f"Zusage zu {request_id}: die Buchung {allocation_id or '–'} fehlt."))
            continue
        entry = ledger.loc[allocation_id]
        same = (entry["change_id"] == row["change_id"] and entry["pool_id"] == row["pool_id"]
                and entry["intervention_id"] == row["intervention_id"] and entry["kind"] == row["kind"]
                and abs(float(entry["points"]) - float(row["points"])) <= EPS)
        if not same:
            found.append(Finding("approval", f"Zusage zu {request_id} passt nicht zu Buchung {allocation_id} "
                                             "(Änderung, Fläche, Eingriff, Art oder Punkte verschieden)."))
    return found
