"""Monitoring: are the measures on the ground? Overdue checks, defects, measures not started in time,
entering inspections with photos (also on a phone), an area's record, and the KoKa-Nat export."""

from __future__ import annotations

import streamlit as st

from geo import fmt
from geo.accounting import summary
from geo.display import monitoring as display
from ui import auth, data, handbook
from ui import monitoring as widgets

st.title("Monitoring")
view = data.view()
stored, table = data.monitoring()
user = auth.current_user()
delegation = data.delegation()
chosen = widgets.municipalities(user, delegation)
shown = table[table["ags"].isin(chosen)] if chosen else table
st.caption(f"Stand {fmt.date(fmt.today())} · {fmt.count(len(shown), 'Poolfläche', 'Poolflächen')} · nächste "
           "Kontrolle nach Maßnahmentyp (Kontrollintervalle)")
overview_tab, entry_tab, area_tab, export_tab = st.tabs(
    ["Übersicht", "Kontrolle erfassen", "Fläche im Detail", "Export KoKa-Nat"])

with overview_tab:
    widgets.headline(shown)
    widgets.lists(shown)

with entry_tab:
    widgets.flash(widgets.ENTRY)
    handbook.problems(delegation)
    mine = widgets.inspectable(user, table, delegation)
    area = None if mine is None else widgets.pick_area(mine, "Fläche", "monitoring_kontrolle_flaeche")
    if user is not None and area is not None:
        st.caption(fmt.literal(display.area_facts(area)))
        widgets.inspection_form(user, area, delegation)

with area_tab:
    widgets.flash(widgets.DETAIL)
    area = widgets.pick_area(table, "Fläche", "monitoring_detail_flaeche")
    if area is not None:
        bookings = widgets.area_record(user, area, view, stored)
        if user is not None and user.role == "admin" and area["monitoring_flag"]:
            widgets.lock_form(user, area, len(bookings))
        if user is not None and widgets.may_write(user, area, "Umsetzungsstände und Dokumente erfassen", delegation):
            left, right = st.columns(2)
            with left:
                st.markdown("**Umsetzungsstand erfassen**")
                widgets.state_form(user, area, delegation)
            with right:
                st.markdown("**Dokument hinzufügen**")
                widgets.document_form(user, area, bookings, delegation)

with export_tab:
    widgets.downloads(summary.select(data.public_view(), chosen), stored, shown)
