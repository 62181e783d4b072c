"""The flows between the partners, points and money side by side: on "Eingriffe & Zuordnung" and the overview."""

from __future__ import annotations

import streamlit as st

from geo.accounting import summary
from geo.display.tables import german_table
from geo.reports import charts, content
from ui import tables


def section(report: summary.Report) -> None:
    """Net booked points and settled euros between the partners of *report*'s scope today (with every
    partner they book with), as figures, matrices and a chart: the same tables as the report's exports."""
    if report.flows.empty:
        st.info("Noch keine Buchungen im Journal." if not report.scope.ags
                else "Für diese Auswahl ist noch nichts gebucht.")
        return
    for column, figure in zip(st.columns(2), content.flow_figures(report), strict=True):
        column.metric(figure.label, figure.value, help=figure.note)
    points, *money = content.flow_tables(report)
    st.subheader(points.title)
    st.caption(points.note)
    tables.show(german_table(points.rows, points.columns))
    spec = charts.flows_spec(report.flows)
    st.altair_chart(charts.altair_chart(spec), width="stretch", height=charts.height(spec) + 90, theme=None)
    st.caption(spec.note + " Farbe = Gemeinde der Poolfläche.")
    st.subheader("Geldflüsse (Verrechnung)")
    if not money:
        st.info("Noch keine Zuordnung über Gemeindegrenzen mit einem Preis je Wertpunkt.")
    for table in money:
        st.caption(table.note)
        tables.show(german_table(table.rows, table.columns))
    st.page_link("views/verrechnung.py", label="Verrechnung je Partner und Jahr", icon=":material/euro:")
