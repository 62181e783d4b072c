"""Anfragen: requests across borders to and from the signed-in municipality; answer, withdraw, notifications."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.accounting import requests
from ui import auth, data
from ui import requests as widgets

st.title("Anfragen")
st.caption("Wertpunkte aus Poolflächen einer anderen Gemeinde werden angefragt; die Gemeinde der Fläche sagt zu "
           "(auch für weniger Punkte oder mit Auflage) oder lehnt ab. Eine Zusage bucht sofort. Offene Anfragen "
           "laufen nach ihrer Frist ab; angefragte Punkte sind bis dahin für andere nicht frei.")
view = data.view()
user = auth.current_user()
widgets.flash()
now = fmt.now()
every = requests.overview(view.requests, now)

if user is None or user.role == "lesen" or (user.role == "gis" and user.ags is None):
    st.info("Die Anfragen einer Gemeinde sieht, wer für sie angemeldet ist (GIS-Zuständige oder Administration). "
            "Bitte in der Seitenleiste anmelden.")
    widgets.table(every, "an")
    st.stop()

if user.role == "admin":
    st.subheader("Alle Anfragen")
    widgets.table(every, "an")
    answerable = widgets.may_decide(user, every)
    if len(answerable):
        widgets.decide_form(user, answerable)
    st.subheader("Benachrichtigungen")
    st.caption("Bei jeder Änderung einer Anfrage erhält die andere Gemeinde eine Nachricht; per E-Mail, wenn SMTP "
               "eingerichtet ist (FLAECHENPOOL_SMTP_HOST). Nicht versendete bleiben hier mit ihrem Fehler stehen.")
    widgets.outbox(view.outbox)
    st.stop()

assert user.ags is not None
name = schema.AGS_NAMES[user.ags]
to_us, from_us = requests.inbox(view.requests, user.ags, now)
open_to_us, open_from_us = to_us[to_us["state"] == "offen"], from_us[from_us["state"] == "offen"]
to_tab, from_tab = st.tabs([f"An {name} ({len(open_to_us)} offen)", f"Von {name} ({len(open_from_us)} offen)"])
with to_tab:
    widgets.table(to_us, "an")
    if len(open_to_us):
        widgets.decide_form(user, open_to_us)
    st.page_link("views/verrechnung.py", label="Verrechnung und Buchungsbestätigungen der Zusagen",
                 icon=":material/euro:")
with from_tab:
    widgets.table(from_us, "von")
    if len(open_from_us):
        widgets.withdraw_form(user, open_from_us)
    st.page_link("views/eingriffe.py", label="Neue Anfrage: auf der Seite Eingriffe & Zuordnung",
                 icon=":material/handshake:")
