"""The map explorer's widgets: sidebar filters, details panel, tables below the map.

The URL is the source of the view state: widgets are seeded from it (see
:func:`filter_sidebar`) and the page writes the state back with
:func:`sync_query_params`. Figures and tables come from :mod:`geo.map.selection`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.typing import DataframeState

from geo import fmt, schema
from geo.accounting.summary import PoolView
from geo.errors import FlaechenpoolError
from geo.map import mapfilter, selection
from geo.map.mapfilter import MapFilter, Selection
from ui import data, tables

_KEY = "karte_"


def _seed(flt: MapFilter) -> dict[str, object]:
    return {
        "gemeinden": list(flt.municipalities), "status": list(flt.pool_status),
        "massnahmen": list(flt.measure_types), "min_wp": fmt.number(flt.min_free_points) if flt.min_free_points
        else "", "suche": flt.text, "arten": list(flt.intervention_kinds),
        "eingriffsstatus": list(flt.intervention_status),
    }


def filter_sidebar(initial: MapFilter) -> MapFilter:
    """Sidebar filters, seeded from *initial* (the link) on first show; returns what they say."""
    for name, value in _seed(initial).items():
        st.session_state.setdefault(_KEY + name, value)
    with st.sidebar:
        st.header("Filter")
        ags = st.multiselect("Gemeinden", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                             key=_KEY + "gemeinden", placeholder="alle Gemeinden", select_all=False)
        text = st.text_input("Suche (ID, Name, Flurstück)", key=_KEY + "suche")
        st.subheader("Poolflächen")
        status = st.multiselect("Status", schema.POOL_STATUS, key=_KEY + "status", placeholder="alle", select_all=False)
        measures = st.multiselect("Maßnahmentyp", schema.MEASURE_TYPES, key=_KEY + "massnahmen",
                                  placeholder="alle", select_all=False)
        min_raw = st.text_input("Mindestens freie Wertpunkte", key=_KEY + "min_wp", placeholder="z. B. 10.000")
        min_free = mapfilter.parse_points(min_raw)
        if min_free is None:
            st.error(fmt.literal(f"„{min_raw}“ ist keine Zahl ≥ 0. Bitte z. B. 10.000 eingeben."))
        st.subheader("Eingriffe")
        kinds = st.multiselect("Art", schema.INTERVENTION_KINDS, key=_KEY + "arten",
                               placeholder="alle", select_all=False)
        itv_status = st.multiselect("Status", schema.INTERVENTION_STATUS, key=_KEY + "eingriffsstatus",
                                    placeholder="alle", select_all=False)
    return MapFilter(municipalities=tuple(ags), pool_status=tuple(status), measure_types=tuple(measures),
                     intervention_kinds=tuple(kinds), intervention_status=tuple(itv_status),
                     min_free_points=min_free or 0.0, text=text)


def sync_query_params(flt: MapFilter, chosen: Selection | None) -> None:
    """Write the view state into the URL (only when it changed, to spare the browser history)."""
    wanted = mapfilter.encode(flt, chosen)
    if {k: st.query_params.get_all(k) for k in st.query_params} != {k: [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)


def details_panel(view: PoolView, chosen: Selection | None) -> bool:
    """The selected feature's fields, figures and bookings; True when the user clears it."""
    if chosen is None:
        st.info("Eine Poolfläche oder einen Eingriff auf der Karte anklicken (oder in der Tabelle unten "
                "auswählen), um alle Angaben zu sehen.")
        return False
    try:
        d = selection.details(view, chosen, data.valuation_tables())
    except FlaechenpoolError as exc:
        st.warning(fmt.literal(exc))
        return st.button("Auswahl aufheben")
    st.subheader(fmt.literal(f"{d.kind} {chosen.feature_id}"), anchor=False)
    st.caption(fmt.literal(d.name))
    cols = st.columns(2)
    for i, (label, value) in enumerate(d.figures):
        cols[i % 2].metric(label, value)
    if chosen.layer == schema.INTERVENTIONS:
        st.link_button("Im Bereich Eingriffe & Buchung öffnen", mapfilter.intervention_link(chosen.feature_id),
                       icon=":material/open_in_new:")
    tables.static(d.fields, hide_header=True)
    st.markdown(f"**Buchungen ({fmt.number(d.booking_count)})**")
    if d.booking_count:
        tables.static(d.bookings, links=d.booking_links)
    else:
        st.caption("Keine aktiven Reservierungen oder Zuordnungen.")
    return st.button("Auswahl aufheben")


def _picked(event: DataframeState | None, ids: pd.Series, layer: mapfilter.SelectableLayer) -> Selection | None:
    rows = event.selection.rows if event is not None else []
    return Selection(layer, str(ids.iloc[rows[0]])) if rows and rows[0] < len(ids) else None


def feature_tables(shown: PoolView, total: PoolView) -> dict[str, Selection | None]:
    """Tabs with the filtered pool areas and interventions; returns the picked row of each table."""
    pool_label = f"Poolflächen ({fmt.number(len(shown.pool_areas))} von {fmt.number(len(total.pool_areas))})"
    itv_label = f"Eingriffe ({fmt.number(len(shown.interventions))} von {fmt.number(len(total.interventions))})"
    pool_tab, itv_tab = st.tabs([pool_label, itv_label])
    with pool_tab:
        pool_event = tables.show(selection.pool_table(shown.pool_areas), on_select="rerun",
                                 selection_mode="single-row", key=_KEY + "pool_rows")
    with itv_tab:
        itv_event = tables.show(
            selection.intervention_table(shown.interventions),
            on_select="rerun", selection_mode="single-row", key=_KEY + "itv_rows",
            column_config={selection.LINK_COLUMN: st.column_config.LinkColumn(
                selection.LINK_COLUMN, display_text="Eingriff öffnen",
                help="Öffnet den Eingriff im Bereich Eingriffe & Buchung")})
    return {"pool_rows": _picked(pool_event, shown.pool_areas["pool_id"], schema.POOL_AREAS),
            "itv_rows": _picked(itv_event, shown.interventions["intervention_id"], schema.INTERVENTIONS)}
