"""Widgets of the page "Monitoring": the area in question, entering inspections, states and documents,
an area's record with its photos, the administration's lock, and the KoKa-Nat downloads.

Writes go to :mod:`geo.monitoring.records`, which checks the permission; files are checked by
:mod:`geo.monitoring.files` before anything is written (a refused file stores nothing).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo import fmt, schema
from geo.access.permissions import User, can_edit_municipality
from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.display import monitoring as display
from geo.errors import FlaechenpoolError
from geo.monitoring import cadastre, files, records, status
from geo.monitoring.delegation import Delegation, can_inspect, inspected, who_may_inspect
from geo.store import Monitoring
from ui import data, tables
from ui.upload import DROPZONE_CSS

PARAM = "flaeche"
_KEY = "monitoring_"
_FLASH = _KEY + "meldung"
ENTRY, DETAIL, INTERVENTION = "kontrolle", "detail", "eingriff"
"""The places whose forms write (a write's message is shown there): two tabs here, an intervention's documents."""
ENTERED_STATES = ("geplant", "in Umsetzung", "umgesetzt")
"""States entered by hand; the function check states come from inspections."""


def flash(where: str) -> None:
    """The message of the last write in the tab *where* (it survives the rerun that shows the new state).
    Shown inside the tab, so the page above the tabs keeps its shape and the tab stays open."""
    stored = st.session_state.get(_FLASH)
    if isinstance(stored, tuple) and stored[0] == where:
        del st.session_state[_FLASH]
        st.success(fmt.literal(stored[1]))


def _run(action: Callable[[], object], message: str, where: str) -> None:
    try:
        action()
    except FlaechenpoolError as exc:
        st.error(fmt.literal(exc))
        return
    st.session_state[_FLASH] = (where, message)
    st.rerun()


def municipalities(user: User | None, delegation: Delegation) -> list[str]:
    """The municipality filter; GIS staff start with their own and those they inspect for (the handbook)."""
    key = _KEY + "gemeinden"
    st.session_state.setdefault(key, inspected(user, delegation) if user and user.role == "gis" else [])
    return st.multiselect("Gemeinde", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__, key=key,
                          placeholder="alle Gemeinden", select_all=False)


def headline(table: pd.DataFrame) -> None:
    cols = st.columns(4)
    cols[0].metric("Kontrollen überfällig", fmt.number(int((table["overdue_days"] > 0).sum())))
    cols[1].metric(f"{status.FLAG_MARK} Flächen mit Mängeln", fmt.number(int((table[status.FLAG_COLUMN]
                                                                            == status.DEFECTS).sum())))
    cols[2].metric(f"{status.FLAG_MARK} nicht umgesetzt", fmt.number(int((table[status.FLAG_COLUMN]
                                                                         == status.NOT_IMPLEMENTED).sum())))
    cols[3].metric("umgesetzt", f"{fmt.number(int(table['implemented'].notna().sum()))} von "
                                f"{fmt.number(len(table))}")


def lists(table: pd.DataFrame) -> None:
    """Overdue checks, flagged areas, measures that should have started, and the counts per municipality."""
    overdue = table[table["overdue_days"] > 0].sort_values("overdue_days", ascending=False)
    st.markdown(f"**Überfällige Kontrollen ({fmt.number(len(overdue))})**")
    tables.show(display.status_table(overdue), height=240)
    flagged = table[table[status.FLAG_COLUMN] != ""].sort_values([status.FLAG_COLUMN, "pool_id"])
    st.markdown(f"**Flächen mit Mängeln oder nicht umgesetzt ({fmt.number(len(flagged))})**")
    st.caption("Ihre Wertpunkte sind überall gekennzeichnet, wo sie angeboten oder gebucht werden.")
    tables.show(display.status_table(flagged), height=240)
    late = table[table["should_have_started"]].sort_values("measure_start")
    st.markdown(f"**Maßnahmen, die begonnen haben sollten ({fmt.number(len(late))})**")
    tables.show(display.not_started_table(late))
    st.markdown("**Je Gemeinde**")
    tables.show(display.municipality_table(status.per_municipality(table)))


def pick_area(table: pd.DataFrame, label: str, key: str) -> pd.Series | None:
    """An area's row of *table*, seeded from and written back to the URL (``?flaeche=…``)."""
    names = table.set_index("pool_id")
    options = list(names.index)
    wanted = st.query_params.get(PARAM)
    if key not in st.session_state:
        st.session_state[key] = wanted if wanted in options else None
    chosen: str | None = st.selectbox(
        label, options, key=key, placeholder="Fläche wählen (ID oder Flurname tippen) …",
        format_func=lambda p: f"{p} – {names.at[p, 'name']!s} ({names.at[p, 'municipality']!s})")
    if chosen is None:
        return None
    if chosen != wanted:
        st.query_params[PARAM] = chosen
    return table[table["pool_id"] == chosen].iloc[0]


def _checked(uploads: list[UploadedFile], keep_location: bool) -> list[files.Attachment] | None:
    """The uploads as attachments; None (and the German messages shown) if any is refused."""
    found, refused = files.check_all(((u.name, u.getvalue()) for u in uploads), keep_location=keep_location)
    for message in refused:
        st.error(fmt.literal(message))
    return None if refused else found


def _uploader(label: str, key: str) -> list[UploadedFile]:
    st.html(DROPZONE_CSS)
    return st.file_uploader(f"{label} (JPEG, PNG oder PDF, je höchstens "
                            f"{fmt.number(files.MAX_BYTES / 1024 / 1024)} MB)", type=None,
                            accept_multiple_files=True, key=key) or []


def _signed_in_as(user: User | None) -> str:
    return "Bitte in der Seitenleiste anmelden." if user is None else f"Angemeldet als {user.label}."


def _who_may(area: pd.Series, what: str, delegation: Delegation) -> str:
    return f"{what} für Flächen in {area['municipality']} nur durch {who_may_inspect(str(area['ags']), delegation)}."


def may_write(user: User | None, area: pd.Series, what: str, delegation: Delegation) -> bool:
    """Show the write widgets? (The real check is in :mod:`geo.monitoring.records`.) Explains why not."""
    if can_inspect(user, str(area["ags"]), delegation):
        return True
    st.info(fmt.literal(f"{_who_may(area, what, delegation)} {_signed_in_as(user)}"))
    return False


def inspectable(user: User | None, table: pd.DataFrame, delegation: Delegation) -> pd.DataFrame | None:
    """The rows of *table* whose areas *user* may inspect, with a word on why (own municipality, the handbook's
    delegation); None (and a hint) if there are none. An area asked for in the URL that is not among them is
    explained too."""
    allowed = inspected(user, delegation)
    if not allowed or user is None:
        st.info(fmt.literal("Kontrollen erfassen GIS-Zuständige für die Flächen ihrer Gemeinde, die Partner, die das "
                            f"Prozesshandbuch für das Monitoring nennt, und die Administration. {_signed_in_as(user)}"))
        return None
    wanted = table[table["pool_id"] == st.query_params.get(PARAM)]
    if len(wanted) and wanted["ags"].iloc[0] not in allowed:
        st.info(fmt.literal(f"{wanted['pool_id'].iloc[0]}: {_who_may(wanted.iloc[0], 'Kontrollen', delegation)}"))
    if user.role == "gis" and user.ags is not None:
        said = delegation.sentence(user.ags)
        st.caption(fmt.literal(f"{user.label}: Kontrollen für die Flächen von {schema.AGS_NAMES[user.ags]}."
                               + (f" {said}" if said else "")))
    return table[table["ags"].isin(allowed)]


def inspection_form(user: User, area: pd.Series, delegation: Delegation) -> None:
    """Date, inspector, result, note, photos; all files are checked before anything is stored."""
    with st.form(data.keyed(_KEY + "kontrolle"), border=True, enter_to_submit=False):
        on = st.date_input("Kontrolldatum", value=fmt.today(), max_value=fmt.today(), format="DD.MM.YYYY")
        inspector = st.text_input("Kontrolliert von", value=user.display_name or user.username, max_chars=200)
        result = st.radio("Ergebnis", schema.INSPECTION_RESULTS, horizontal=True,
                          format_func=lambda r: f"Funktionskontrolle {r}")
        note = st.text_area("Bemerkung (bei Mängeln: welche)", max_chars=schema.NOTES_LENGTH)
        uploads = _uploader("Fotos und Dokumente", data.keyed(_KEY + "fotos"))
        keep = st.checkbox("Standort (GPS) in den Fotos behalten", value=False,
                           help="Sonst wird die GPS-Angabe aus den Fotos entfernt, bevor sie gespeichert werden.")
        sent = st.form_submit_button("Kontrolle speichern", type="primary", icon=":material/check:")
    if sent and (checked := _checked(uploads, keep)) is not None:
        _run(lambda: records.record_inspection(data.store(), user, pool_id=str(area["pool_id"]), on=on,
                                               inspector=inspector, result=result, note=note, attachments=checked,
                                               delegation=delegation),
             f"Kontrolle für {area['pool_id']} gespeichert ({result}, "
             f"{fmt.count(len(checked), 'Datei', 'Dateien')}).", ENTRY)


def state_form(user: User, area: pd.Series, delegation: Delegation) -> None:
    with st.form(data.keyed(_KEY + "stand"), border=True, enter_to_submit=False):
        state = st.selectbox("Umsetzungsstand", ENTERED_STATES, placeholder="Stand wählen …")
        on = st.date_input("seit", value=fmt.today(), max_value=fmt.today(), format="DD.MM.YYYY")
        note = st.text_input("Bemerkung", max_chars=schema.NOTES_LENGTH)
        sent = st.form_submit_button("Stand speichern")
    if sent and state is not None:
        _run(lambda: records.record_state(data.store(), user, pool_id=str(area["pool_id"]), state=state, on=on,
                                          note=note, delegation=delegation),
             f"{area['pool_id']}: {state} seit {fmt.date(on)} gespeichert.", DETAIL)


def document_form(user: User, area: pd.Series, bookings: pd.DataFrame, delegation: Delegation) -> None:
    """A document on the area or on one of its bookings (land-register extract, lease, approval, plans); the
    handbook's inspecting partner adds photos and check reports on the area only."""
    targets = {f"Fläche {area['pool_id']}": ("pool_area", str(area["pool_id"]))}
    kinds = [k for k in schema.DOCUMENT_KINDS if k != "Foto"] + ["Foto"]
    if can_edit_municipality(user, str(area["ags"])):
        targets |= {f"Buchung {b} ({i})": ("allocation", str(b))
                    for b, i in zip(bookings["allocation_id"], bookings["intervention_id"], strict=True)}
    else:
        kinds = [k for k in kinds if records.inspection_material("pool_area", k)]
        st.caption(fmt.literal(f"Als kontrollierende Stelle: Fotos und Kontrollberichte. Andere Dokumente fügt "
                               f"{area['municipality']} hinzu."))
    with st.form(data.keyed(_KEY + "dokument"), border=True, enter_to_submit=False):
        target = st.selectbox("Gehört zu", list(targets), placeholder="Fläche oder Buchung wählen …")
        kind = st.selectbox("Dokumentart", kinds, placeholder="Art wählen …")
        uploads = _uploader("Dateien", data.keyed(_KEY + "dateien"))
        sent = st.form_submit_button("Dokument speichern")
    if sent and target is not None and kind is not None and (checked := _checked(uploads, False)) is not None:
        where, target_id = targets[target]
        _run(lambda: records.attach(data.store(), user, target=where, target_id=target_id, kind=kind,
                                    attachments=checked, delegation=delegation),
             f"{kind} zu {target_id} gespeichert ({fmt.count(len(checked), 'Datei', 'Dateien')}).", DETAIL)


def _show_file(user: User | None, document: pd.Series, view: PoolView) -> None:
    label = display.document_label(document)
    if not records.may_open(user, document, view.pool_areas):
        st.caption(fmt.literal(f"{label}: nur für GIS-Zuständige der Gemeinde und die Administration "
                               "(kann Angaben zu privaten Eigentümern enthalten)."))
        return
    content = records.open_document(data.store(), user, document, view.pool_areas)
    if document["media_type"] in files.PILLOW_FORMATS:
        st.image(content, caption=fmt.literal(label), width="stretch")
    st.download_button(f"{document['file_name']} herunterladen", content, file_name=str(document["file_name"]),
                       mime=str(document["media_type"]), key=f"{_KEY}datei_{document['document_id']}",
                       icon=":material/download:")


def intervention_documents(user: User | None, intervention: pd.Series, view: PoolView) -> None:
    """An intervention's own documents (approval notice, planning documents) on "Eingriffe & Zuordnung":
    listed for everyone, opened by who may see the municipality's personal data, added by its GIS staff and
    the administration (checked again in :func:`geo.monitoring.records.attach`)."""
    stored, _ = data.monitoring()
    intervention_id, ags = str(intervention["intervention_id"]), str(intervention["ags"])
    docs = stored.documents[(stored.documents["target"] == "intervention")
                            & (stored.documents["target_id"] == intervention_id)]
    flash(INTERVENTION)  # above the expander: its label counts the documents, so a save makes it a new one
    with st.expander(f"Dokumente zum Eingriff ({fmt.number(len(docs))})"):
        if len(docs):
            tables.show(display.documents_table(docs))
            for _, document in docs.iterrows():
                _show_file(user, document, view)
        else:
            st.caption("Noch keine Dokumente (z. B. Genehmigungsbescheid, Planunterlagen).")
        if user is None or not can_edit_municipality(user, ags):
            st.caption(fmt.literal(f"Dokumente hinzufügen dürfen GIS-Zuständige von {schema.AGS_NAMES[ags]} und "
                                   f"die Administration. {_signed_in_as(user)}"))
            return
        with st.form(f"{_KEY}eingriff_{intervention_id}", border=True, enter_to_submit=False):
            kind = st.selectbox("Dokumentart", schema.INTERVENTION_DOCUMENT_KINDS, placeholder="Art wählen …")
            uploads = _uploader("Dateien", f"{_KEY}eingriff_dateien_{intervention_id}")
            sent = st.form_submit_button("Dokument speichern")
        if sent and (checked := _checked(uploads, False)) is not None:
            _run(lambda: records.attach(data.store(), user, target="intervention", target_id=intervention_id,
                                        kind=kind, attachments=checked),
                 f"{kind} zu {intervention_id} gespeichert ({fmt.count(len(checked), 'Datei', 'Dateien')}).",
                 INTERVENTION)


def area_record(user: User | None, area: pd.Series, view: PoolView, stored: Monitoring) -> pd.DataFrame:
    """The area's states, inspections with their photos, documents and bookings; returns its active bookings."""
    pool_id = str(area["pool_id"])
    st.caption(fmt.literal(display.area_facts(area)))
    checks = stored.inspections[stored.inspections["pool_id"] == pool_id]
    docs = stored.documents[stored.documents["pool_id"] == pool_id]
    st.markdown(f"**Kontrollen ({fmt.number(len(checks))})**")
    if len(checks):
        tables.show(display.inspections_table(checks, docs))
        latest = docs[docs["target_id"] == checks["inspection_id"].iloc[-1]]
        if len(latest):
            st.markdown(f"Fotos und Dokumente der Kontrolle {checks['inspection_id'].iloc[-1]}")
            columns = st.columns(3)
            for i, (_, document) in enumerate(latest.iterrows()):
                with columns[i % 3]:
                    _show_file(user, document, view)
    with st.expander(f"Umsetzungsstände und Dokumente ({fmt.number(len(docs))} Dokumente)"):
        tables.show(display.events_table(stored.events[stored.events["pool_id"] == pool_id]))
        if len(docs):
            tables.show(display.documents_table(docs))
            for _, document in docs[docs["target"] != "inspection"].iterrows():
                _show_file(user, document, view)
    booked = status.booked_on(view.allocations, [pool_id])
    active = ledger.active_entries(view.allocations)
    st.markdown(f"**Gebucht auf dieser Fläche ({fmt.count(len(booked), 'Eingriff', 'Eingriffe')})**")
    if len(booked):
        tables.show(display.booked_table(booked, view.interventions))
    return active[active["pool_id"] == pool_id]


def lock_form(user: User, area: pd.Series, booked: int) -> None:
    """Administrators set a flagged area to ``gesperrt``: the ledger stays, the bookings above stay listed."""
    if area["status"] == "gesperrt":
        st.caption("Diese Fläche ist gesperrt.")
        return
    with st.form(data.keyed(_KEY + "sperren"), border=True, enter_to_submit=False):
        st.markdown(f"**Fläche {fmt.literal(area['pool_id'])} sperren** (Status „gesperrt“): keine neuen "
                    f"Buchungen; die {fmt.count(booked, 'bestehende Buchung bleibt', 'bestehenden Buchungen bleiben')}"
                    " unverändert.")
        reason = st.text_input("Grund (steht in der Historie)", max_chars=schema.NOTES_LENGTH)
        sent = st.form_submit_button("Fläche sperren", icon=":material/block:")
    if sent:
        _run(lambda: records.lock_area(data.store(), user, pool_id=str(area["pool_id"]), reason=reason),
             f"{area['pool_id']} ist gesperrt; Buchungen unverändert.", DETAIL)


def downloads(view: PoolView, stored: Monitoring, table: pd.DataFrame) -> None:
    """The KoKa-Nat export of the chosen municipalities' areas (owners redacted)."""
    st.caption("Poolflächen mit Umsetzungsstand, Kontrollen und Buchungen für das Kompensationsflächenkataster "
               "(KoKa-Nat): als GeoPackage oder als ZIP mit Shapefiles (Feldnamen höchstens 10 Zeichen, erklärt in "
               "FELDER.txt). Namen privater Eigentümer sind ersetzt.")
    today = fmt.today()
    left, right = st.columns(2)
    left.download_button("GeoPackage (KoKa-Nat)", cadastre.geopackage(view, stored, table, on=today),
                         file_name=f"kokanat-{today.isoformat()}.gpkg", mime="application/geopackage+sqlite3",
                         icon=":material/download:", on_click="ignore")
    right.download_button("Shapefiles als ZIP (KoKa-Nat)", cadastre.shapefile(view, stored, table, on=today),
                          file_name=f"kokanat-{today.isoformat()}.zip", mime="application/zip",
                          icon=":material/download:", on_click="ignore")
