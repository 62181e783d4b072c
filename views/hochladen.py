"""Daten hochladen: upload → coordinates checked → map columns → validate → preview → publish (logic in geo/)."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.display import changes
from geo.errors import FlaechenpoolError
from geo.upload import columns, ingest, publish
from ui import auth, data, reports, upload

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

admin = user.role == "admin"
if admin:
    ags = st.selectbox("Gemeinde", list(schema.AGS_NAMES), format_func=schema.AGS_NAMES.__getitem__,
                       placeholder="Bitte wählen …")
else:
    assert user.ags is not None, "a gis account belongs to one municipality"
    ags = user.ags
    st.markdown(f"**Gemeinde:** {schema.AGS_NAMES[ags]}")

with st.expander("Vorlage für QGIS", icon=":material/download:"):
    st.caption(f"Leeres GeoPackage für {schema.AGS_NAMES[ags]}: Poolflächen und Eingriffe mit allen Feldern, "
               "Auswahllisten und den Farben der App, dazu die Gemeindegrenze. In QGIS öffnen, Objekte erfassen "
               "(ETRS89 / UTM 33N) und die Datei hier hochladen.")
    st.download_button("Vorlage herunterladen (GeoPackage)", reports.template(ags),
                       file_name=reports.template_name(ags), mime=reports.MIME["gpkg"])

if done := st.session_state.pop("upload_done", None):
    st.success(done)
files = upload.file_uploader()
if not files:
    st.stop()

store = data.store()
try:
    source = upload.inspect(tuple(sorted((f.name, f.getvalue()) for f in files)))
    best = ingest.best_layer(source)
    file_layer = (st.selectbox("Ebene in der Datei", source.layers, index=source.layers.index(best.layer),
                               placeholder="Bitte wählen …")
                  if len(source.layers) > 1 else best.layer)
    if best.reason and file_layer == best.layer:
        st.caption(best.reason)
    raw, read_note = upload.placed(source, file_layer)
except FlaechenpoolError as exc:
    upload.refused(exc, files)
    st.stop()

st.caption(fmt.literal(f"{source.kind} „{source.name}“: {len(raw)} Objekte, Koordinatensystem "
                       f"{raw.crs.to_string() if raw.crs else 'nicht angegeben'}. {read_note}"))
detected = columns.detect_layer(list(raw.columns))
layers = [schema.POOL_AREAS, schema.INTERVENTIONS, schema.BOUNDARY]
layer = st.selectbox("Zielebene", layers, index=layers.index(detected) if detected else 0,
                     format_func=schema.LAYER_LABELS.__getitem__,
                     help="Aus den Spalten der Datei erkannt; bei Bedarf ändern.", placeholder="Bitte wählen …")
remembered = store.read_mapping(ags).get(layer)
key = f"{source.checksum[:12]}-{layer}"
chosen = upload.mapping_form(raw, layer, columns.Mapping.from_json(remembered) if remembered else None, key,
                             upload.biotope_codes(ags))

st.subheader("Prüfung")
reason = st.session_state.get(f"{key}-reason", "").strip() if admin else ""
checked = upload.check(f"{source.checksum}-{file_layer}-{upload.reading()!r}", raw, ags, layer, chosen, admin=admin,
                       repair=st.session_state.get(f"{key}-repair", False),
                       recompute=st.session_state.get(f"{key}-recompute", False), accept_outside=bool(reason))
report = checked.report
rules = {f.rule for f in report.findings}
if rules & {"geometry_invalid", "geometry_repaired"}:
    st.checkbox("Reparierte Geometrien übernehmen", key=f"{key}-repair",
                help="Ungültige Geometrien werden mit shapely make_valid repariert; die Tabelle zeigt die Fläche.")
if rules & {"points_off"}:
    st.checkbox("Berechnete Wertpunkte übernehmen, wo die Datei mehr als 1 % abweicht", key=f"{key}-recompute")
if admin and "outside_boundary" in rules:
    st.text_input("Begründung, um Flächen außerhalb der Gemeindegrenze anzunehmen (steht in der Änderungsliste)",
                  key=f"{key}-reason")
upload.show_report(report)
if checked.change is None or checked.layers is None or report.frame is None:
    st.stop()

change = checked.change
upload.show_preview(change, checked.layers)
if change.findings or change.empty:
    st.stop()

if st.button(f"{schema.LAYER_LABELS[layer]} von {schema.AGS_NAMES[ags]} veröffentlichen", type="primary"):
    try:
        row = publish.publish(store, user, ags=ags, layer=layer, frame=report.frame, source=source.name,
                              notes=publish.joined_notes(read_note, chosen.notes()), outside_reason=reason)
        store.write_mapping(ags, layer, chosen.to_json())
    except FlaechenpoolError as exc:
        st.error(fmt.literal(exc))
    else:
        st.session_state["upload_done"] = (
            f"Veröffentlicht als Änderung {row['change_id'].iloc[0]}: {changes.counts_text(row.iloc[0])}. "
            "Der vorige Stand ist gesichert und kann unter „Änderungen“ angesehen werden.")
        upload.next_file()
        st.rerun()
