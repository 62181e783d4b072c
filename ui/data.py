"""Cached access to the store, keyed by the data version (file mtimes and sizes).

Reruns that do not change data cost one ``stat`` per file; any write changes the
version and the next rerun reads the new state.
"""

from __future__ import annotations

import streamlit as st

from geo import summary, valuation
from geo.config import Settings
from geo.store import Store


def settings() -> Settings:
    """Read per call (a few environment look-ups), so tests can point the app elsewhere."""
    return Settings.from_env()


def store() -> Store:
    return Store(settings().data_dir)


@st.cache_data(show_spinner="Daten werden geladen …", max_entries=4)
def _view(data_dir: str, version: tuple) -> summary.PoolView:
    return summary.pool_view(Store(data_dir).read_all())


def view() -> summary.PoolView:
    """The whole pool, enriched by the ledger (see :func:`geo.summary.pool_view`)."""
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
