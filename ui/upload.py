"""Widgets of the upload page: reading (cached), refusals, column/value mapping, report, preview.

The logic is in geo/ (ingest, placement, columns, validate, diff, changemap); these functions
only draw it and collect the user's choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile
from streamlit_folium import st_folium

from geo import fmt, schema
from geo.access import privacy
from geo.errors import FlaechenpoolError
from geo.map import changemap
from geo.store import reference
from geo.upload import columns, diff, ingest, placement, validate
from ui import auth, data, tables

NOT_MAPPED = "— keine Spalte —"
KEEP_STORED = "— keine Spalte: gespeicherte Werte behalten —"
CLEAR = "— keine Spalte: Werte leeren —"
COMPUTED = "— keine Spalte: berechnen —"
NO_DEFAULT = "— keine Vorgabe —"
KEEP = "— so lassen —"
ROUND = "upload_round"
READING = "upload_reading"
REFUSED = "upload_refused"
# Streamlit's drop zone speaks English and names the server's transport limit, not ours: hide its
# instructions (the label says it in German) and give the button a German caption. Static CSS, no data.
# Every file type is let through (Streamlit would refuse others in English); geo.upload.ingest
# refuses what it cannot read in German.
DROPZONE_CSS = """<style>
[data-testid='stFileUploaderDropzoneInstructions'], [data-testid='stFileUploaderDropzone'] button p {display: none;}
[data-testid='stFileUploaderDropzone'] button span[data-has-shortcut]::after {content: 'Datei auswählen';}
</style>"""


def _id(f: UploadedFile) -> tuple[str, int]:
    return f.name, f.size


def file_uploader() -> list[UploadedFile]:
    """The upload widget with German text and our size limit; a new key (:func:`next_file`) empties it.

    A file refused before does not block the next: dropped next to it, only the new file counts.
    """
    st.html(DROPZONE_CSS)
    files = st.file_uploader(
        f"GeoPackage, GeoJSON, KML, FlatGeobuf, CSV (WKT oder x/y) oder Shapefile (als ZIP, oder .shp, .shx, .dbf "
        f"und .prj zusammen), höchstens {fmt.number(ingest.MAX_UPLOAD_BYTES / 1024 / 1024)} MB", type=None,
        accept_multiple_files=True, key=f"upload-{st.session_state.setdefault(ROUND, 0)}") or []
    refused_before = st.session_state.get(REFUSED, set())
    fresh = [f for f in files if _id(f) not in refused_before]
    return fresh if fresh else files


def next_file() -> None:
    """Empty the uploader (a fresh widget key) and forget choices made for the previous file."""
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.session_state.pop(READING, None)


def reading() -> placement.Reading | None:
    """How the user chose to read the coordinates (button „Als … lesen“), if they did."""
    chosen = st.session_state.get(READING)
    return chosen if isinstance(chosen, placement.Reading) else None


def refused(exc: FlaechenpoolError, files: list[UploadedFile]) -> None:
    """A refused file: the German message, GDAL's own words folded away, the offered reading, a way on."""
    st.session_state[REFUSED] = st.session_state.get(REFUSED, set()) | {_id(f) for f in files}
    st.error(fmt.literal(exc))
    if exc.details:
        with st.expander("Technische Meldung (für die IT)"):
            st.code(exc.details, language=None, wrap_lines=True)
    offer = exc.offer if isinstance(exc, placement.Misplaced) else None
    if offer is not None and st.button(f"Als {offer.label()} lesen", type="primary"):
        st.session_state[READING] = offer
        st.rerun()
    if st.button("Andere Datei wählen"):
        next_file()
        st.rerun()


@st.cache_data(show_spinner=False)
def official() -> gpd.GeoDataFrame:
    return reference.official_boundaries()


@st.cache_data(show_spinner="Datei wird geprüft …", max_entries=4)
def inspect(files: tuple[tuple[str, bytes], ...]) -> ingest.Source:
    """Check the upload (size, type, zip members) and list its layers (cached by content)."""
    return ingest.open_upload([ingest.UploadedFile(name, body) for name, body in files])


@st.cache_resource(show_spinner="Datei wird gelesen …", max_entries=4)
def _read(checksum: str, layer: str, _source: ingest.Source) -> gpd.GeoDataFrame:
    return ingest.read_source(_source, layer)


@st.cache_resource(show_spinner=False, max_entries=4)
def _placed(checksum: str, layer: str, how: str, _source: ingest.Source,
            _reading: placement.Reading | None) -> tuple[gpd.GeoDataFrame, str]:
    return placement.placed(_read(checksum, layer, _source), official(), name=_source.name, reading=_reading)


def placed(source: ingest.Source, layer: str) -> tuple[gpd.GeoDataFrame, str]:
    """The file's *layer* read and placed (:func:`geo.upload.placement.placed`) with the chosen reading, and the
    note on how; once per file content, layer and reading (shared and read-only, never unpickled per rerun)."""
    chosen = reading()
    return _placed(source.checksum, layer, repr(chosen), source, chosen)


@dataclass(frozen=True)
class Check:
    """What the page shows below the mapping: the validation and, when it passes, the diff and its map."""

    report: validate.ValidationReport
    change: diff.LayerDiff | None = None
    layers: changemap.ChangeLayers | None = None


@st.cache_resource(show_spinner="Datei wird geprüft …", max_entries=8)
def _check(file_key: str, ags: str, layer: str, choices: str, audience: frozenset[str], store_key: str,
           version: object, _raw: gpd.GeoDataFrame, _chosen: columns.Mapping, _options: dict[str, bool]) -> Check:
    old = data.store().read_layer(layer, [ags])
    report = validate.validate(columns.apply(_raw, _chosen, old), layer,
                               context(ags, layer, admin=_options["admin"]), repair=_options["repair"],
                               recompute_points=_options["recompute"], accept_outside=_options["accept_outside"],
                               mapping=_chosen)
    if not report.ok or report.frame is None:  # ok: a frame and no errors
        return Check(report)
    view = data.view()
    change = diff.diff_layer(old, report.frame, layer, allocations=view.allocations)
    boundary = view.boundaries[view.boundaries["ags"] == ags]
    return Check(report, change, changemap.prepare(old, report.frame, change, boundary))


def check(file_key: str, raw: gpd.GeoDataFrame, ags: str, layer: str, chosen: columns.Mapping, *, admin: bool,
          repair: bool, recompute: bool, accept_outside: bool) -> Check:
    """Validation, diff and change map of the placed file *raw* (*file_key*: its checksum, layer and reading).

    Cached by everything it depends on (file, choices, the viewer's audience, data version): a
    rerun for a widget that changes none of them (the map, a checkbox elsewhere) recomputes nothing.
    """
    options = {"admin": admin, "repair": repair, "recompute": recompute, "accept_outside": accept_outside}
    s, user = data.store(), auth.current_user()
    return _check(file_key, ags, layer, f"{chosen!r} {sorted(options.items())}", privacy.visible_municipalities(user),
                  s.key, s.version(), raw, chosen, options)


def context(ags: str, layer: str, *, admin: bool) -> validate.Context:
    """What an upload of *ags* is checked against: valuation, boundaries, other municipalities' ids and areas,
    ledger."""
    return validate.context_from(data.view(), ags, layer, data.valuation_tables(), admin=admin)


def _no_column(f: schema.Field) -> str:
    if f.required:
        return NOT_MAPPED
    return COMPUTED if f.name in columns.KEEP_EXEMPT else KEEP_STORED


def _default(f: schema.Field, codes: dict[str, str], key: str) -> str | None:
    """One value for all features of required field *f* the file has no column for."""
    label = f"Vorgabe für alle Objekte: {f.label}"
    if f.type == "code":
        options = [NO_DEFAULT, *codes]
        pick = st.selectbox(label, options, key=key, placeholder="Bitte wählen …",
                            format_func=lambda c: c if c == NO_DEFAULT else f"{c} – {codes[c]}")
    elif f.type == "enum":
        pick = st.selectbox(label, [NO_DEFAULT, *f.choices], key=key, placeholder="Bitte wählen …")
    else:
        pick = st.text_input(label, key=key).strip() or NO_DEFAULT
    return None if pick == NO_DEFAULT else pick


def biotope_codes(ags: str) -> dict[str, str]:
    """Code → German name of the valuation table *ags* uses (the choices of a default biotope)."""
    table = data.valuation_tables()[data.models().own(ags)]
    return {str(code): str(name) for code, name in table.biotopes["name"].items()}


def mapping_form(raw: gpd.GeoDataFrame, layer: str, remembered: columns.Mapping | None, key: str,
                 codes: dict[str, str]) -> columns.Mapping:
    """Column mapping (prefilled: remembered, then by name), defaults for required fields without a column
    (biotope codes from *codes*, the valuation table), keep/clear for optional ones, value mapping of enums."""
    names = [c for c in raw.columns if c != raw.geometry.name]
    guessed = columns.guess_columns(names, layer, remembered)
    chosen: dict[str, str] = {}
    defaults: dict[str, str] = {}
    clear: set[str] = set()
    with st.expander("Spalten zuordnen", expanded=True):
        st.caption("Welche Spalte Ihrer Datei enthält welches Feld? * = Pflichtfeld. Felder ohne Spalte behalten "
                   "bei vorhandenen Objekten die gespeicherten Werte. Die Zuordnung wird beim Veröffentlichen für "
                   "Ihre Gemeinde gespeichert.")
        grid = st.columns(3)
        for i, f in enumerate(schema.LAYER_FIELDS[layer]):
            none = _no_column(f)
            options = [none, *([CLEAR] if none == KEEP_STORED else []), *names]
            marker = " *" if f.required and f.name != "ags" else ""  # a missing AGS is filled in
            with grid[i % 3]:
                choice = st.selectbox(f"{f.label}{marker}", options, index=options.index(guessed.get(f.name, none)),
                                      key=f"{key}-col-{f.name}", placeholder="Bitte wählen …")
                if choice == CLEAR:
                    clear.add(f.name)
                elif choice != none:
                    chosen[f.name] = choice
                elif f.required and f.name not in (schema.ID_FIELD[layer], "ags"):
                    value = _default(f, codes, f"{key}-default-{f.name}")
                    if value is not None:
                        defaults[f.name] = value
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
                                    key=f"{key}-val-{f.name}-{value}", placeholder="Bitte wählen …")
                if pick != KEEP:
                    values.setdefault(f.name, {})[value] = pick
    return columns.Mapping(layer, chosen, values, defaults, frozenset(clear))


FINDINGS_HEIGHT_PX = 420


def show_report(report: validate.ValidationReport) -> None:
    """The verdict and every finding in full (a scrolling table whose messages wrap, never cut off)."""
    show = st.error if report.errors else st.warning if report.warnings else st.success
    show(fmt.literal(report.summary()))
    if report.findings:
        table = report.table().map(fmt.literal)  # cells render Markdown; attribute text is data
        if len(table) > 8:
            st.table(table, hide_index=True, height=FINDINGS_HEIGHT_PX)
        else:
            st.table(table, hide_index=True)
    if len(report.repairs):
        st.caption("Ungültige Geometrien und ihre reparierte Fassung")
        tables.show(report.repairs_table())


def show_preview(change: diff.LayerDiff, layers: changemap.ChangeLayers,
                 title: str = "Vorschau der Änderung") -> None:
    """Counts, booking conflicts, change table and interactive map (:mod:`geo.map.changemap`) of *change*."""
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
    tables.show(change.table(), height=min(38 + 35 * len(change.changes), 320))
    st_folium(changemap.build(layers, offline=data.settings().offline), key=f"changemap-{title}", height=520,
              use_container_width=True, returned_objects=[])
    st.caption("Karte der Änderungen: hinzugefügt grün, geändert schraffiert (alte Umrisse gestrichelt), entfernt "
               "rot schraffiert mit gestrichelter Kante. Ebenen oben rechts ein- und ausblenden.")
