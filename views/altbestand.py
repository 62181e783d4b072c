"""Altbestand importieren (administrators): a partner's bookings from a spreadsheet into the shared ledger."""

from __future__ import annotations

import streamlit as st

from ui import auth
from ui import legacy as widgets

st.title("Altbestand importieren")
st.caption("Für Partner, die dem gemeinsamen Pool beitreten: ihre bisherigen Buchungen aus einer Tabelle. Jede Zeile "
           "wird nach Datum geordnet mit den Buchungsregeln geprüft; importiert wird alles in einer Änderung oder "
           "nichts.")
user = auth.current_user()
if user is None or user.role != "admin":
    st.error("Diese Seite ist der Administration vorbehalten. Bitte als Administrator anmelden.")
    st.stop()
widgets.flash()
upload = widgets.read_file()
if upload is not None:
    name, frame = upload
    mapping = widgets.mapping_form(frame, name)
    widgets.preview(user, frame, mapping, name)
