"""Widgets of the page "Altbestand importieren": file, column mapping, preview, import (administrators)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.access.permissions import User
from geo.accounting import legacy
from geo.display.tables import columns, german_table
from geo.errors import FlaechenpoolError
from geo.upload.columns import Mapping, distinct_values
from ui import data, tables

_KEY = "altbestand_"
NONE = ""
PREVIEW_TABLE = columns(
    ("line", "Zeile", "count"), ("date", "Datum", "date"), ("intervention_id", "Eingriff", "text"),
    ("pool_id", "Poolfläche", "text"), ("points", "Wertpunkte", "points"), ("kind", "Art", "text"),
    ("booked_by", "Wer", "text"), ("result", "Ergebnis", "text"))


def read_file() -> tuple[str, pd.DataFrame] | None:
    """The uploaded register as a table (None before a file is chosen or when it cannot be read)."""
    upload = st.file_uploader("Buchungsliste als Excel (.xlsx) oder CSV: je Zeile Eingriff, Poolfläche, "
                              "Wertpunkte, Art, Datum, wer gebucht hat (Bemerkung freiwillig)", type=None,
                              key=_KEY + "datei")
    if upload is None:
        return None
    try:
        return upload.name, legacy.read_table(upload.name, upload.getvalue())
    except FlaechenpoolError as exc:
        st.error(fmt.literal(str(exc)))
        return None


def mapping_form(frame: pd.DataFrame, file_name: str) -> Mapping:
    """Which column holds which field, and what the kind column's values mean; prefilled by the guess."""
    guessed = legacy.guess(frame)
    options = [NONE, *frame.columns]
    chosen: dict[str, str] = {}
    st.subheader("Spalten zuordnen")
    cells = st.columns(4)
    for i, name in enumerate(legacy.FIELDS):
        column = guessed.columns.get(name, NONE)
        picked = cells[i % 4].selectbox(schema.label(name, schema.ALLOCATIONS), options, index=options.index(column),
                                        format_func=lambda c: c or "– keine –", key=f"{_KEY}{file_name}-{name}",
                                        placeholder="Bitte wählen …")
        if picked:
            chosen[name] = picked
    values: dict[str, str] = {}
    if "kind" in chosen:
        known = guessed.values.get("kind", {}) if guessed.columns.get("kind") == chosen["kind"] else {}
        for value in distinct_values(frame, chosen["kind"]):
            if value in schema.ALLOCATION_KINDS:
                continue
            kinds = [NONE, *schema.ALLOCATION_KINDS]
            meant = st.selectbox(f"„{fmt.literal(value)}“ bedeutet", kinds, index=kinds.index(known.get(value, NONE)),
                                 format_func=lambda k: k or "– unbekannt –", key=f"{_KEY}{file_name}-wert-{value}",
                                 placeholder="Bitte wählen …")
            if meant:
                values[value] = meant
    return Mapping(schema.ALLOCATIONS, chosen, {"kind": values} if values else {})


def preview(user: User, frame: pd.DataFrame, mapping: Mapping, file_name: str) -> None:
    """Every row in date order with what it becomes; the import when nothing is refused."""
    result = legacy.check(frame, mapping, data.store().read_all())
    rows = result.rows.assign(result=[r or f"wird als {a} gebucht" for a, r in
                                      zip(result.rows["allocation_id"], result.rows["reason"], strict=True)])
    st.subheader("Vorschau (nach Datum)")
    tables.show(german_table(rows, PREVIEW_TABLE))
    if not result.ok:
        st.error(f"{fmt.count(len(result.refused), 'Zeile wird', 'Zeilen werden')} abgelehnt (Gründe in der Spalte "
                 "„Ergebnis“). Importiert wird nur eine Datei ohne abgelehnte Zeilen: bitte die Datei korrigieren "
                 "oder die Zuordnung ändern.")
        return
    st.info(f"Alle {fmt.number(len(rows))} Zeilen erfüllen die Buchungsregeln. Der Import hängt sie in einer "
            "Änderung mit ihrem ursprünglichen Datum an das Journal an.")
    if st.button("Altbestand importieren", type="primary", key=_KEY + "importieren"):
        try:
            stored = legacy.import_ledger(data.store(), user, frame, mapping, source=file_name)
        except FlaechenpoolError as exc:
            st.error(fmt.literal(str(exc)))
            return
        st.session_state[_KEY + "meldung"] = (f"{fmt.count(len(stored), 'Buchung', 'Buchungen')} aus „{file_name}“ "
                                              "importiert.")
        st.rerun()


def flash() -> None:
    message = st.session_state.pop(_KEY + "meldung", None)
    if message:
        st.success(fmt.literal(message))
