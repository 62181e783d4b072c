"""Council overview: today's figures, charts of a year range, a presentation mode and the report downloads.

The selection lives in the URL (:mod:`geo.reports.link`), so a reload keeps it and a link opens the
same view, e.g. ``/uebersicht?gemeinde=wurzen&von=2020&bis=2026&seit=2026-10-01``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import cast

import streamlit as st

from geo import fmt, schema
from geo.accounting import summary
from geo.display import monitoring
from geo.display.tables import german_table
from geo.reports import charts, content, link
from ui import data, flows, presentation, reports, tables

KEY = "uebersicht_"

view = data.view()
bounds = summary.year_bounds(view)
state = link.decode({k: st.query_params.get_all(k) for k in st.query_params}, bounds)
for problem in state.problems:
    st.warning(fmt.literal(f"Im Link: {problem}"))

if state.slide is None:
    st.title("Übersicht & Berichte")
    # Seeded from the link whenever the widgets are new (first show, back from the presentation).
    for name, value in (("gemeinden", list(state.ags)), ("massnahmen", list(state.measure_types)),
                        ("jahre", state.years or bounds), ("seit", state.since)):
        st.session_state.setdefault(KEY + name, value)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.multiselect("Gemeinden", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                                key=KEY + "gemeinden", placeholder="Alle Partner", width=290, select_all=False)
        measures = st.multiselect("Maßnahmentypen", schema.MEASURE_TYPES, key=KEY + "massnahmen", width=220,
                                  placeholder="alle", select_all=False)
        years = cast(tuple[int, int], st.slider("Zeitraum", bounds[0], bounds[1], key=KEY + "jahre", width=230))
        since = st.date_input("Veränderung seit", key=KEY + "seit", format="DD.MM.YYYY", width=160,
                              max_value=fmt.today(), help="z. B. die letzte Ratssitzung: die Kennzahlen zeigen, "
                              "wie sie sich seitdem verändert haben (Buchungsjournal bis zu diesem Tag)")
    picked = (int(years[0]), int(years[1]))
    state = link.OverviewState(ags=tuple(a for a in schema.AGS_NAMES if a in chosen),
                               years=None if picked == bounds else picked,
                               measure_types=tuple(m for m in schema.MEASURE_TYPES if m in measures),
                               since=since if isinstance(since, dt.date) and since < fmt.today() else None)

scope = summary.Scope(ags=state.ags, years=state.years or bounds, measure_types=state.measure_types,
                      since=state.since)
report = reports.report(scope)
wanted = link.encode(state)
if {k: st.query_params.get_all(k) for k in st.query_params} != {k: [v] for k, v in wanted.items()}:
    st.query_params.from_dict(wanted)

if state.slide is not None:  # no st.stop(): the sidebar footer (attribution) still follows the page
    presentation.show(report, state)
else:
    st.button("Präsentation starten", icon=":material/co_present:", key=KEY + "praesentation",
              on_click=lambda: st.query_params.from_dict(link.encode(dataclasses.replace(state, slide=1))),
              help="Eine Aussage je Bildschirm, große Schrift, ohne Seitenleiste; Pfeiltasten blättern, Esc beendet")
    st.header(f"Heute: {content.scope_label(summary.Scope(ags=scope.ags, measure_types=scope.measure_types))}")
    st.caption(content.scope_note(scope))
    if note := monitoring.overview_note(report.view.pool_areas):
        st.caption(note)
    for column, figure in zip(st.columns(3) * 2, content.report_figures(report), strict=True):
        column.metric(figure.label, figure.value, help=figure.note, delta=figure.delta or None, delta_color="off")
    today, *period = charts.specs(report)
    reports.chart(scope, today)
    st.header(f"Im Zeitraum {content.years_label(scope)}")
    st.caption(content.period_note(report))
    for row in (period[i:i + 2] for i in range(0, len(period), 2)):
        plot_height = max(charts.height(spec) for spec in row)
        for column, spec in zip(st.columns(2), row, strict=False):
            with column:
                reports.chart(scope, spec, plot_height=plot_height)

    st.header("Nach Gemeinde (heute)")
    tables.show(german_table(content.municipality_rows(report), content.MUNICIPALITY_COLUMNS))
    model_columns, model_rows = content.model_rows(report.models)
    if len(model_columns) > 1:
        st.header("Nach Bewertungsmodell")
        tables.show(german_table(model_rows, model_columns))
        st.caption(content.models_note(data.settings().valuation_models.agreed))
    if len(report.climate):
        st.header(content.CLIMATE_TITLE)
        for column, figure in zip(st.columns(3), content.climate_figures(report), strict=False):
            column.metric(figure.label, figure.value, help=figure.note)
        climate_columns, climate_rows = content.climate_rows(report)
        tables.show(german_table(climate_rows, climate_columns))
        st.caption(content.CLIMATE_NOTE)
    st.header(content.FLOWS_TITLE)
    flows.section(report)
    if len(report.across_regions):
        st.header("Über Naturraumgrenzen gebucht")
        st.caption(content.regions_note(report))
        tables.show(german_table(report.across_regions, content.ACROSS_REGION_COLUMNS))
    st.header("Eingriffe mit dem größten offenen Bedarf (heute)")
    if report.top_open.empty:
        st.info("In dieser Auswahl ist kein Bedarf offen.")
    else:
        tables.show(german_table(report.top_open, content.TOP_OPEN_COLUMNS))

    st.header("Berichte herunterladen")
    reports.downloads(scope)
