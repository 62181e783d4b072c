"""Flächenpool: entry point. Page config, navigation and the shared sidebar, once."""

from __future__ import annotations

import streamlit as st

from ui import chrome

st.set_page_config(page_title="Flächenpool Leipzig & Wurzener Land", page_icon="🌳",
                   layout="wide")

PAGES = [
    st.Page("pages/start.py", title="Auf einen Blick", icon=":material/dashboard:", default=True),
    st.Page("pages/uebersicht.py", title="Übersicht & Berichte", icon=":material/bar_chart:", url_path="uebersicht"),
    st.Page("pages/bewertung.py", title="Bewertungsmodelle", icon=":material/calculate:", url_path="bewertung"),
]

page = st.navigation(PAGES)
chrome.footer()
page.run()
