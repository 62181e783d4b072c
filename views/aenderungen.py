"""Änderungen: the history of all municipalities, earlier versions (also as GeoPackage) and (admins) restoring them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import fmt, schema
from geo.display import changes
from geo.errors import FlaechenpoolError
from geo.upload import publish
from ui import auth, data, reports, tables, upload

RESTORED = "restore_done"
PENDING = "restore_pending"

st.title("Änderungen")
st.caption("Wer hat wann welche Ebene hochgeladen, was wurde gebucht, was wiederhergestellt – neueste zuerst.")

view = data.view()
if done := st.session_state.pop(RESTORED, None):
    # Right after a restore: what was done, not a button in the same place that would undo it with one click.
    message, restored_id = done
    st.success(message, icon=":material/check_circle:")
    st.markdown("**Die Wiederherstellung im Verlauf**")
    tables.show(changes.history_table(view.history[view.history["change_id"] == restored_id]))
    st.caption("Sie lässt sich wie jede Änderung unter „Früheren Stand ansehen“ wieder zurücknehmen.")
    st.button("Verlauf und frühere Stände ansehen", icon=":material/history:")
    st.stop()

cols = st.columns(3)
ags = cols[0].multiselect("Gemeinde", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                          placeholder="alle", select_all=False)
layers = cols[1].multiselect("Ebene", [*schema.MUNICIPAL_LAYERS, schema.ALLOCATIONS],
                             format_func=schema.LAYER_LABELS.__getitem__, placeholder="alle", select_all=False)
actions = cols[2].multiselect("Aktion", list(changes.ACTION_LABELS), format_func=changes.ACTION_LABELS.__getitem__,
                              placeholder="alle", select_all=False)
rows = changes.newest_first(view.history, ags=ags, layers=layers, actions=actions)
tables.show(changes.history_table(rows))

st.header("Früheren Stand ansehen")
versions = rows[rows.apply(changes.is_layer_change, axis=1)] if len(rows) else rows
if versions.empty:
    st.info("In dieser Auswahl gibt es keine hochgeladenen Ebenen.")
    st.stop()
by_id = {str(c): version for c, version in versions.set_index("change_id").iterrows()}
change_id = st.selectbox("Stand vor der Änderung", list(by_id),
                         format_func=lambda c: f"{c} · {changes.headline(by_id[c])}", placeholder="Bitte wählen …")
row = by_id[change_id]
try:
    earlier, back, change_map = data.restore_preview(change_id)
except FlaechenpoolError as exc:
    st.info(fmt.literal(f"{exc} (Bei der Ersterfassung gab es keinen früheren Stand.)"))
    st.stop()

layer, where = row["layer"], schema.AGS_NAMES[row["ags"]]
st.caption(f"{schema.LAYER_LABELS[layer]} von {where}, wie sie vor {change_id} waren: {len(earlier)} Objekte.")
tables.show(changes.layer_table(earlier, layer), height=280)
st.download_button("Diesen Stand als GeoPackage (QGIS)", reports.version_file(layer, row["ags"], change_id, earlier),
                   file_name=reports.version_name(layer, row["ags"], change_id), mime=reports.MIME["gpkg"],
                   icon=":material/download:", help="GeoPackage 1.2 mit den Farben und Wertelisten der App, "
                   "für QGIS (ETRS89 / UTM 33N). Namen privater Eigentümer nur, wenn Sie sie sehen dürfen.")
upload.show_preview(back, change_map, title="Was eine Wiederherstellung ändern würde")

user = auth.current_user()
if user is None or user.role != "admin":
    st.caption("Wiederherstellen darf nur die Administration.")
elif not back.ok:
    st.info("Dieser Stand lässt sich nicht wiederherstellen: die Befunde oben verhindern es (gebuchte Objekte "
            "dürfen nicht verschwinden; erst die Buchungen stornieren).", icon=":material/block:")
elif not back.empty:
    version = data.version_token()
    if st.button(f"Stand vor {change_id} wiederherstellen …", icon=":material/history:"):
        st.session_state[PENDING] = (change_id, version)
    if st.session_state.get(PENDING) == (change_id, version):
        with st.container(border=True):
            st.warning(fmt.literal(
                f"{schema.LAYER_LABELS[layer]} von {where} auf den Stand vor {change_id} zurücksetzen: "
                f"{changes.counts_text(pd.Series(back.counts))} (siehe oben). Die Wiederherstellung wird als "
                "neue Änderung protokolliert."), icon=":material/help:")
            left, right = st.columns(2)
            go = left.button("Jetzt wiederherstellen", type="primary", icon=":material/check:")
            stop = right.button("Abbrechen")
        if go or stop:
            del st.session_state[PENDING]
        if stop:
            st.rerun()
        if go:
            try:
                restored = publish.restore(data.store(), user, change_id)
            except FlaechenpoolError as exc:
                st.error(fmt.literal(exc))
            else:
                new_id = str(restored["change_id"].iloc[0])
                st.session_state[RESTORED] = (
                    f"Wiederhergestellt als Änderung {new_id}: {changes.counts_text(restored.iloc[0])}.", new_id)
                st.rerun()
