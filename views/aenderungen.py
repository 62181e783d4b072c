"""Änderungen: the history of all municipalities, earlier versions (also as GeoPackage) and (admins) restoring them."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.display import changes
from geo.errors import FlaechenpoolError
from geo.upload import publish
from ui import auth, data, reports, tables, upload

st.title("Änderungen")
st.caption("Wer hat wann welche Ebene hochgeladen, was wurde gebucht, was wiederhergestellt – neueste zuerst.")

if done := st.session_state.pop("restore_done", None):
    st.success(done)

view = data.view()
cols = st.columns(3)
ags = cols[0].multiselect("Gemeinde", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                          placeholder="alle")
layers = cols[1].multiselect("Ebene", [*schema.MUNICIPAL_LAYERS, schema.ALLOCATIONS],
                             format_func=schema.LAYER_LABELS.__getitem__, placeholder="alle")
actions = cols[2].multiselect("Aktion", list(changes.ACTION_LABELS), format_func=changes.ACTION_LABELS.__getitem__,
                              placeholder="alle")
rows = changes.newest_first(view.history, ags=ags, layers=layers, actions=actions)
tables.show(changes.history_table(rows))

st.header("Früheren Stand ansehen")
versions = rows[rows.apply(changes.is_layer_change, axis=1)] if len(rows) else rows
if versions.empty:
    st.info("In dieser Auswahl gibt es keine hochgeladenen Ebenen.")
    st.stop()
by_id = {str(c): version for c, version in versions.set_index("change_id").iterrows()}
change_id = st.selectbox("Stand vor der Änderung", list(by_id),
                         format_func=lambda c: f"{c} · {changes.headline(by_id[c])}")
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
elif not back.empty and st.button(f"Stand vor {change_id} wiederherstellen", type="primary"):
    try:
        restored = publish.restore(data.store(), user, change_id)
    except FlaechenpoolError as exc:
        st.error(fmt.literal(exc))
    else:
        st.session_state["restore_done"] = (f"Wiederhergestellt als Änderung {restored['change_id'].iloc[0]}: "
                                            f"{changes.counts_text(restored.iloc[0])}.")
        st.rerun()
