"""Valuation models: the formulas, a worked example, the tables (searchable), the models compared
per biotope type and every partner's balance under each model."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.accounting import summary
from geo.display import valuation as shown
from geo.display.tables import german_table
from geo.reports import content
from ui import auth, data, tables, valuation

st.title("Bewertungsmodelle")
st.caption("Mit diesen Tabellen berechnet der Flächenpool Aufwertung (Poolflächen) und Bedarf (Eingriffe). "
           "Eine Gemeinde ersetzt ihre Tabelle durch die amtliche Liste, ohne dass sich am Programm etwas ändert.")

models, view, choice = data.valuation_tables(), data.view(), data.models()
st.header("So wird gerechnet", anchor=False)
for paragraph in shown.FORMULAS:
    st.markdown(paragraph)
area = shown.example_area(view, models)
if area is not None:
    with st.container(border=True):
        st.subheader("Beispiel aus dem Pool", anchor=False)
        for line in shown.worked_example(area, models, choice):
            st.text(line)

st.header("Bilanz je Gemeinde in jedem Modell", anchor=False)
model_columns, model_rows = content.model_rows(summary.by_model(view))
tables.show(german_table(model_rows, model_columns))
st.caption(content.models_note(choice.agreed))
with st.expander("Mit den Tabellen eines Stichtags rechnen"):
    valuation.as_of()

query = st.text_input("Biotoptyp suchen", placeholder="Code oder Name, z. B. Grünland", key="bewertung_suche")
st.header("Vergleich je Biotoptyp", anchor=False)
tables.show(shown.comparison_table(shown.comparison(models), query), height=320)

for model, table in models.items():
    users = [m.name for m in schema.MUNICIPALITIES if choice.own(m.ags) == model]
    with st.container(border=True):
        st.header(fmt.literal(table.title), anchor=False)
        role = " · gemeinsames Modell für Buchungen über Gemeindegrenzen" if model == choice.agreed else ""
        st.text(f"Angewendet in: {', '.join(users) or 'keiner Gemeinde'}{role}")
        st.caption(fmt.literal(f"Quelle: {table.source} · Version {table.version} · Stand {fmt.date(table.date)}"))
        tables.show(shown.search(table, query), height=320)

factors = data.climate_factors()
if factors is not None:
    with st.container(border=True):
        st.header("Klimafaktoren", anchor=False)
        st.caption(fmt.literal(f"{factors.title} · Quelle: {factors.source} · Version {factors.version} · "
                               f"Stand {fmt.date(factors.date)}"))
        tables.show(shown.climate_table(factors))

user = auth.current_user()
if user is not None and user.role == "admin":
    st.header("Neue Tabellenfassung", anchor=False)
    valuation.new_version(user, list(choice.names()))
    valuation.natural_regions(user)
