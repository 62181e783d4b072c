"""Widgets for requests across borders: the inbox, deciding, withdrawing, the request form, the outbox.

Every action goes to :mod:`geo.accounting.consent`, which checks the permission and the
rules inside the store's transaction; afterwards the new notifications are e-mailed when
SMTP is configured.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.access.permissions import User, can_edit_municipality
from geo.accounting import consent, ledger
from geo.display import interventions
from geo.display import requests as display
from geo.errors import FlaechenpoolError
from geo.store import Change
from ui import data, tables

_KEY = "anfragen_"
_FLASH = _KEY + "meldung"


def flash() -> None:
    """The message of the last action (it survives the rerun that refreshes the figures)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def run(action: Callable[[], Change], message: str, *, flash_key: str = _FLASH) -> None:
    """Do *action*; show a refusal, or send its notifications, remember *message* and rerun."""
    try:
        change = action()
    except FlaechenpoolError as exc:
        st.error(str(exc))
        return
    data.send_notifications(change.outbox)
    st.session_state[flash_key] = message
    st.rerun()


def table(rows: pd.DataFrame, direction: str) -> None:
    if rows.empty:
        st.caption("Keine Anfragen.")
    else:
        tables.show(display.inbox_table(rows, direction=direction))


def decide_form(user: User, open_rows: pd.DataFrame) -> None:
    """Approve (optionally for fewer points, with a condition) or decline an open request to us."""
    labels = {row["request_id"]: display.label(row) for _, row in open_rows.iterrows()}
    with st.form(data.keyed(_KEY + "entscheiden"), border=True):
        st.markdown("**Anfrage beantworten**")
        request_id = st.selectbox("Anfrage", list(labels), format_func=labels.__getitem__,
                                  key=data.keyed(_KEY + "anfrage"), placeholder="Bitte wählen …")
        raw = st.text_input("Zugesagte Wertpunkte (leer: wie angefragt)", key=data.keyed(_KEY + "punkte"),
                            help="Weniger als angefragt zusagen, z. B. 40.000")
        text = st.text_input("Auflage (bei Zusage) oder Grund (bei Ablehnung)", key=data.keyed(_KEY + "text"))
        left, right = st.columns(2)
        approve = left.form_submit_button("Zusagen", type="primary", icon=":material/check_circle:")
        decline = right.form_submit_button("Ablehnen", icon=":material/cancel:")
    store = data.store()
    if approve:
        try:
            points = interventions.booking_points(raw) if raw.strip() else None
        except FlaechenpoolError as exc:
            st.error(str(exc))
            return
        run(lambda: consent.approve(store, user, request_id=request_id, points=points, condition=text,
                                    models=data.models()),
            f"Anfrage {request_id} zugesagt; die Buchung steht im Journal.")
    if decline:
        run(lambda: consent.decline(store, user, request_id=request_id, reason=text),
            f"Anfrage {request_id} abgelehnt.")


def withdraw_form(user: User, open_rows: pd.DataFrame) -> None:
    labels = {row["request_id"]: display.label(row) for _, row in open_rows.iterrows()}
    with st.form(data.keyed(_KEY + "zurueckziehen"), border=True):
        request_id = st.selectbox("Eigene offene Anfrage", list(labels), format_func=labels.__getitem__,
                                  key=data.keyed(_KEY + "eigene"), placeholder="Bitte wählen …")
        reason = st.text_input("Bemerkung (optional)", key=data.keyed(_KEY + "bemerkung"))
        withdraw = st.form_submit_button("Anfrage zurückziehen", icon=":material/undo:")
    if withdraw:
        run(lambda: consent.withdraw(data.store(), user, request_id=request_id, reason=reason),
            f"Anfrage {request_id} zurückgezogen.")


def request_form(user: User, intervention: pd.Series, foreign: pd.DataFrame, kinds: tuple[ledger.BookingKind, ...],
                 kind_labels: dict[str, str], flash_key: str) -> None:
    """Ask another municipality for points of one of its areas (the booking form's request mode).

    Keys carry the data version (:func:`ui.data.keyed`): after any write the form shows the ledger's figures now."""
    labels = {row["pool_id"]: interventions.candidate_label(row) for _, row in foreign.iterrows()}
    first = foreign.iloc[0]
    intervention_id = str(intervention["intervention_id"])
    still_open = float(intervention["open_points"] - intervention["requested_points"])
    with st.form(data.keyed("eingriffe_anfrage"), border=True):
        st.markdown("**Wertpunkte anfragen** (Poolflächen anderer Gemeinden)")
        st.caption("Die Gemeinde der Fläche sagt zu oder lehnt ab; bis dahin sind die Punkte für andere "
                   f"gesperrt. Offen bleibt die Anfrage {data.settings().request_days} Tage.")
        pool_id = st.selectbox("Poolfläche", list(labels), format_func=labels.__getitem__,
                               key=data.keyed("eingriffe_anfrage_fl"), placeholder="Bitte wählen …")
        raw = st.text_input("Wertpunkte", value=fmt.number(max(min(first["free_points"], still_open), 0)),
                            key=data.keyed(f"eingriffe_anfrage_punkte_{intervention_id}"))
        kind = st.radio("Buchungsart", kinds, index=interventions.default_kind(kinds), format_func=kind_labels.get,
                        horizontal=True, key=data.keyed(f"eingriffe_anfrage_art_{intervention_id}"))
        message = st.text_input("Nachricht an die Gemeinde der Fläche", key=data.keyed("eingriffe_anfrage_text"))
        submitted = st.form_submit_button("Anfrage stellen", type="primary", icon=":material/send:")
    if submitted:
        try:
            points = interventions.booking_points(raw)
        except FlaechenpoolError as exc:
            st.error(str(exc))
            return
        owner = schema.AGS_NAMES[str(foreign.set_index("pool_id").loc[pool_id, "ags"])]
        run(lambda: consent.ask(data.store(), user, intervention_id=intervention_id, pool_id=pool_id, points=points,
                                kind=kind, message=message, days=data.settings().request_days,
                                models=data.models()),
            f"Anfrage an {owner} gestellt: {fmt.points(points)} aus {pool_id} für {intervention_id}. "
            "Sie steht auf der Seite „Anfragen“.", flash_key=flash_key)


def may_decide(user: User | None, rows: pd.DataFrame) -> pd.DataFrame:
    """The open requests among *rows* that *user* may answer."""
    if user is None:
        return rows.iloc[:0]
    return rows[(rows["state"] == "offen") & rows["to_ags"].map(lambda a: can_edit_municipality(user, str(a)))]


def outbox(outbox_rows: pd.DataFrame) -> None:
    """The notifications for administrators, with a button to send the unsent ones again."""
    if outbox_rows.empty:
        st.caption("Noch keine Benachrichtigungen.")
        return
    tables.show(display.outbox_table(outbox_rows))
    unsent = outbox_rows[outbox_rows["sent_at"].isna()]
    if data.settings().smtp is not None and len(unsent) and st.button(f"{len(unsent)} unversendete erneut senden"):
        data.send_notifications(unsent)
        st.rerun()
