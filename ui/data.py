"""Cached access to the store, keyed by the data version (file mtimes and sizes).

Reruns that do not change data cost one ``stat`` per file; any write changes the
version and the next rerun reads the new state.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import schema
from geo.access import contacts as contact_list
from geo.accounting import notify, summary, valuation
from geo.config import Settings
from geo.map import changemap
from geo.store import Store, open_store
from geo.upload import diff, publish


def settings() -> Settings:
    """Read per call (a few environment look-ups), so tests can point the app elsewhere."""
    return Settings.from_env()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(configured: Settings) -> Store:
    return open_store(configured)


def store() -> Store:
    """The configured store, opened once per process and settings."""
    return _open(settings())


@st.cache_data(show_spinner="Daten werden geladen …", max_entries=4)
def _view(store_key: str, version: object, today: dt.date, _store: Store) -> summary.PoolView:
    return summary.pool_view(_store.read_all(), now=dt.datetime.combine(today, dt.time()))


def view() -> summary.PoolView:
    """The whole pool, enriched by the ledger (see :func:`geo.accounting.summary.pool_view`).

    Keyed by the data version and today's date: requests expire by the day, without a write.
    """
    s = store()
    return _view(s.key, s.version(), dt.date.today(), s)


def contacts() -> pd.DataFrame:
    """The partners' contacts (``contacts.csv`` in the data folder)."""
    return contact_list.read(settings().contacts_file)


def send_notifications(rows: pd.DataFrame) -> None:
    """E-mail the outbox rows just written, if SMTP is configured (failures stay in the outbox)."""
    configured = settings()
    notify.deliver(store(), rows, configured.smtp, contacts())


@st.cache_data(show_spinner=False, max_entries=4)
def _tables(store_key: str, version: object, _store: Store) -> dict[str, valuation.ValuationTable]:
    return valuation.read_tables(_store)


def valuation_tables() -> dict[str, valuation.ValuationTable]:
    """The valuation tables in use, keyed by model (cached by data version)."""
    s = store()
    return _tables(s.key, s.version(), s)


@st.cache_data(show_spinner=False, max_entries=16)
def _restore_preview(store_key: str, version: object, change_id: str, _store: Store
                     ) -> tuple[gpd.GeoDataFrame, diff.LayerDiff, bytes]:
    row = publish.change_row(_store, change_id)
    earlier = publish.earlier_version(_store, change_id)
    current = _store.read_layer(row["layer"], [row["ags"]])
    back = diff.diff_layer(current, earlier, row["layer"], allocations=_store.read_allocations())
    boundary = _store.read_layer(schema.BOUNDARY, [row["ags"]])
    return earlier, back, changemap.change_map_png(current, earlier, back, boundary)


def restore_preview(change_id: str) -> tuple[gpd.GeoDataFrame, diff.LayerDiff, bytes]:
    """A layer before *change_id*, what restoring it would change, and the map of that change.

    Cached by data version: browsing the history reruns the page without re-reading the
    version files or redrawing the map. Raises :class:`geo.errors.FlaechenpoolError`.
    """
    s = store()
    return _restore_preview(s.key, s.version(), change_id, s)
