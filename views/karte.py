"""Karte: where the pool areas are, what state they are in and what is planned nearby.

Filters and the selected feature live in the URL, so a link opens the same view.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import fmt
from geo.accounting import summary
from geo.map import mapfilter, selection, webmap
from ui import data, mapcache, mapview, vectormap

st.title("Karte")
view = data.view()
state = mapfilter.decode({key: st.query_params.get_all(key) for key in st.query_params})
for problem in state.problems:
    st.warning(fmt.literal(f"Im Link: {problem}"))
flt = mapview.filter_sidebar(state.filter)
shown = mapfilter.apply(view, flt)
chosen = state.selection

head = summary.headline(shown)
st.caption(
    f"{fmt.number(head.pool_count)} {'Poolfläche' if head.pool_count == 1 else 'Poolflächen'} "
    f"({fmt.hectares(head.pool_area_m2)}, {fmt.points(head.free_points)} frei) · "
    f"{fmt.number(head.intervention_count)} {'Eingriff' if head.intervention_count == 1 else 'Eingriffe'} "
    f"({fmt.points(head.open_points)} offener Bedarf). Klick auf eine Fläche zeigt ihre Angaben; "
    "der Link in der Adresszeile öffnet dieselbe Ansicht.")
if head.pool_count == 0 and head.intervention_count == 0:
    st.info("Keine Poolfläche und kein Eingriff passt zu den Filtern. Lockern Sie die Filter in der Seitenleiste "
            "(z. B. Mindestens freie Wertpunkte oder Suche).")

if chosen is not None:  # on a phone the details come below the map: a way there without scrolling past it
    st.markdown(f"[Angaben zu {fmt.literal(chosen.feature_id)} ↓](#{mapview.DETAILS_ANCHOR})")
map_col, info_col = st.columns([3, 2], gap="medium")
with map_col:
    if vectormap.wanted():
        map_pick = vectormap.show(flt, shown, chosen, key="karte_vmap", height=640)
    else:
        map_pick = selection.map_pick(st_folium(
            mapcache.map_for(flt, shown), key="karte_map", height=640, use_container_width=True,
            returned_objects=["last_active_drawing", "last_object_clicked"],
            feature_group_to_add=webmap.selection_layer(view, chosen)))
with info_col:
    cleared = mapview.details_panel(view, chosen)

candidates: dict[str, tuple[mapfilter.Selection | None, object]] = {"map": map_pick}
candidates.update({source: (pick, pick) for source, pick in mapview.feature_tables(shown, view).items()})
changed = cleared
if cleared:
    chosen = None
for source, (candidate, token) in candidates.items():
    fresh = selection.new_pick(candidate, token, st.session_state.get(f"karte_seen_{source}"))
    st.session_state[f"karte_seen_{source}"] = token
    if fresh is not None:
        chosen, changed = fresh, True
mapview.sync_query_params(flt, chosen)
if changed:
    st.rerun()
