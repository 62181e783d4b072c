"""The overview's presentation mode: one slide of :func:`geo.reports.slides.deck` per screen.

Made for a projector at 1280×720: no sidebar, no toolbar, large type, each chart fitted to the
screen. The slide number lives in the URL (``?folie=N``); ← and → (or the buttons) page,
Esc ends the presentation. The paging bar sits above the title, so that it never leaves the
screen; the speaker notes (with each chart's and the map's description in words) open from it.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from geo import fmt
from geo.accounting import summary
from geo.reports import content, link, slides
from ui import reports

CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 3rem 0.5rem 3rem; max-width: none; }
[data-testid="stMain"] h1 { font-size: 2.6rem; padding: 0.2rem 0 0.4rem 0; }
[data-testid="stMetricValue"] { font-size: 3.3rem; line-height: 1.15; }
[data-testid="stMetricLabel"] p { font-size: 1.9rem; }
[data-testid="stMetricDelta"] { font-size: 1.4rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.25rem; }
</style>"""
CHART_HEIGHT = 360
"""Plot height of a chart on a 720 px screen (paging bar, heading, axis, legend and note fit around it)."""
MAP_SIZE_IN = (11.0, 4.6)


def _go(state: link.OverviewState, slide: int | None) -> None:
    st.query_params.from_dict(link.encode(dataclasses.replace(state, slide=slide, problems=())))


def _figures(slide: slides.Slide) -> None:
    for column, figure in zip(st.columns(len(slide.figures)), slide.figures, strict=True):
        with column, st.container(border=True):
            st.metric(figure.label, figure.value, delta=figure.delta or None, delta_color="off")
            st.caption(figure.note)


def show(report: summary.Report, state: link.OverviewState) -> None:
    """The slide *state.slide* of *report* (clamped to the deck) with the paging bar."""
    deck = slides.deck(report)
    number = min(state.slide or 1, len(deck))
    slide = deck[number - 1]
    st.html(CSS)
    with st.container(horizontal=True, vertical_alignment="center", key="praesentation_leiste"):
        st.caption(f"{content.scope_label(report.scope)} · Folie {number} von {len(deck)}", width="stretch")
        st.button("Zurück", icon=":material/arrow_back:", shortcut="Left", disabled=number == 1,
                  on_click=_go, args=(state, number - 1), key="folie_zurueck")
        st.button("Weiter", icon=":material/arrow_forward:", shortcut="Right", disabled=number == len(deck),
                  on_click=_go, args=(state, number + 1), key="folie_weiter")
        with st.popover("Notizen", icon=":material/speaker_notes:"):
            st.markdown(fmt.literal(slide.notes))
        st.button("Beenden", icon=":material/close:", shortcut="Esc", on_click=_go, args=(state, None),
                  key="folie_ende")
    st.title(slide.title)
    if slide.kind == "figures":
        _figures(slide)
    elif slide.kind == "chart" and slide.chart is not None:
        reports.chart(report.scope, slide.chart, plot_height=CHART_HEIGHT, large=True, titled=False, details=False)
    else:
        st.image(reports.map_png(report.scope, width_in=MAP_SIZE_IN[0], height_in=MAP_SIZE_IN[1]))
