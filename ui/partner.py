"""Widgets of the page "Partner": contacts, figures, open requests, price and latest changes of a municipality."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.accounting import prices, requests, summary
from geo.accounting.summary import PoolView
from geo.display import changes
from geo.display import requests as display_requests
from ui import tables

CONTACT_HEADERS = {"gemeinde": "Gemeinde", "name": "Name", "funktion": "Funktion", "email": "E-Mail",
                   "telefon": "Telefon", "zustaendig_fuer": "Zuständig für"}
PARAM = "gemeinde"


def contact_table(contacts: pd.DataFrame, *, with_municipality: bool = True) -> pd.DataFrame:
    """Contacts under German headers (without the municipality column when it is one partner's list)."""
    names = [c for c in CONTACT_HEADERS if with_municipality or c != "gemeinde"]
    return contacts[names].rename(columns=CONTACT_HEADERS).reset_index(drop=True)


def choose(user_ags: str | None) -> str:
    """The partner to show: ``?gemeinde=slug``, else the signed-in person's, else Leipzig; kept in the URL."""
    slugs = [m.slug for m in schema.MUNICIPALITIES]
    wanted = st.query_params.get(PARAM)
    default = wanted if wanted in slugs else schema.municipality(user_ags).slug if user_ags else slugs[0]
    slug = st.selectbox("Partner", slugs, index=slugs.index(default),
                        format_func=lambda s: schema.municipality(s).name, key="partner_gemeinde", width=320,
                        placeholder="Bitte wählen …")
    if slug != wanted:
        st.query_params[PARAM] = slug
    return schema.municipality(slug).ags


def figures(view: PoolView, ags: str) -> None:
    """Pool and demand of *ags*, counted by :mod:`geo.accounting.summary` (the start page's numbers)."""
    table = summary.by_municipality(summary.select(view, [ags]), [ags]).drop(columns="municipality").astype(float)
    row = table.loc[ags].to_dict()
    first, second = st.columns(3), st.columns(3)
    first[0].metric("Poolflächen", fmt.number(row["pool_count"]))
    first[1].metric("Fläche", fmt.hectares(row["area_m2"]))
    first[2].metric("Freie Wertpunkte", fmt.points_short(row["free_points"]))
    second[0].metric("Eingriffe", fmt.number(row["intervention_count"]))
    second[1].metric("Offener Bedarf", fmt.points_short(row["open_points"]))
    second[2].metric("Bilanz", fmt.points_short(row["balance"]), help="Freie Wertpunkte minus offener Bedarf")


def price(view: PoolView, ags: str) -> None:
    """The price per value point valid today for the municipality's areas, and its price history."""
    today = fmt.today()
    current = prices.price_on(view.prices, ags=ags, pool_id=None, on=today)
    st.metric("Preis je Wertpunkt heute", fmt.euro(current) if current is not None else "nicht festgelegt",
              help="Für Zuordnungen aus Flächen dieser Gemeinde an andere Partner (einzelne Flächen können "
                   "einen eigenen Preis haben).")
    own = view.prices[view.prices["ags"] == ags]
    if len(own):
        tables.show(prices.table(own))


def open_requests(view: PoolView, ags: str) -> None:
    to_us, from_us = requests.inbox(view.requests, ags, fmt.now())
    to_us, from_us = to_us[to_us["state"] == "offen"], from_us[from_us["state"] == "offen"]
    if to_us.empty and from_us.empty:
        st.caption("Keine offenen Anfragen.")
    for rows, direction, title in ((to_us, "an", "An diese Gemeinde"), (from_us, "von", "Von dieser Gemeinde")):
        if len(rows):
            st.markdown(f"**{title}**")
            tables.show(display_requests.inbox_table(rows, direction=direction)[
                ["Anfrage", "Von" if direction == "an" else "An", "Eingriff", "Poolfläche", "Angefragt", "Offen bis"]])


def latest_changes(view: PoolView, ags: str) -> None:
    rows = view.history[view.history["ags"] == ags]
    if rows.empty:
        st.caption("Noch keine Änderungen.")
    else:
        tables.show(changes.whats_new(rows, n=8))
