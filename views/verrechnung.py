"""Verrechnung: who owes whom for points booked across borders, the prices, certificates and account statements."""

from __future__ import annotations

import streamlit as st

from ui import auth, data
from ui import settlement as widgets

st.title("Verrechnung")
st.caption("Wertpunkte aus der Fläche einer anderen Gemeinde werden zum Preis je Wertpunkt verrechnet, der am "
           "Buchungstag galt: die Gemeinde des Eingriffs zahlt, die Gemeinde der Fläche erhält.")
view = data.view()
user = auth.current_user()
widgets.flash()
statement_tab, prices_tab, certificate_tab, account_tab = st.tabs(
    ["Abrechnung", "Preise", "Buchungsbestätigung", "Flächenkontoauszug"])
with statement_tab:
    widgets.statement_section(view, user)
with prices_tab:
    widgets.prices_section(view, user)
with certificate_tab:
    widgets.certificate_section(view)
with account_tab:
    widgets.account_section(view)
