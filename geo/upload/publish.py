"""Publishing a validated layer, and restoring an earlier version.

Both check the permission first (a municipality's boundary, and areas reaching beyond it, are
the administration's to publish; the reason for the latter goes into the history), then,
inside the store's transaction (so a booking or another upload in between is seen), validate
and recompute the change against the stored state, refuse if anything booked would disappear,
and let the store keep the previous state and write one history row. The page's validation is a
convenience; this is the guard.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.access.permissions import User, require_admin, require_edit_municipality
from geo.accounting import valuation
from geo.errors import DataError
from geo.schema import PoolData
from geo.store import Store, history_entry
from geo.upload import diff, validate


def _refuse(change: diff.LayerDiff) -> None:
    if change.empty:
        raise DataError("Nichts zu veröffentlichen: der neue Stand stimmt mit dem gespeicherten überein.")
    if change.findings:
        raise DataError("Nicht veröffentlicht: " + " ".join(f.message for f in change.findings))


def _validated(frame: gpd.GeoDataFrame, layer: str, ags: str, state: PoolData,
               tables: dict[str, valuation.ValuationTable], *, admin: bool, accept_outside: bool) -> gpd.GeoDataFrame:
    """*frame* as validation leaves it; refused with every error if it has any."""
    report = validate.validate(frame, layer, validate.context_from(state, ags, layer, tables, admin=admin),
                               accept_outside=accept_outside)
    if report.frame is None or report.errors:
        shown = report.errors[:5]
        more = f" (und {len(report.errors) - len(shown)} weitere)" if len(report.errors) > len(shown) else ""
        details = " ".join(f"{f.feature_id + ': ' if f.feature_id else ''}{f.message}" for f in shown)
        raise DataError(f"Nicht veröffentlicht, die Prüfung findet Fehler{more}: {details}")
    return report.frame


def joined_notes(*parts: str) -> str:
    """The history's notes from several parts (the user's note, defaults, a reading, a reason)."""
    return " ".join(p.strip() for p in parts if p.strip())


def publish(store: Store, user: User | None, *, ags: str, layer: str, frame: gpd.GeoDataFrame, source: str,
            notes: str = "", outside_reason: str = "") -> pd.DataFrame:
    """Replace municipality *ags*'s *layer* by *frame* after validating it; returns the history row.

    A boundary is published by administrators only; so are features reaching beyond the
    municipality, with an *outside_reason* that the history keeps in its notes.
    """
    what = f"{schema.LAYER_LABELS[layer]} veröffentlichen"
    signed_in = (require_admin(user, what) if layer == schema.BOUNDARY or outside_reason.strip()
                 else require_edit_municipality(user, ags, what))
    if outside_reason.strip():
        notes = joined_notes(notes, f"Außerhalb der Gemeindegrenze angenommen, Begründung: {outside_reason.strip()}")
    if not frame["ags"].eq(ags).all():
        raise DataError(f"Die Daten gehören nicht (alle) zu {schema.AGS_NAMES[ags]}.")
    tables = valuation.read_tables(store)

    def plan(current: gpd.GeoDataFrame, state: PoolData) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
        checked = _validated(frame, layer, ags, state, tables, admin=signed_in.role == "admin",
                             accept_outside=bool(outside_reason.strip()))
        change = diff.diff_layer(current, checked, layer, allocations=state.allocations)
        _refuse(change)
        return checked, history_entry(user=signed_in.username, ags=ags, layer=layer, action="upload",
                                      source=source, notes=notes, **change.counts)

    return store.publish_layer(ags, layer, plan)


def change_row(store: Store, change_id: str) -> pd.Series:
    history = store.read_history()
    rows = history[history["change_id"] == change_id]
    if rows.empty:
        raise DataError(f"Die Änderung „{change_id}“ gibt es nicht.")
    return rows.iloc[0]


def earlier_version(store: Store, change_id: str) -> gpd.GeoDataFrame:
    """The layer as it was before change *change_id*."""
    row = change_row(store, change_id)
    if row["layer"] not in schema.MUNICIPAL_LAYERS or row["action"] not in schema.LAYER_ACTIONS:
        raise DataError(f"Die Änderung {change_id} betrifft keine Kartenebene einer Gemeinde.")
    return store.read_version(row["ags"], change_id, row["layer"])


def restore(store: Store, user: User | None, change_id: str) -> pd.DataFrame:
    """Put back the layer as it was before *change_id* (admins only); recorded as ``restore``."""
    signed_in = require_admin(user, "Früheren Stand wiederherstellen")
    row = change_row(store, change_id)
    earlier = earlier_version(store, change_id)
    layer, ags = row["layer"], row["ags"]

    def plan(current: gpd.GeoDataFrame, state: PoolData) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
        change = diff.diff_layer(current, earlier, layer, allocations=state.allocations)
        _refuse(change)
        return earlier, history_entry(user=signed_in.username, ags=ags, layer=layer, action="restore",
                                      source=f"Stand vor {change_id}",
                                      notes=f"Stand vor {change_id} wiederhergestellt", **change.counts)

    return store.publish_layer(ags, layer, plan)
