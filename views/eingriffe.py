"""Eingriffe & Zuordnung: which interventions still need compensation, which pool areas fit,
booking value points across municipal borders, and what the sharing adds up to."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import fmt, schema
from geo.accounting import candidates, summary
from geo.display import interventions
from geo.errors import FlaechenpoolError
from geo.map import candidatemap
from geo.map.mapfilter import Selection
from geo.map.selection import details
from ui import auth, data, flows, monitoring, reports, tables
from ui import interventions as widgets

st.title("Eingriffe & Zuordnung")
key = data.view_key()  # first: the caches below are keyed by it, never ahead of the view
view = data.view(key)
user = auth.current_user()
widgets.flash()
list_tab, flow_tab = st.tabs(["Eingriffe und Buchung", "Ausgleich über Gemeindegrenzen"])

with flow_tab:
    flows.section(reports.report(summary.Scope()))

with list_tab:
    listed = widgets.listed(key, view, widgets.filters(user))
    st.caption(f"{fmt.number(len(listed.shown))} von {fmt.number(len(view.interventions))} Eingriffen · offener "
               f"Bedarf {fmt.points(listed.shown['open_points'].sum())}")
    chosen = widgets.pick(key, view, listed)
    if chosen is None:
        st.info("Einen Eingriff wählen, um seine Buchungen und passende Poolflächen zu sehen.")
        st.stop()
    try:
        row = interventions.one(view.interventions, chosen)
    except FlaechenpoolError as exc:
        st.error(fmt.literal(exc))
        st.stop()

    st.subheader(fmt.literal(f"{chosen} – {row['name']}"), anchor=False)
    st.caption(fmt.literal(" · ".join(interventions.facts(row, data.valuation_tables()))))
    if warning := interventions.monitoring_warning(row):
        st.warning(fmt.literal(warning), icon=":material/report:")
    cols = st.columns(4)
    cols[0].metric("Bedarf", fmt.points(row["demand_points"]))
    cols[1].metric("Gebucht", fmt.points(row["covered_points"]),
                   help=f"reserviert {fmt.points(row['reserved_points'])}, "
                        f"zugeordnet {fmt.points(row['allocated_points'])}")
    cols[2].metric("Offener Bedarf", fmt.points(row["open_points"]))
    cols[3].metric(f"Deckung: {row['coverage']}", fmt.percent(row["coverage_share"]))
    with st.expander("Alle Angaben zum Eingriff"):
        fields = details(view, Selection(schema.INTERVENTIONS, chosen), data.valuation_tables()).fields
        tables.show(fields, hide_index=True, width="stretch")
    monitoring.intervention_documents(user, row, view)

    entries = interventions.journal(view, chosen)
    st.markdown(f"**Buchungsjournal ({fmt.count(len(entries), 'Eintrag', 'Einträge')})**")
    if entries.empty:
        st.caption("Noch keine Buchungen für diesen Eingriff.")
    else:
        tables.show(interventions.journal_table(entries))
    editor = user if widgets.may_book(user, row) else None  # the signed-in user, if they may book here
    if editor is not None:
        widgets.booking_actions(editor, row, interventions.active_bookings(entries),
                                view.pool_areas.set_index("pool_id")["free_points"])

    st.markdown("**Passende Poolflächen**")
    if row["open_points"] <= 0.5:
        st.success("Der Bedarf ist gedeckt: keine weiteren Buchungen nötig.")
        st.stop()
    liked = candidates.like_for_like(row["biotope_before"])
    left, right = st.columns(2)
    origin = left.multiselect("Poolflächen aus", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                              key="eingriffe_herkunft", placeholder="allen Gemeinden", select_all=False)
    preferred = right.multiselect(
        "Bevorzugte Maßnahmentypen", schema.MEASURE_TYPES, default=list(liked), key=f"eingriffe_massnahmen_{chosen}",
        help=f"Vorschlag: gleichartiger Ausgleich für {candidates.biotope_group(row['biotope_before'])}",
        placeholder="keine Vorliebe", select_all=False)
    pool = view.pool_areas[view.pool_areas["ags"].isin(origin)] if origin else view.pool_areas
    best = candidates.rank(pool, row, data.neighbours(), preferred_measures=preferred, limit=10)
    if best.empty:
        st.warning("Keine Poolfläche mit freien Wertpunkten in der Auswahl.")
        st.stop()
    everywhere = f" (von {fmt.number(candidates.bookable(view.pool_areas).sum())} insgesamt)" if origin else ""
    st.caption(f"Die besten {fmt.number(len(best))} von {fmt.number(candidates.bookable(pool).sum())} buchbaren "
               f"Poolflächen{' der gewählten Gemeinden' if origin else ''}{everywhere}. "
               "Der Rang bewertet die Gemeinde (eigene vor Nachbargemeinde), ob die Fläche den Restbedarf allein "
               "deckt, den Maßnahmentyp und die Entfernung.")
    st_folium(candidatemap.build(view, chosen, best, offline=data.settings().offline), key="eingriffe_karte",
              height=420, use_container_width=True, returned_objects=[])
    tables.static(interventions.candidate_table(best))  # the reasons wrap
    if editor is not None:
        widgets.booking_form(editor, row, best)
