"""Publishing a validated layer, and restoring an earlier version.

Both check the permission first, then recompute the change against the stored state
under the store's locks (so a booking or another upload in between is seen), refuse if
anything booked would disappear, keep the previous state and write one history row.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.access.permissions import User, require_admin, require_edit_municipality
from geo.errors import DataError
from geo.store.gpkg import Store, history_entry
from geo.upload import diff


def checksum(frame: gpd.GeoDataFrame) -> str:
    """SHA-256 of a layer's content (attributes and WKB), independent of file format."""
    digest = hashlib.sha256()
    body = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
    digest.update(pd.util.hash_pandas_object(body, index=False).to_numpy().tobytes())
    digest.update(b"".join(g.wkb if g is not None else b"" for g in frame.geometry))
    return digest.hexdigest()


def _refuse(change: diff.LayerDiff) -> None:
    if change.empty:
        raise DataError("Nichts zu veröffentlichen: der neue Stand stimmt mit dem gespeicherten überein.")
    if change.findings:
        raise DataError("Nicht veröffentlicht: " + " ".join(f.message for f in change.findings))


def publish(store: Store, user: User | None, *, ags: str, layer: str, frame: gpd.GeoDataFrame, source: str,
            notes: str = "") -> pd.DataFrame:
    """Replace municipality *ags*'s *layer* by the validated *frame*; returns the history row."""
    require_edit_municipality(user, ags, f"{schema.LAYER_LABELS[layer]} veröffentlichen")
    if not frame["ags"].eq(ags).all():
        raise DataError(f"Die Daten gehören nicht (alle) zu {schema.AGS_NAMES[ags]}.")

    def plan(current: gpd.GeoDataFrame, allocations: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
        change = diff.diff_layer(current, frame, layer, allocations=allocations)
        _refuse(change)
        return history_entry(user=user.username, ags=ags, layer=layer, action="upload", source=source,
                             checksum=checksum(frame), notes=notes, history=history, **change.counts)

    return store.publish_layer(ags, layer, frame, plan)


def change_row(store: Store, change_id: str) -> pd.Series:
    history = store.read_history()
    rows = history[history["change_id"] == change_id]
    if rows.empty:
        raise DataError(f"Die Änderung „{change_id}“ gibt es nicht.")
    return rows.iloc[0]


def earlier_version(store: Store, change_id: str) -> gpd.GeoDataFrame:
    """The layer as it was before change *change_id*."""
    row = change_row(store, change_id)
    if row["layer"] not in schema.MUNICIPAL_LAYERS or row["action"] not in ("upload", "restore"):
        raise DataError(f"Die Änderung {change_id} betrifft keine Kartenebene einer Gemeinde.")
    return store.read_version(row["ags"], change_id, row["layer"])


def restore(store: Store, user: User | None, change_id: str) -> pd.DataFrame:
    """Put back the layer as it was before *change_id* (admins only); recorded as ``restore``."""
    require_admin(user, "Früheren Stand wiederherstellen")
    row = change_row(store, change_id)
    earlier = earlier_version(store, change_id)
    layer, ags = row["layer"], row["ags"]

    def plan(current: gpd.GeoDataFrame, allocations: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
        change = diff.diff_layer(current, earlier, layer, allocations=allocations)
        _refuse(change)
        return history_entry(user=user.username, ags=ags, layer=layer, action="restore",
                             source=f"Stand vor {change_id}", checksum=checksum(earlier),
                             notes=f"Stand vor {change_id} wiederhergestellt", history=history, **change.counts)

    return store.publish_layer(ags, layer, earlier, plan)
