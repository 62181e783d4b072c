"""Widgets of the page "Eingriffe & Zuordnung": filters, the selection, booking actions.

The URL holds the selected intervention (``?eingriff=<id>``, the map links here);
bookings go to :mod:`geo.accounting.booking`, which checks the permission and the ledger's rules.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.access.permissions import User, can_edit_municipality
from geo.accounting import booking, ledger
from geo.accounting.summary import PoolView
from geo.display import interventions
from geo.errors import FlaechenpoolError
from geo.map import mapfilter
from ui import data, tables
from ui import requests as request_widgets

PARAM = mapfilter.SELECTION_PARAMS[schema.INTERVENTIONS]
_KEY = "eingriffe_"
_FLASH = _KEY + "meldung"
_PENDING = _KEY + "vorhaben"
KIND_LABELS = {"reserviert": "Reservieren (Eingriff im Verfahren)", "zugeordnet": "Zuordnen (Eingriff genehmigt)"}


def filters(user: User | None) -> interventions.InterventionFilter:
    """Filter widgets above the list; a municipality's GIS user starts with their own interventions."""
    st.session_state.setdefault(_KEY + "gemeinden", [user.ags] if user and user.role == "gis" else [])
    cols = st.columns(4)
    ags = cols[0].multiselect("Gemeinde", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                              key=_KEY + "gemeinden", placeholder="alle Gemeinden", select_all=False)
    kinds = cols[1].multiselect("Art", schema.INTERVENTION_KINDS, key=_KEY + "arten",
                                placeholder="alle", select_all=False)
    status = cols[2].multiselect("Status", schema.INTERVENTION_STATUS, key=_KEY + "status",
                                 placeholder="alle", select_all=False)
    coverage = cols[3].multiselect("Deckung", schema.COVERAGE_STATES, key=_KEY + "deckung",
                                   placeholder="alle", select_all=False)
    return interventions.InterventionFilter(tuple(ags), tuple(kinds), tuple(status), tuple(coverage))


@dataclass(frozen=True)
class Listed:
    """The interventions a filter lets through, and their list as the page shows it (formatted once)."""

    shown: pd.DataFrame  # the enriched rows, in the view's order
    table: pd.DataFrame  # :func:`geo.display.interventions.list_table` of *shown*
    numbers: dict[str, Any]  # its column config for numbers (:func:`ui.tables.number_columns`)
    ids: list[str]
    digest: str  # changes with the rows listed (part of the list widget's key)


@st.cache_resource(show_spinner=False, max_entries=16)
def _listed(key: data.ViewKey, flt: interventions.InterventionFilter, _all: pd.DataFrame) -> Listed:
    shown = interventions.apply(_all, flt)
    ids = [str(i) for i in shown["intervention_id"]]
    table = interventions.list_table(shown)
    return Listed(shown, table, tables.number_columns(table), ids, f"{zlib.crc32(' '.join(ids).encode()):x}")


def listed(key: data.ViewKey, view: PoolView, flt: interventions.InterventionFilter) -> Listed:
    """The interventions of *view* (``data.view(key)``) that pass *flt* and their formatted list; once per *key*
    and filter (shared and read-only: a rerun that changes neither formats nothing)."""
    return _listed(key, flt, view.interventions)


@st.cache_resource(show_spinner=False, max_entries=4)
def _labels(key: data.ViewKey, _all: pd.DataFrame) -> dict[str, str]:
    return {str(i): f"{i} – {name}" for i, name in zip(_all["intervention_id"], _all["name"], strict=True)}


def pick(view_key: data.ViewKey, view: PoolView, listed: Listed) -> str | None:
    """The list of the *listed* interventions and the selected one, seeded from and written back to the URL.

    A click on a row of the list selects its intervention, as does the drop-down below it. The list's
    key carries the rows and the selection, so its highlighted row never points at a stale choice.
    """
    labels = _labels(view_key, view.interventions)  # "id – name" of every intervention
    wanted = st.query_params.get(PARAM)
    if wanted and wanted not in labels:
        st.warning(fmt.literal(f"Den Eingriff „{wanted}“ aus dem Link gibt es nicht. Bitte unten einen Eingriff "
                               "wählen."))
    key = _KEY + "auswahl"
    if key not in st.session_state:
        st.session_state[key] = wanted if wanted in labels else None
    ids = listed.ids
    rows_key = f"{_KEY}liste_{listed.digest}_{st.session_state[key]}"
    event = tables.show(listed.table, height=280, on_select="rerun", numbers=listed.numbers,
                        selection_mode="single-row", key=rows_key,
                        column_config={schema.label("name", schema.INTERVENTIONS): st.column_config.TextColumn(
                            width=140), "Hinweis": st.column_config.TextColumn(
                            width=90, help="⚠: Wertpunkte von Flächen mit Mängeln oder ohne Umsetzung")})
    rows = event.selection.rows
    if rows and rows[0] < len(ids):
        st.session_state[key] = ids[rows[0]]
    options = list(ids)
    if st.session_state[key] is not None and st.session_state[key] not in options:
        options.insert(0, st.session_state[key])
    chosen = st.selectbox("Eingriff", options, key=key, placeholder="Eingriff wählen …",
                          help="Oder eine Zeile der Liste anklicken.", format_func=lambda i: labels.get(i, f"{i} – "))
    if chosen != wanted:
        if chosen is None:
            del st.query_params[PARAM]
        else:
            st.query_params[PARAM] = chosen
    return chosen


def flash() -> None:
    """Show the message of the last booking action (it survives the rerun that refreshes the figures)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(fmt.literal(message))


def _run(action: Callable[[], object], message: str) -> None:
    try:
        action()
    except FlaechenpoolError as exc:
        st.error(fmt.literal(exc))
        return
    st.session_state[_FLASH] = message
    st.rerun()


def may_book(user: User | None, intervention: pd.Series) -> bool:
    """Show write widgets? (The real check is in :mod:`geo.accounting.booking`.) Explains why not."""
    name = schema.AGS_NAMES.get(str(intervention["ags"]), str(intervention["ags"]))
    if user is None:
        st.info(f"Buchen ist nur angemeldet möglich (GIS-Zuständige von {name} oder die Administration). "
                "Bitte in der Seitenleiste anmelden.")
        return False
    if not can_edit_municipality(user, str(intervention["ags"])):
        st.info(fmt.literal(f"Angemeldet als {user.label}: Buchungen für Eingriffe in {name} dürfen nur "
                            f"GIS-Zuständige von {name} oder die Administration vornehmen."))
        return False
    return True


@dataclass(frozen=True)
class _Plan:
    """A write the user asked for and has to confirm (shown below the form that asked for it)."""

    where: str  # "buchen" or "aktionen"
    intervention_id: str
    version: str  # the data version it was computed from: any write in between discards it
    text: str  # what will happen, with the figures
    button: str  # "Jetzt buchen", "Jetzt stornieren", "Jetzt zuordnen"
    action: Callable[[], object]
    message: str


def _ask(plan: _Plan) -> None:
    st.session_state[_PENDING] = plan


def _confirmation(where: str, intervention_id: str) -> None:
    """The confirmation step of a pending write: what will happen, "Jetzt …" and "Abbrechen"."""
    plan = st.session_state.get(_PENDING)
    if not isinstance(plan, _Plan) or plan.where != where:
        return
    if plan.intervention_id != intervention_id or plan.version != data.version_token():
        del st.session_state[_PENDING]
        if plan.intervention_id == intervention_id:
            st.info("Die Daten haben sich inzwischen geändert. Bitte die Angaben prüfen und erneut auslösen.")
        return
    with st.container(border=True):
        st.warning(fmt.literal(plan.text), icon=":material/help:")
        left, right = st.columns(2)
        go = left.button(plan.button, type="primary", key=data.keyed(_KEY + "jetzt"), icon=":material/check:")
        stop = right.button("Abbrechen", key=data.keyed(_KEY + "abbrechen"))
    if go or stop:
        del st.session_state[_PENDING]
    if go:
        _run(plan.action, plan.message)
    elif stop:
        st.rerun()


def booking_actions(user: User, intervention: pd.Series, active: pd.DataFrame, free: pd.Series) -> None:
    """Cancel an active booking, or turn a reservation into an allocation, after a confirmation.

    *free*: the pool areas' free points by ``pool_id`` (for the preview). Widget keys carry the
    data version, so after a write the note is empty and the choice starts afresh.
    """
    if active.empty:
        return
    intervention_id = str(intervention["intervention_id"])
    by_id = active.set_index("allocation_id", drop=False)
    labels = {str(i): interventions.booking_label(row) for i, row in by_id.iterrows()}
    with st.container(border=True):
        chosen = str(st.selectbox("Buchung", list(labels), format_func=labels.__getitem__,
                                  key=data.keyed(_KEY + "buchung"), placeholder="Bitte wählen …"))
        entry = active[active["allocation_id"] == chosen].iloc[0]
        notes = st.text_input("Bemerkung (optional)", key=data.keyed(_KEY + "aktion_notiz"))
        left, right = st.columns(2)
        cancel = left.button("Buchung stornieren", icon=":material/undo:", key=data.keyed(_KEY + "stornieren"))
        confirm = False
        if entry["kind"] == "reserviert":  # only a reservation can become an allocation
            confirm = right.button("Reservierung zuordnen", icon=":material/task_alt:",
                                   key=data.keyed(_KEY + "zuordnen"),
                                   disabled=not interventions.can_confirm(intervention),
                                   help="Erst möglich, wenn der Eingriff genehmigt ist.")
    store, version = data.store(), data.version_token()
    if cancel:
        _ask(_Plan("aktionen", intervention_id, version,
                   interventions.cancel_preview(entry, float(free.get(str(entry["pool_id"]), 0.0))), "Jetzt stornieren",
                   lambda: booking.cancel(store, user, allocation_id=chosen, notes=notes),
                   f"Buchung {chosen} storniert (Gegenbuchung im Journal)."))
    if confirm:
        _ask(_Plan("aktionen", intervention_id, version, interventions.confirm_preview(entry), "Jetzt zuordnen",
                   lambda: booking.confirm(store, user, allocation_id=chosen, notes=notes),
                   f"Reservierung {chosen} in eine Zuordnung umgebucht."))
    _confirmation("aktionen", intervention_id)


def booking_form(user: User, intervention: pd.Series, candidates: pd.DataFrame) -> None:
    """Book value points from the shown candidates of one's own municipality (administrators: any),
    and ask for points of the others' (the form "Anfrage stellen")."""
    kinds = interventions.allowed_kinds(intervention)
    if not kinds:
        st.info(fmt.literal(f"Für einen Eingriff mit Status „{intervention['status']}“ kann nicht gebucht werden."))
        return
    direct = candidates if user.role == "admin" else candidates[candidates["ags"] == intervention["ags"]]
    foreign = candidates.drop(direct.index)
    if len(direct):
        _direct_form(user, intervention, direct, kinds)
    if len(foreign):
        request_widgets.request_form(user, intervention, foreign, kinds, KIND_LABELS, _FLASH)


def _direct_form(user: User, intervention: pd.Series, candidates: pd.DataFrame,
                 kinds: tuple[ledger.BookingKind, ...]) -> None:
    """The form "Wertpunkte buchen"; "Buchen" shows what will happen, "Jetzt buchen" books.

    Keys carry the data version: after any write the drop-down, the proposed points and the
    empty note are computed from the ledger as it is now.
    """
    labels = {row["pool_id"]: interventions.candidate_label(row) for _, row in candidates.iterrows()}
    first = candidates.iloc[0]
    intervention_id = str(intervention["intervention_id"])
    with st.form(data.keyed(_KEY + "buchen"), border=True):
        st.markdown("**Wertpunkte buchen**")
        pool_id = st.selectbox("Poolfläche", list(labels), format_func=labels.__getitem__,
                               key=data.keyed(_KEY + "flaeche"), placeholder="Bitte wählen …")
        raw = st.text_input("Wertpunkte", value=fmt.number(min(first["free_points"], intervention["open_points"])),
                            help="Ganze Wertpunkte, z. B. 12.500", key=data.keyed(f"{_KEY}punkte_{intervention_id}"))
        kind = st.radio("Buchungsart", kinds, index=interventions.default_kind(kinds), format_func=KIND_LABELS.get,
                        horizontal=True, key=data.keyed(f"{_KEY}art_{intervention_id}"))
        notes = st.text_input("Bemerkung (optional)", key=data.keyed(_KEY + "notiz"))
        submitted = st.form_submit_button("Buchen", type="primary", icon=":material/add_task:")
    if submitted:
        try:
            points = interventions.booking_points(raw)
        except FlaechenpoolError as exc:
            st.session_state.pop(_PENDING, None)
            st.error(fmt.literal(exc))
            return
        free = float(candidates.set_index("pool_id").loc[pool_id, "free_points"])
        covered = interventions.covers(points, pool_id, candidates, intervention)
        if refusal := interventions.obvious_refusal(points=points, pool_id=pool_id, free_points=free,
                                                    intervention=intervention, covered=covered):
            st.session_state.pop(_PENDING, None)
            st.error(fmt.literal(refusal))  # no confirmation for what the ledger would refuse anyway
            return
        _ask(_Plan("buchen", intervention_id, data.version_token(),
                   interventions.booking_preview(
                       points=points, kind=kind, pool_id=pool_id, intervention_id=intervention_id, free_points=free,
                       covered=covered),
                   "Jetzt buchen",
                   lambda: booking.book(data.store(), user, pool_id=pool_id, intervention_id=intervention_id,
                                        points=points, kind=kind, notes=notes, models=data.models()),
                   f"{fmt.points(points)} von {pool_id} für {intervention_id} {kind}."))
    _confirmation("buchen", intervention_id)
