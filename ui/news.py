"""The start page's "Was ist neu": the feed of :mod:`geo.display.news` with links to the map, and for signed-in
people only what is new since their last visit (noted once per browser session, :mod:`geo.access.sessions`)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import fmt, schema
from geo.access import sessions
from geo.access.permissions import User
from geo.accounting.summary import PoolView
from geo.display import news
from geo.store import Store, change_number
from ui import data, tables

_VISIT = "was_ist_neu_letzter_besuch"
RECENT_UPLOADS = 20


@st.cache_data(show_spinner=False, max_entries=4)
def _new_ids(store_key: str, version: object, _store: Store, _view: PoolView) -> dict[str, list[str]]:
    """Ids each of the latest uploads added: the kept version before it against the state after it."""
    history = _view.history
    publishes = history[history["action"].isin(("upload", "restore")) & history["layer"].isin(
        (schema.POOL_AREAS, schema.INTERVENTIONS))]
    publishes = publishes.assign(number=publishes["change_id"].map(change_number)).sort_values("number")
    found: dict[str, list[str]] = {}
    for row in publishes.tail(RECENT_UPLOADS).itertuples():
        later = publishes[(publishes["ags"] == row.ags) & (publishes["layer"] == row.layer)
                          & (publishes["number"] > row.number)]
        layer = str(row.layer)
        after = (_store.read_version(str(row.ags), str(later["change_id"].iloc[0]), layer) if len(later)
                 else _view.layer(layer)[_view.layer(layer)["ags"] == row.ags])
        before = _store.read_version(str(row.ags), str(row.change_id), layer)
        found[str(row.change_id)] = news.added_ids(before, after, layer)
    return found


def _last_visit(user: User) -> dt.datetime | None:
    """The signed-in person's visit before this browser session (noted once per session)."""
    if _VISIT not in st.session_state:
        previous = sessions.visit(data.settings().data_dir, user.username)
        st.session_state[_VISIT] = None if previous is None else dt.datetime.fromtimestamp(previous, tz=dt.UTC)
    last: dt.datetime | None = st.session_state[_VISIT]
    return last


def section(view: PoolView, user: User | None) -> None:
    """Heading, the since-my-last-visit switch for signed-in people, and the feed with map links."""
    st.header("Was ist neu")
    s = data.store()
    ids = _new_ids(s.key, s.version(), s, view)
    since = _last_visit(user) if user is not None else None
    only_new = since is not None and st.toggle(
        f"Nur seit meinem letzten Besuch ({fmt.timestamp(since.astimezone(fmt.TIMEZONE))})", value=True,
        key="was_ist_neu_seit")
    frame = news.feed(view, new_ids=ids, since=since if only_new else None, limit=10)
    if frame.empty:
        st.caption("Seit Ihrem letzten Besuch ist nichts Neues dazugekommen.")
        return
    tables.show(frame, column_config={"Karte": st.column_config.LinkColumn("Karte", display_text="Auf der Karte")})
