"""Widgets of the upload page: reading (cached), column/value mapping, report, preview.

The logic is in geo/ (ingest, mapping, validate, diff, changemap); these functions only
draw it and collect the user's choices.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from geo import fmt, schema
from geo.upload import columns, diff, ingest, validate
from ui import data, tables

NOT_MAPPED = "— nicht zuordnen —"
KEEP = "— so lassen —"
ACCEPTED_TYPES = ["gpkg", "geojson", "json", "zip", "shp", "shx", "dbf", "prj", "cpg"]
# Streamlit's drop zone speaks English and names the server's transport limit, not ours: hide its
# instructions (the label says it in German) and give the button a German caption. Static CSS, no data.
_DROPZONE_CSS = """<style>
[data-testid='stFileUploaderDropzoneInstructions'], [data-testid='stFileUploaderDropzone'] button p {display: none;}
[data-testid='stFileUploaderDropzone'] button span[data-has-shortcut]::after {content: 'Datei auswählen';}
</style>"""


def file_uploader(key: str) -> list | None:
    """The upload widget with German text and our size limit."""
    st.html(_DROPZONE_CSS)
    return st.file_uploader(
        f"GeoPackage, GeoJSON oder Shapefile (als ZIP, oder .shp, .shx, .dbf und .prj zusammen), höchstens "
        f"{fmt.number(ingest.MAX_UPLOAD_BYTES / 1024 / 1024)} MB", type=ACCEPTED_TYPES,
        accept_multiple_files=True, key=key)


@st.cache_data(show_spinner="Datei wird geprüft …", max_entries=4)
def inspect(files: tuple[tuple[str, bytes], ...]) -> ingest.Source:
    """Check the upload (size, type, zip members) and list its layers (cached by content)."""
    return ingest.open_upload([ingest.UploadedFile(name, body) for name, body in files])


@st.cache_data(show_spinner="Datei wird gelesen …", max_entries=4)
def read(source: ingest.Source, layer: str) -> gpd.GeoDataFrame:
    return ingest.read_source(source, layer)


def context(ags: str, layer: str) -> validate.Context:
    """What an upload of *ags* is checked against: valuation, boundary, other municipalities' ids, ledger."""
    return validate.context_from(data.view(), ags, layer, data.valuation_tables())


def mapping_form(raw: gpd.GeoDataFrame, layer: str, remembered: columns.Mapping | None, key: str
                 ) -> columns.Mapping:
    """Column mapping (prefilled: remembered, then by name) and value mapping of enum fields."""
    names = [c for c in raw.columns if c != raw.geometry.name]
    guessed = columns.guess_columns(names, layer, remembered)
    chosen: dict[str, str] = {}
    with st.expander("Spalten zuordnen", expanded=True):
        st.caption("Welche Spalte Ihrer Datei enthält welches Feld? * = Pflichtfeld. Die Zuordnung wird "
                   "beim Veröffentlichen für Ihre Gemeinde gespeichert.")
        grid = st.columns(3)
        for i, f in enumerate(schema.LAYER_FIELDS[layer]):
            options = [NOT_MAPPED, *names]
            marker = " *" if f.required and f.name != "ags" else ""  # a missing AGS is filled in
            choice = grid[i % 3].selectbox(f"{f.label}{marker}", options,
                                           index=options.index(guessed.get(f.name, NOT_MAPPED)),
                                           key=f"{key}-col-{f.name}")
            if choice != NOT_MAPPED:
                chosen[f.name] = choice
    values: dict[str, dict[str, str]] = {}
    guesses = columns.value_guesses(raw, layer, chosen, remembered)
    for f in columns.enum_fields(layer):
        if f.name not in chosen:
            continue
        unknown = [v for v in columns.distinct_values(raw, chosen[f.name]) if v not in f.choices]
        if not unknown:
            continue
        with st.expander(f"Werte übersetzen: {f.label}", expanded=True):
            options = [KEEP, *f.choices]
            for value in unknown:
                guessed_value = guesses.get(f.name, {}).get(value, KEEP)
                pick = st.selectbox(fmt.literal(f"„{value}“ bedeutet"), options, index=options.index(guessed_value),
                                    key=f"{key}-val-{f.name}-{value}")
                if pick != KEEP:
                    values.setdefault(f.name, {})[value] = pick
    return columns.Mapping(layer, chosen, values)


FINDING_COLUMNS = {"Art": st.column_config.TextColumn(width="small"),
                   "Objekt": st.column_config.TextColumn(width="small"),
                   "Feld": st.column_config.TextColumn(width="small"),
                   "Meldung": st.column_config.TextColumn(width="large")}


def show_report(report: validate.ValidationReport) -> None:
    show = st.error if report.errors else st.warning if report.warnings else st.success
    show(report.summary())
    if report.findings:
        tables.show(report.table(), column_config=FINDING_COLUMNS)
    if len(report.repairs):
        st.caption("Ungültige Geometrien und ihre reparierte Fassung")
        tables.show(report.repairs_table())


def show_preview(change: diff.LayerDiff, map_png: bytes, title: str = "Vorschau der Änderung") -> None:
    """Counts, booking conflicts, change table and map (:func:`geo.map.changemap.change_map_png`) of *change*."""
    st.subheader(title)
    cols = st.columns(3)
    kinds = (("added", change.added), ("changed", change.changed), ("removed", change.removed))
    for col, (name, ids) in zip(cols, kinds, strict=True):
        col.metric(diff.ACTION_LABELS[name], fmt.number(len(ids)))
    for finding in change.findings:
        st.error(fmt.literal(finding.message))
    if change.empty:
        st.info("Beide Stände stimmen überein: es gibt nichts zu übernehmen.")
        return
    left, right = st.columns([3, 2])
    with left:
        tables.show(change.table())
    right.image(map_png, caption="Karte der Änderungen (ETRS89 / UTM 33N)")
