"""Betrieb (administrators only): store kind and size, counts per municipality, last backup, audit, version."""

from __future__ import annotations

import streamlit as st

from geo import fmt
from geo.accounting import audit
from geo.ops import status as ops_status
from geo.store import Store
from ui import auth, data

VERIFIED = "betrieb_geprueft"


@st.cache_data(show_spinner="Prüfketten und Regeln werden geprüft …", max_entries=4)
def _verify(store_key: str, version: object, _store: Store) -> audit.AuditReport:
    return audit.verify(_store)


st.title("Betrieb")
user = auth.current_user()
if user is None or user.role != "admin":
    st.error("Diese Seite ist der Administration vorbehalten. Bitte als Administrator anmelden.")
    st.stop()

store = data.store()
now = ops_status.status(store, data.settings())
left, middle, right = st.columns(3)
left.metric("Datenbestand", now.kind)
middle.metric("Größe", "–" if now.size_bytes is None else f"{fmt.number(now.size_bytes / 1e6, 1)} MB")
right.metric("App-Version", now.app_version)

st.header("Objekte je Gemeinde")
st.dataframe(now.counts, hide_index=True)

st.header("Letzte Sicherung")
last = now.last_backup
if last is None:
    st.warning("Noch keine Sicherung verzeichnet. Sichern mit `python -m geo backup ZIEL.zip` (README, Sicherung).")
else:
    verdict = "Prüfung ohne Befunde" if last.get("pruefung_ok") else "Prüfung mit Befunden"
    st.markdown(f"{fmt.timestamp(last.get('erstellt'))} Uhr nach {fmt.literal(last.get('ziel', '–'))}: "
                f"{last.get('dateien', 0)} Dateien, {fmt.number(float(last.get('bytes', 0)) / 1e6, 1)} MB, "
                f"{fmt.number(float(last.get('dauer_s', 0)), 1)} s, {verdict}.")

st.header("Prüfung (verify)")
version = store.version()
marker = (store.key, version)
if st.button("Prüfketten und Regeln jetzt prüfen"):
    st.session_state[VERIFIED] = marker
if st.session_state.get(VERIFIED) == marker:
    report = _verify(store.key, version, store)
    (st.success if report.ok else st.error)(
        "Keine Befunde: Ketten und Regeln sind intakt." if report.ok else f"{len(report.findings)} Befund(e).")
    st.text("\n".join(report.lines()))
else:
    st.info("Die Prüfung läuft auf Knopfdruck; ihr Ergebnis gilt, bis sich der Datenbestand ändert.")
