"""Flächenpool: entry point. Page config, navigation and the shared sidebar, once."""

from __future__ import annotations

import streamlit as st

from ui import assets, auth, chrome

st.set_page_config(page_title="Flächenpool Leipzig & Wurzener Land", page_icon="🌳",
                   layout="wide")

PAGES = [
    st.Page("pages/start.py", title="Auf einen Blick", icon=":material/dashboard:", default=True),
    st.Page("pages/uebersicht.py", title="Übersicht & Berichte", icon=":material/bar_chart:", url_path="uebersicht"),
    st.Page("pages/karte.py", title="Karte", icon=":material/map:", url_path="karte"),
    st.Page("pages/eingriffe.py", title="Eingriffe & Zuordnung", icon=":material/handshake:", url_path="eingriffe"),
    st.Page("pages/bewertung.py", title="Bewertungsmodelle", icon=":material/calculate:", url_path="bewertung"),
    st.Page("pages/hochladen.py", title="Daten hochladen", icon=":material/upload:", url_path="hochladen"),
    st.Page("pages/aenderungen.py", title="Änderungen", icon=":material/history:", url_path="aenderungen"),
]

assets.ensure_leaflet()
page = st.navigation(PAGES)
auth.sidebar()
chrome.footer()
auth.require_sign_in_to_read()
page.run()
