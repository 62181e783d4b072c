"""The flows between the partners, points and money side by side: on "Eingriffe & Zuordnung" and the overview."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from geo import fmt
from geo.accounting import flows, settlement
from geo.accounting.summary import PoolView
from geo.reports import charts
from ui import tables


def section(view: PoolView, ags: Sequence[str] = ()) -> None:
    """Net booked points and settled euros between the partners today; with *ags*, the flows that
    have one of these partners on either side."""
    flow = flows.involving(flows.flows(view), list(ags))
    if flow.empty:
        st.info("Noch keine Buchungen im Journal." if not ags else "Für diese Auswahl ist noch nichts gebucht.")
        return
    money = flows.involving(settlement.money_flows(view), list(ags))
    share, amount = st.columns(2)
    share.metric("Über Gemeindegrenzen gebucht", fmt.percent(flows.cross_border_share(flow)),
                 help="Anteil der netto gebuchten Wertpunkte, deren Poolfläche in einer anderen Gemeinde liegt "
                      "als der Eingriff")
    amount.metric("Verrechnet über Gemeindegrenzen", fmt.euro(float(money["amount_eur"].sum())),
                  help="Euro für Zuordnungen über Gemeindegrenzen zum Preis am Buchungstag, Stornos abgezogen")
    st.subheader("Wertpunkte")
    st.caption("Zeilen: Gemeinde des Eingriffs · Spalten: Gemeinde der Poolfläche · Werte: netto gebuchte "
               "Wertpunkte in WP (Reservierungen und Zuordnungen, Stornos abgezogen).")
    tables.show(flows.matrix_table(flows.matrix(flow)))
    spec = flows.chart_spec(flow)
    st.altair_chart(charts.altair_chart(spec), width="stretch", height=charts.height(spec) + 90, theme=None)
    st.caption(spec.note + " Farbe = Gemeinde der Poolfläche.")
    st.subheader("Geldflüsse (Verrechnung)")
    if money.empty:
        st.info("Noch keine Zuordnung über Gemeindegrenzen mit einem Preis je Wertpunkt.")
    else:
        st.caption("Zeilen: Gemeinde des Eingriffs (zahlt) · Spalten: Gemeinde der Poolfläche (erhält) · Werte: "
                   "Euro für Zuordnungen über Gemeindegrenzen zum Preis am Buchungstag, Stornos abgezogen.")
        tables.show(flows.matrix_table(flows.matrix(money, "amount_eur"), fmt.euro))
    st.page_link("views/verrechnung.py", label="Verrechnung je Partner und Jahr", icon=":material/euro:")
