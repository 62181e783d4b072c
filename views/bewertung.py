"""Valuation models in use: which partner values with which table, and the tables."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.display.tables import valuation_table
from ui import data, tables

st.title("Bewertungsmodelle")
st.caption("Mit diesen Tabellen berechnet der Flächenpool Aufwertung (Poolflächen) und Bedarf (Eingriffe). "
           "Eine Gemeinde ersetzt ihre Tabelle durch die amtliche Liste, ohne dass sich am Programm etwas ändert.")

models = data.valuation_tables()
st.markdown("**Aufwertung** = Fläche × (Wert Zielbiotop − Wert Ausgangsbiotop) × Faktor; Faktor 1 bei "
            "abgeschlossener Maßnahme, sonst der Entwicklungsfaktor des Zielbiotops. "
            "**Bedarf** = Fläche × (Wert vorher − Wert nachher). Beides nie negativ.")

for model, table in models.items():
    users = [m.name for m in schema.MUNICIPALITIES if m.valuation_model == model]
    with st.container(border=True):
        st.header(fmt.literal(table.title), anchor=False)
        st.text(f"Angewendet in: {', '.join(users)}")
        st.caption(fmt.literal(f"Quelle: {table.source} · Version {table.version} · Stand {fmt.date(table.date)}"))
        tables.show(valuation_table(table), height=400)
