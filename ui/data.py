"""Cached access to the store, keyed by the data version (file mtimes and sizes).

Reruns that do not change data cost one ``stat`` per file; any write changes the
version and the next rerun reads the new state.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo import schema
from geo.accounting import summary, valuation
from geo.config import Settings
from geo.map import changemap
from geo.store.gpkg import Store
from geo.upload import diff, publish


def settings() -> Settings:
    """Read per call (a few environment look-ups), so tests can point the app elsewhere."""
    return Settings.from_env()


def store() -> Store:
    return Store(settings().data_dir)


@st.cache_data(show_spinner="Daten werden geladen …", max_entries=4)
def _view(data_dir: str, version: tuple) -> summary.PoolView:
    return summary.pool_view(Store(data_dir).read_all())


def view() -> summary.PoolView:
    """The whole pool, enriched by the ledger (see :func:`geo.accounting.summary.pool_view`)."""
    s = store()
    return _view(str(s.data_dir), s.version())


def data_version() -> tuple:
    return store().version()


@st.cache_data(show_spinner=False, max_entries=4)
def _tables(data_dir: str, version: tuple) -> dict[str, valuation.ValuationTable]:
    return Store(data_dir).read_valuation()


def valuation_tables() -> dict[str, valuation.ValuationTable]:
    """The valuation tables in use, keyed by model (cached by data version)."""
    s = store()
    return _tables(str(s.data_dir), s.version())


@st.cache_data(show_spinner=False, max_entries=16)
def _restore_preview(data_dir: str, version: tuple, change_id: str) -> tuple[gpd.GeoDataFrame, diff.LayerDiff, bytes]:
    store = Store(data_dir)
    row = publish.change_row(store, change_id)
    earlier = publish.earlier_version(store, change_id)
    current = store.read_layer(row["layer"], [row["ags"]])
    back = diff.diff_layer(current, earlier, row["layer"], allocations=store.read_allocations())
    boundary = store.read_layer(schema.BOUNDARY, [row["ags"]])
    return earlier, back, changemap.change_map_png(current, earlier, back, boundary)


def restore_preview(change_id: str) -> tuple[gpd.GeoDataFrame, diff.LayerDiff, bytes]:
    """A layer before *change_id*, what restoring it would change, and the map of that change.

    Cached by data version: browsing the history reruns the page without re-reading the
    version files or redrawing the map. Raises :class:`geo.errors.FlaechenpoolError`.
    """
    s = store()
    return _restore_preview(str(s.data_dir), s.version(), change_id)
