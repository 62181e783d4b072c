"""Start page: the pool at a glance, computed by geo.accounting.summary from the stored data."""

from __future__ import annotations

import streamlit as st

from geo import fmt
from geo.accounting import requests, summary
from geo.display import requests as display_requests
from geo.display.tables import municipality_table
from ui import auth, data, news, tables

st.title("Flächenpool auf einen Blick")
st.caption("Gemeinsamer Kompensationsflächenpool der Stadt Leipzig und der Gemeinden des Wurzener Landes")

view = data.view()
head = summary.headline(view)
user = auth.current_user()
if user is not None and user.ags is not None:
    waiting = requests.inbox(view.requests, user.ags, fmt.now())[0].query("state == 'offen'")
    if len(waiting):
        st.header(f"Offene Anfragen an Sie ({fmt.number(len(waiting))})")
        st.table(display_requests.inbox_table(waiting, direction="an")[
            ["Anfrage", "Von", "Eingriff", "Poolfläche", "Angefragt", "Alter", "Offen bis"]], hide_index=True)
        st.page_link("views/anfragen.py", label="Zusagen oder ablehnen", icon=":material/forward_to_inbox:")

count, area, interventions = st.columns(3)
count.metric("Poolflächen", fmt.number(head.pool_count), help="Anzahl der Kompensationsflächen im Pool")
area.metric("Fläche", fmt.hectares(head.pool_area_m2))
interventions.metric("Eingriffe", fmt.number(head.intervention_count))
free, open_, balance = st.columns(3)
free.metric("Freie Wertpunkte", fmt.points_short(head.free_points),
            help="Aufwertung aller Poolflächen abzüglich aller Reservierungen und Zuordnungen")
open_.metric("Offener Bedarf", fmt.points_short(head.open_points),
             help="Kompensationsbedarf der Eingriffe, der noch nicht durch Buchungen gedeckt ist")
balance.metric("Bilanz", fmt.points_short(head.balance), help="Freie Wertpunkte minus offener Bedarf")

st.header("Nach Gemeinde")
tables.show(municipality_table(summary.by_municipality(view)))
st.caption("Bilanz = freie Wertpunkte der Poolflächen der Gemeinde minus offener Bedarf ihrer Eingriffe. "
           "Buchungen über Gemeindegrenzen hinweg sind der Zweck des gemeinsamen Pools.")

news.section(view, user)
st.page_link("views/aenderungen.py", label="Alle Änderungen", icon=":material/history:")
