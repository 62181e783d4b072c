"""Cached access to the store, keyed by the data version (file mtimes and sizes).

Reruns that do not change data cost one ``stat`` per file; any write changes the
version and the next rerun reads the new state. The big shared frames (the enriched view,
neighbours) are cached as resources: one object per key shared by all sessions, never
copied or unpickled per call, and therefore read-only for every caller. What pages get is redacted for the
signed-in person (:func:`geo.access.privacy.redact_owners`): :func:`view` and
:func:`restore_preview` show private owners' names only to those who may see them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.access import contacts as contact_list
from geo.access import privacy
from geo.access.permissions import User
from geo.accounting import candidates, climate, notify, summary, valuation
from geo.config import Settings, ValuationModels
from geo.display import handbook
from geo.map import changemap
from geo.monitoring import delegation as inspectors
from geo.monitoring import schedule, status
from geo.monitoring.delegation import Delegation
from geo.store import Monitoring, Store, open_store
from geo.upload import diff, publish
from ui import auth


def settings() -> Settings:
    """Read per call (a few environment look-ups), so tests can point the app elsewhere."""
    return Settings.from_env()


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(configured: Settings) -> Store:
    return open_store(configured)


def store() -> Store:
    """The configured store, opened once per process and settings."""
    return _open(settings())


def intervals() -> dict[str, schedule.Interval]:
    """The check plan per measure type (the data folder's ``kontrollintervalle.csv``, else the bundled one)."""
    return schedule.read_intervals(schedule.intervals_file(settings().data_dir))


@st.cache_data(show_spinner=False, max_entries=4)
def _monitoring(store_key: str, version: object, today: dt.date, _store: Store) -> tuple[Monitoring, pd.DataFrame]:
    records = _store.read_monitoring()
    return records, status.area_status(_store.read_layer(schema.POOL_AREAS), records, intervals(), today)


def monitoring() -> tuple[Monitoring, pd.DataFrame]:
    """The monitoring records and each area's state, due date and flag today (cached by data version and day)."""
    s = store()
    return _monitoring(s.key, s.version(), fmt.today(), s)


@st.cache_resource(show_spinner="Daten werden geladen …", max_entries=4)
def _view(store_key: str, version: object, today: dt.date, models: ValuationModels, _store: Store) -> summary.PoolView:
    view = summary.pool_view(_store.read_all(), now=dt.datetime.combine(today, dt.time(), tzinfo=fmt.TIMEZONE),
                             models=models)
    return status.flag_view(view, _monitoring(store_key, version, today, _store)[1])


@st.cache_resource(show_spinner=False, max_entries=16)
def _redacted(store_key: str, version: object, today: dt.date, models: ValuationModels, audience: frozenset[str],
              _store: Store, _user: User | None) -> summary.PoolView:
    # Cached per *audience* (what the user may see), not per user: the result depends on nothing else.
    full = _view(store_key, version, today, models, _store)
    return dataclasses.replace(full, pool_areas=privacy.redact_owners(full.pool_areas, _user))


ViewKey = tuple[str, object, dt.date, ValuationModels, frozenset[str]]


def view_key() -> ViewKey:
    """What :func:`view` is keyed by (store, data version, day, models, audience). A page that caches results
    computed from the view takes the key first and then ``view(key)``: the key never runs ahead of the data."""
    s = store()
    return s.key, s.version(), fmt.today(), models(), privacy.visible_municipalities(auth.current_user())


def view(key: ViewKey | None = None) -> summary.PoolView:
    """The whole pool, enriched by the ledger (see :func:`geo.accounting.summary.pool_view`), as the
    signed-in person may see it: private owners they may not see read „Privatperson“.

    Keyed by the data version and today's date (or *key*, from :func:`view_key`): requests expire by the
    day, without a write.
    """
    return _redacted(*(view_key() if key is None else key), store(), auth.current_user())


def models() -> ValuationModels:
    """Which valuation model each partner uses and the agreed one (settings)."""
    return settings().valuation_models


@st.cache_resource(show_spinner=False, max_entries=4)
def _neighbours(store_key: str, version: object, _boundaries: gpd.GeoDataFrame) -> dict[str, frozenset[str]]:
    return candidates.neighbours(_boundaries)


def neighbours() -> dict[str, frozenset[str]]:
    """AGS → AGS of the neighbouring municipalities (:func:`geo.accounting.candidates.neighbours`),
    computed once per data version."""
    s = store()
    return _neighbours(s.key, s.version(), public_view().boundaries)


def version_token() -> str:
    """A short text that changes with every write (from the store's version)."""
    return hashlib.sha1(repr(store().version()).encode()).hexdigest()[:10]


def keyed(name: str) -> str:
    """A widget key bound to the data version (``name@token``): after any write the widget is new, so a
    form shows the defaults computed from the ledger now instead of the values typed before."""
    return f"{name}@{version_token()}"


def public_view() -> summary.PoolView:
    """:func:`view` as everyone may see it (reports and downloads)."""
    s = store()
    return _redacted(s.key, s.version(), fmt.today(), models(), frozenset(), s, None)


def contacts() -> pd.DataFrame:
    """The partners' contacts (``contacts.csv`` in the data folder)."""
    return contact_list.read(settings().contacts_file)


def handbook_text() -> str:
    """The partners' process handbook (``handbuch.md`` in the data folder; empty if there is none)."""
    return handbook.read_text(settings().data_dir)


def delegation() -> Delegation:
    """Who inspects for whom, as the handbook says (:mod:`geo.monitoring.delegation`)."""
    return inspectors.parse(handbook_text())


def send_notifications(rows: pd.DataFrame) -> None:
    """E-mail the outbox rows just written, if SMTP is configured (failures stay in the outbox)."""
    configured = settings()
    notify.deliver(store(), rows, configured.smtp, contacts())


@st.cache_data(show_spinner=False, max_entries=4)
def _tables(store_key: str, version: object, models: ValuationModels,
            _store: Store) -> dict[str, valuation.ValuationTable]:
    return valuation.read_tables(_store, models)


def valuation_tables() -> dict[str, valuation.ValuationTable]:
    """The valuation tables in use, keyed by model (cached by data version)."""
    s = store()
    return _tables(s.key, s.version(), models(), s)


@st.cache_data(show_spinner=False, max_entries=4)
def _climate(store_key: str, version: object, _store: Store) -> climate.Factors | None:
    text = _store.read_valuation_sources().get(climate.TABLE)
    return None if text is None else climate.parse(text)


def climate_factors() -> climate.Factors | None:
    """The climate factor table in use (None: none stored), cached by data version."""
    s = store()
    return _climate(s.key, s.version(), s)


@st.cache_data(show_spinner=False, max_entries=16)
def _restore_preview(store_key: str, version: object, change_id: str, audience: frozenset[str], _store: Store,
                     _user: User | None) -> tuple[gpd.GeoDataFrame, diff.LayerDiff, changemap.ChangeLayers]:
    row = publish.change_row(_store, change_id)
    earlier = privacy.redact_owners(publish.earlier_version(_store, change_id), _user)
    current = privacy.redact_owners(_store.read_layer(row["layer"], [row["ags"]]), _user)
    back = diff.diff_layer(current, earlier, row["layer"], allocations=_store.read_allocations())
    boundary = _store.read_layer(schema.BOUNDARY, [row["ags"]])
    return earlier, back, changemap.prepare(current, earlier, back, boundary)


def restore_preview(change_id: str) -> tuple[gpd.GeoDataFrame, diff.LayerDiff, changemap.ChangeLayers]:
    """A layer before *change_id*, what restoring it would change, and the map of that change, with
    private owners redacted for the signed-in person.

    Cached by data version: browsing the history reruns the page without re-reading the
    version files or redrawing the map. Raises :class:`geo.errors.FlaechenpoolError`.
    """
    s, user = store(), auth.current_user()
    return _restore_preview(s.key, s.version(), change_id, privacy.visible_municipalities(user), s, user)
