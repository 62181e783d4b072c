"""Widgets of the page "Bewertungsmodelle": a new table version (administrators) and figures as of a date.

The checks, the impact and the switch are :mod:`geo.accounting.versions`; the permission is checked there too.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo import fmt
from geo.access.permissions import User
from geo.accounting import naturalregions, summary, valuation, versions
from geo.display import valuation as shown
from geo.display.tables import german_table
from geo.errors import FlaechenpoolError
from geo.reports import content
from geo.upload import ingest
from ui import data, tables

_KEY = "bewertung_"


def new_version(user: User, models: list[str]) -> None:
    """Upload a table version, see what it changes for every municipality, then switch to it."""
    with st.form(_KEY + "form", border=True):
        st.markdown("**Neue Fassung einer Bewertungstabelle**")
        model = st.selectbox("Modell", models, format_func=lambda m: f"{valuation.model_label(m)} ({m})",
                             placeholder="Bitte wählen …")
        upload = st.file_uploader("Tabelle als CSV oder XLSX", type=None, key=_KEY + "datei",
                                  help="Spalten `code` (Biotopcode), `name` (Bezeichnung), `value_per_m2` "
                                  "(Wert je m²) und `development_factor` (Entwicklungsfaktor)")
        cols = st.columns(4)
        provenance = versions.Provenance(
            title=cols[0].text_input("Titel"), source=cols[1].text_input("Quelle"),
            version=cols[2].text_input("Version"),
            date=cols[3].text_input("Stand", placeholder="JJJJ-MM-TT", help="Datum der Fassung"))
        checked = st.form_submit_button("Prüfen und Auswirkung zeigen", icon=":material/fact_check:")
    if checked and upload is not None:
        try:
            text = versions.table_text(upload.getvalue(), model, provenance)
            versions.check(text, model, data.store().read_all(), data.models())
        except FlaechenpoolError as exc:
            st.session_state.pop(_KEY + "plan", None)
            st.error(fmt.literal(exc))
            return
        st.session_state[_KEY + "plan"] = (model, text, upload.name, data.version_token())
    plan = st.session_state.get(_KEY + "plan")
    if not plan or plan[3] != data.version_token():
        return
    model, text, name, _ = plan
    st.markdown(f"**So ändern sich die Zahlen im {fmt.literal(valuation.model_label(model))}:**")
    tables.show(shown.impact_table(versions.impact(data.store().read_all(), model, text, data.models())))
    if st.button("Jetzt übernehmen", type="primary", icon=":material/check:", key=_KEY + "jetzt"):
        try:
            entry = versions.switch(data.store(), user, model, text, models=data.models(), source=name)
        except FlaechenpoolError as exc:
            st.error(fmt.literal(exc))
            return
        del st.session_state[_KEY + "plan"]
        st.success(fmt.literal(f"Übernommen ({entry['change_id'].iloc[0]}); die bisherige Fassung bleibt erhalten."))


def natural_regions(user: User) -> None:
    """Replace the natural-region layer by an uploaded file."""
    with st.form(_KEY + "naturraeume", border=True):
        st.markdown("**Naturräume ersetzen** (Flächen mit Spalte name; optional region_id, notes)")
        upload = st.file_uploader("GeoPackage, GeoJSON oder Shapefile (ZIP)", type=None, key=_KEY + "nr_datei")
        sent = st.form_submit_button("Naturräume übernehmen", icon=":material/upload:")
    if sent and upload is not None:
        try:
            frame = naturalregions.read_upload([ingest.UploadedFile(upload.name, upload.getvalue())])
            entry = naturalregions.publish(data.store(), user, frame, source=upload.name)
        except FlaechenpoolError as exc:
            st.error(fmt.literal(exc))
            return
        st.success(fmt.literal(f"{entry['notes'].iloc[0]} ({entry['change_id'].iloc[0]})."))


def as_of() -> None:
    """Every municipality's balance under each model with the tables valid on a chosen date."""
    on = st.date_input("Stichtag", value=fmt.today(), max_value=fmt.today(), format="DD.MM.YYYY",
                       key=_KEY + "stichtag")
    if isinstance(on, dt.date) and on < fmt.today():
        view = summary.pool_view(versions.data_on(data.store(), on), models=data.models())
        model_columns, model_rows = content.model_rows(summary.by_model(view))
        st.caption(f"Mit den Bewertungstabellen, die am {fmt.date(on)} galten (Buchungen und Flächen von heute).")
        tables.show(german_table(model_rows, model_columns))
