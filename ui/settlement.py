"""Widgets of the page "Verrechnung": the settlement of a partner and year, prices, certificates and account
statements. Every write goes to :mod:`geo.accounting.prices` (administrators only, checked there)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.access.permissions import User
from geo.accounting import documents, prices, settlement
from geo.accounting.summary import PoolView
from geo.display.tables import german_table
from geo.errors import FlaechenpoolError
from geo.reports import documents as files
from ui import data, tables

_KEY = "verrechnung_"
_FLASH = _KEY + "meldung"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def flash() -> None:
    """The message of the last action (it survives the rerun that refreshes the figures)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def statement_section(view: PoolView, user: User | None) -> None:
    """Pick a partner and a year; who owes whom, booking by booking, and the PDF and Excel files."""
    names = [m.ags for m in schema.MUNICIPALITIES]
    own = user.ags if user is not None and user.ags in names else schema.MUNICIPALITIES[1].ags
    with st.container(horizontal=True):
        ags = st.selectbox("Partner", names, index=names.index(own), format_func=schema.AGS_NAMES.__getitem__,
                           key=_KEY + "partner", width=300, placeholder="Bitte wählen …")
        # The partner's own years (newest first), so the first choice is never an empty statement.
        years = settlement.years(view, ags) or [fmt.today().year]
        year = st.selectbox("Jahr", years, key=f"{_KEY}jahr_{ags}", width=160, placeholder="Bitte wählen …")
    result = settlement.statement(view, ags, int(year))
    for sentence in result.sentences() or [f"{result.name} hat {year} keine Zuordnungen über Gemeindegrenzen."]:
        st.markdown(f"**{fmt.literal(sentence)}**")
    if len(result.balances):
        tables.show(german_table(result.balances, files.BALANCE_TABLE))
        tables.show(german_table(result.entries, files.ENTRY_TABLE))
    st.caption(files.PRICE_NOTE + " Betrag: positiv, was der Partner erhält; negativ, was er zahlt.")
    base = f"verrechnung-{schema.municipality(ags).slug}-{year}"
    with st.container(horizontal=True):
        st.download_button("Verrechnung (PDF)", lambda: files.settlement_pdf(result), file_name=f"{base}.pdf",
                           mime=PDF, icon=":material/picture_as_pdf:", on_click="ignore", key=_KEY + "pdf")
        st.download_button("Verrechnung (Excel)", lambda: files.settlement_xlsx(result), file_name=f"{base}.xlsx",
                           mime=XLSX, icon=":material/table:", on_click="ignore", key=_KEY + "xlsx")


def prices_section(view: PoolView, user: User | None) -> None:
    """The prices in force and before; administrators add one."""
    if view.prices.empty:
        st.info("Noch keine Preise festgelegt.")
    else:
        tables.show(prices.table(view.prices))
    st.caption("Ein Preis gilt für alle Poolflächen einer Gemeinde oder für eine Fläche, ab einem Tag (bis zu einem "
               "Tag oder offen). Ein neuer Preis ersetzt keinen alten: frühere Buchungen behalten ihren Preis. Die "
               "Preise der Demodaten sind frei erfunden.")
    if user is None or user.role != "admin":
        return
    with st.form(data.keyed(_KEY + "preis"), border=True):
        st.markdown("**Neuen Preis festlegen**")
        ags = st.selectbox("Gemeinde", [m.ags for m in schema.MUNICIPALITIES], format_func=schema.AGS_NAMES.__getitem__,
                           placeholder="Bitte wählen …")
        pool_id = st.text_input("Nur für die Poolfläche (leer: alle der Gemeinde)", max_chars=schema.ID_LENGTH)
        eur = st.text_input("Preis (€ je Wertpunkt)", placeholder="z. B. 0,75")
        start, end = st.columns(2)
        valid_from = start.date_input("Gültig ab", value=fmt.today(), format="DD.MM.YYYY")
        valid_to = end.date_input("Gültig bis (leer: offen)", value=None, format="DD.MM.YYYY")
        notes = st.text_input("Bemerkung", placeholder="z. B. Beschluss der Partnerversammlung")
        if st.form_submit_button("Preis speichern", type="primary"):
            _save_price(user, ags=ags, pool_id=pool_id.strip() or None, eur=eur, valid_from=valid_from,
                        valid_to=valid_to, notes=notes)


def _save_price(user: User, *, ags: str, pool_id: str | None, eur: str, valid_from: dt.date,
                valid_to: dt.date | None, notes: str) -> None:
    value = fmt.parse_number(eur)
    if value is None:
        st.error(f"„{fmt.literal(eur)}“ ist kein Preis; bitte z. B. 0,75 eingeben.")
        return
    try:
        stored = prices.set_price(data.store(), user, ags=ags, pool_id=pool_id, eur_per_point=value,
                                  valid_from=valid_from, valid_to=valid_to, notes=notes)
    except FlaechenpoolError as exc:
        st.error(fmt.literal(str(exc)))
        return
    st.session_state[_FLASH] = f"Preis {stored['price_id'].iloc[0]} gespeichert: {fmt.euro(value)} je WP."
    st.rerun()


def _allocations(view: PoolView) -> pd.DataFrame:
    """Active allocations, newest first (what a certificate can be issued for)."""
    ledger = view.allocations
    reversed_ids = set(ledger["reverses"].dropna())
    active = ledger[(ledger["kind"] == "zugeordnet") & (ledger["points"] > 0)
                    & ~ledger["allocation_id"].isin(reversed_ids)]
    return active.iloc[::-1]


def certificate_section(view: PoolView) -> None:
    """A booking certificate (PDF with verification code) for a chosen allocation."""
    active = _allocations(view)
    if active.empty:
        st.info("Noch keine Zuordnungen.")
        return
    labels = {str(r["allocation_id"]): f"{r['allocation_id']} · {fmt.points(r['points'])} von {r['pool_id']} für "
              f"{r['intervention_id']}" for _, r in active.iterrows()}
    ids = list(labels)
    wanted = st.query_params.get("buchung")
    chosen = st.selectbox("Zuordnung", ids, index=ids.index(wanted) if wanted in labels else 0,
                          format_func=labels.__getitem__, key=_KEY + "buchung", placeholder="Bitte wählen …")
    cert = documents.certificate(view, chosen, data.valuation_tables())
    tables.static(pd.DataFrame(cert.lines(), columns=["", "Buchungsbestätigung"]))
    st.download_button("Buchungsbestätigung (PDF)", lambda: files.certificate_pdf(cert),
                       file_name=f"buchungsbestaetigung-{chosen}.pdf", mime=PDF, icon=":material/verified:",
                       on_click="ignore", key=_KEY + "bestaetigung")
    st.caption(f"Prüfen: `python -m geo verify --code {cert.code}`. Der Prüfcode ist der Anfang des Prüfwerts "
               "der Buchung in der Hash-Kette des Journals; eine veränderte Bestätigung passt zu keiner Buchung.")


def account_section(view: PoolView) -> None:
    """A pool area's account statement on screen and as PDF."""
    ids = sorted(view.pool_areas["pool_id"].astype(str))
    wanted = st.query_params.get("flaeche")
    pool_id = st.selectbox("Poolfläche", ids, index=ids.index(wanted) if wanted in ids else 0, key=_KEY + "flaeche",
                           placeholder="Bitte wählen …")
    acc = documents.account(view, pool_id)
    st.markdown(f"**{fmt.literal(acc.pool_id)} „{fmt.literal(acc.name)}“, {schema.AGS_NAMES[acc.ags]}:** Wert "
                f"{fmt.points(acc.value_points)}, ungebucht {fmt.points(acc.balance)}")
    if len(acc.entries):
        tables.show(files.account_table(acc))
    else:
        st.caption("Keine Buchungen auf dieser Fläche.")
    st.download_button("Flächenkontoauszug (PDF)", lambda: files.account_pdf(acc),
                       file_name=f"flaechenkontoauszug-{pool_id}.pdf", mime=PDF, icon=":material/receipt_long:",
                       on_click="ignore", key=_KEY + "konto")
