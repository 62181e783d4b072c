"""Flächenpool: entry point. Page config, navigation and the shared sidebar, once."""

from __future__ import annotations

import streamlit as st

from ui import assets, chrome

st.set_page_config(page_title="Flächenpool Leipzig & Wurzener Land", page_icon="🌳",
                   layout="wide")

PAGES = [
    st.Page("pages/start.py", title="Auf einen Blick", icon=":material/dashboard:", default=True),
    st.Page("pages/uebersicht.py", title="Übersicht & Berichte", icon=":material/bar_chart:", url_path="uebersicht"),
    st.Page("pages/karte.py", title="Karte", icon=":material/map:", url_path="karte"),
    st.Page("pages/bewertung.py", title="Bewertungsmodelle", icon=":material/calculate:", url_path="bewertung"),
]

assets.ensure_leaflet()
page = st.navigation(PAGES)
chrome.footer()
page.run()
