"""Daten hochladen: upload → map columns → validate → preview → publish (logic in geo/)."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.display import changes
from geo.errors import FlaechenpoolError
from geo.map import changemap
from geo.upload import columns, diff, publish, validate
from ui import auth, data, upload

st.title("Daten hochladen")
st.caption("Eigene Ebenen aktualisieren: Datei hochladen, Spalten zuordnen, Prüfung und Vorschau ansehen, "
           "veröffentlichen. Jeder frühere Stand bleibt erhalten.")

user = auth.current_user()
if user is None or user.role == "lesen":
    st.info("Hochladen dürfen GIS-Zuständige der Gemeinden und die Administration. Bitte in der Seitenleiste "
            "mit einem solchen Konto anmelden.")
    st.stop()
st.info("Ein Hochladen übersteht kein Neuladen der Seite: Neuladen, ein neuer Tab oder das Schließen verwirft "
        "Datei, Zuordnung und Prüfung (die Anmeldung bleibt). Bitte bis zum Veröffentlichen auf dieser Seite "
        "bleiben; die Zuordnung der Spalten wird beim Veröffentlichen für das nächste Mal gespeichert.",
        icon=":material/info:")

if user.role == "admin":
    ags = st.selectbox("Gemeinde", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__)
else:
    assert user.ags is not None, "a gis account belongs to one municipality"
    ags = user.ags
    st.markdown(f"**Gemeinde:** {schema.AGS_NAMES[ags]}")

if done := st.session_state.pop("upload_done", None):
    st.success(done)
round_ = st.session_state.setdefault("upload_round", 0)
files = upload.file_uploader(f"upload-{round_}")
if not files:
    st.stop()

store = data.store()
try:
    payload = tuple(sorted((f.name, f.getvalue()) for f in files))
    source = upload.inspect(payload)
    file_layer = (st.selectbox("Ebene in der Datei", source.layers) if len(source.layers) > 1
                  else source.layers[0])
    raw = upload.read(source, file_layer)
except FlaechenpoolError as exc:
    st.error(fmt.literal(exc))
    st.stop()

st.caption(fmt.literal(f"{source.kind} „{source.name}“: {len(raw)} Objekte, Koordinatensystem "
                       f"{raw.crs.to_string() if raw.crs else 'nicht angegeben'}."))
detected = columns.detect_layer(list(raw.columns))
layers = [schema.POOL_AREAS, schema.INTERVENTIONS, schema.BOUNDARY]
layer = st.selectbox("Zielebene", layers, index=layers.index(detected) if detected else 0,
                     format_func=schema.LAYER_LABELS.__getitem__,
                     help="Aus den Spalten der Datei erkannt; bei Bedarf ändern.")
remembered = store.read_mapping(ags).get(layer)
key = f"{source.checksum[:12]}-{layer}"
chosen = upload.mapping_form(raw, layer, columns.Mapping.from_json(remembered) if remembered else None, key)

st.subheader("Prüfung")
repair = st.session_state.get(f"{key}-repair", False)
recompute = st.session_state.get(f"{key}-recompute", False)
report = validate.validate(columns.apply(raw, chosen), layer, upload.context(ags, layer), repair=repair,
                           recompute_points=recompute)
rules = {f.rule for f in report.findings}
if rules & {"geometry_invalid", "geometry_repaired"}:
    st.checkbox("Reparierte Geometrien übernehmen", key=f"{key}-repair",
                help="Ungültige Geometrien werden mit shapely make_valid repariert; die Tabelle zeigt die Fläche.")
if rules & {"points_off"}:
    st.checkbox("Berechnete Wertpunkte übernehmen, wo die Datei mehr als 1 % abweicht", key=f"{key}-recompute")
upload.show_report(report)
if not report.ok or report.frame is None:  # ok: a frame and no errors
    st.stop()

view = data.view()
old = store.read_layer(layer, [ags])
change = diff.diff_layer(old, report.frame, layer, allocations=view.allocations)
upload.show_preview(change, changemap.change_map_png(old, report.frame, change,
                                                    view.boundaries[view.boundaries["ags"] == ags]))
if change.findings or change.empty:
    st.stop()

if st.button(f"{schema.LAYER_LABELS[layer]} von {schema.AGS_NAMES[ags]} veröffentlichen", type="primary"):
    try:
        row = publish.publish(store, user, ags=ags, layer=layer, frame=report.frame, source=source.name)
        store.write_mapping(ags, layer, chosen.to_json())
    except FlaechenpoolError as exc:
        st.error(fmt.literal(exc))
    else:
        st.session_state["upload_done"] = (
            f"Veröffentlicht als Änderung {row['change_id'].iloc[0]}: {changes.counts_text(row.iloc[0])}. "
            "Der vorige Stand ist gesichert und kann unter „Änderungen“ angesehen werden.")
        st.session_state["upload_round"] = round_ + 1
        st.rerun()
