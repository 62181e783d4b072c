"""Writing test fixtures through the store's real transactions (no back doors)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.store import Store, history_entry


def put_layer(store: Store, ags: str, layer: str, frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Replace *ags*'s *layer* by *frame* as an unchecked publish (fixtures only); returns the history row."""
    return store.publish_layer(ags, layer, lambda current, state: (
        frame, history_entry(user="test", ags=schema.municipality(ags).ags, layer=layer, action="upload",
                             source="test fixture")))


def append_ledger(store: Store, rows: pd.DataFrame) -> pd.DataFrame:
    """Append ledger *rows* unchecked by the booking rules (fixtures only)."""
    return store.transact(lambda state: (
        rows, history_entry(user="test", layer=schema.ALLOCATIONS, action="booking", added=len(rows))))[0]


def snapshot(store: Store) -> tuple[object, ...]:
    """Everything a refused or aborted write must leave as it was (compare with ``==``)."""
    data = store.read_all()
    frames = (data.boundaries, data.pool_areas, data.interventions, data.allocations, data.history)
    return (store.version(), *(pd.DataFrame(frame).to_csv() for frame in frames), tuple(store.list_versions()))
