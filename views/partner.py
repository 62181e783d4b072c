"""Partner: who to call in each municipality, its pool and demand, open requests, price and latest changes."""

from __future__ import annotations

import streamlit as st

from geo import schema
from ui import auth, data, tables
from ui import partner as widgets

st.title("Partner")
st.caption("Die Gemeinden des Flächenpools mit ihren Ansprechpartnern. Die Kontakte der Demodaten sind erfunden "
           "(data/contacts.csv).")
view = data.view()
user = auth.current_user()
contacts = data.contacts()
ags = widgets.choose(user.ags if user else None)
name = schema.AGS_NAMES[ags]

st.header(f"{name}: Ansprechpartner")
own = contacts[contacts["ags"] == ags]
if own.empty:
    st.info(f"Für {name} ist noch niemand eingetragen.")
else:
    tables.show(widgets.contact_table(own, with_municipality=False))
st.header("Pool und Bedarf")
widgets.figures(view, ags)
st.header("Preis")
widgets.price(view, ags)
st.header("Offene Anfragen")
widgets.open_requests(view, ags)
st.header("Letzte Änderungen")
widgets.latest_changes(view, ags)
with st.expander("Ansprechpartner aller Partner"):
    tables.show(widgets.contact_table(contacts))
