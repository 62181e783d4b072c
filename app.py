"""Flächenpool: entry point. Page config, navigation and the shared sidebar, once."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from geo import logs
from ui import assets, auth, chrome

logs.configure()  # JSON lines to FLAECHENPOOL_LOG or stderr, once per process

st.set_page_config(page_title="Flächenpool Leipzig & Wurzener Land", page_icon="🌳",
                   layout="wide")

_admin = (user := auth.current_user()) is not None and user.role == "admin"
# The admin pages refuse everyone else themselves; hidden, they are not offered.
_for_admins: Literal["visible", "hidden"] = "visible" if _admin else "hidden"

# Grouped by what people do, shown as one list: Streamlit's section headers break the navigation's list
# markup (axe: "list", "listitem"); expanded, or Streamlit folds every page past the tenth into "View more".
GROUPS = {
    "Pool": [
        st.Page("views/start.py", title="Auf einen Blick", icon=":material/dashboard:", default=True),
        st.Page("views/karte.py", title="Karte", icon=":material/map:", url_path="karte"),
        st.Page("views/eingriffe.py", title="Eingriffe & Zuordnung", icon=":material/handshake:",
                url_path="eingriffe"),
        st.Page("views/anfragen.py", title="Anfragen", icon=":material/forward_to_inbox:", url_path="anfragen"),
    ],
    "Berichte & Verrechnung": [
        st.Page("views/uebersicht.py", title="Übersicht & Berichte", icon=":material/bar_chart:",
                url_path="uebersicht"),
        st.Page("views/verrechnung.py", title="Verrechnung", icon=":material/euro:", url_path="verrechnung"),
        st.Page("views/bewertung.py", title="Bewertungsmodelle", icon=":material/calculate:", url_path="bewertung"),
    ],
    "Zusammenarbeit": [
        st.Page("views/partner.py", title="Partner", icon=":material/groups:", url_path="partner"),
        st.Page("views/handbuch.py", title="Prozesshandbuch", icon=":material/menu_book:", url_path="handbuch"),
    ],
    "Daten & Pflege": [
        st.Page("views/hochladen.py", title="Daten hochladen", icon=":material/upload:", url_path="hochladen"),
        st.Page("views/monitoring.py", title="Monitoring", icon=":material/fact_check:", url_path="monitoring"),
        st.Page("views/aenderungen.py", title="Änderungen", icon=":material/history:", url_path="aenderungen"),
        st.Page("views/betrieb.py", title="Betrieb", icon=":material/monitor_heart:", url_path="betrieb",
                visibility=_for_admins),
        st.Page("views/altbestand.py", title="Altbestand importieren", icon=":material/upload_file:",
                url_path="altbestand", visibility=_for_admins),
    ],
    "Hinweise": [
        st.Page("views/datenschutz.py", title="Datenschutz", icon=":material/shield_person:", url_path="datenschutz"),
    ],
}

assets.ensure_leaflet()
assets.ensure_maplibre()
page = st.navigation([p for group in GROUPS.values() for p in group], expanded=True)
auth.sidebar(needed=page.url_path == "hochladen")
chrome.footer()  # before the page: a page that stops early (st.stop) drops anything drawn after it
auth.require_sign_in_to_read()
page.run()
