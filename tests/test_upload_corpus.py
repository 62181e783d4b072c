"""Issue 12's corpus: valid GeoJSON, misplaced data, double counting, legacy files, hostile text,
unreadable files and other formats. Each file gets its own German finding; a refused one leaves the
stored data byte-for-byte unchanged; the legacy ones are accepted with their umlauts and areas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.access.permissions import User
from geo.accounting import valuation
from geo.errors import DataError, PermissionDenied
from geo.store import reference
from geo.store.gpkg import GeoPackageStore
from geo.upload import columns, diff, ingest, placement, publish, validate
from tests.conftest import WURZEN
from tests.test_validate import WURZEN_GIS, fingerprint, wurzen
from tests.uploads import (
    LEGACY_COLUMNS,
    as_file,
    csv_wkt,
    csv_xy,
    flatgeobuf,
    geojson,
    gk4_labelled_utm,
    gpkg_with_nul,
    kml,
    legacy_shapefile,
    swapped_gpkg,
    two_layer_gpkg,
    zone_prefixed_shapefile,
)

ADMIN = User("admin", "admin")
BENNEWITZ = "14729030"


@dataclass(frozen=True)
class Checked:
    source: ingest.Source
    choice: ingest.LayerChoice
    note: str
    mapping: columns.Mapping
    report: validate.ValidationReport


def check(store: GeoPackageStore, files: list[ingest.UploadedFile], *, reading: placement.Reading | None = None,
          defaults: dict[str, str] | None = None, clear: frozenset[str] = frozenset(), admin: bool = False,
          accept_outside: bool = False, layer: str | None = None) -> Checked:
    """The page's and the command line's steps: open, best layer, placement, mapping, validation."""
    source = ingest.open_upload(files)
    choice = ingest.best_layer(source)
    raw, note = placement.placed(ingest.read_source(source, choice.layer), reference.official_boundaries(),
                                 name=source.name, reading=reading)
    layer = layer or columns.detect_layer(list(raw.columns)) or schema.POOL_AREAS
    mapping = columns.with_choices(columns.guess(raw, layer), defaults=defaults or {}, clear=set(clear))
    ctx = validate.context_from(store.read_all(), WURZEN, layer, valuation.read_tables(store), admin=admin)
    report = validate.validate(columns.apply(raw, mapping, store.read_layer(layer, [WURZEN])), layer, ctx,
                               accept_outside=accept_outside, mapping=mapping)
    return Checked(source, choice, note, mapping, report)


def rules(checked: Checked) -> dict[str, list[validate.Finding]]:
    out: dict[str, list[validate.Finding]] = {}
    for finding in checked.report.findings:
        out.setdefault(finding.rule, []).append(finding)
    return out


def refuses_without_a_trace(store: GeoPackageStore, demo_dir: Path, frame: gpd.GeoDataFrame,
                            user: User = WURZEN_GIS, layer: str = schema.POOL_AREAS, **kw) -> None:
    """Publishing *frame* anyway is refused and changes no byte of the stored data."""
    before = fingerprint(demo_dir)
    with pytest.raises((DataError, PermissionDenied)):
        publish.publish(store, user, ags=WURZEN, layer=layer, frame=frame, source="x", **kw)
    assert fingerprint(demo_dir) == before


# --- 1. valid GeoJSON ------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer_name", [None, "flaechen_2026"])
def test_geojson_with_or_without_a_name_is_read_twice_in_a_row(demo_store, layer_name):
    file = geojson(wurzen(demo_store), "wurzen.geojson", layer_name=layer_name)
    for _ in range(2):  # every open is a new /vsimem path; nothing of the first may leak into the second
        source = ingest.open_upload([file])
        assert source.layers == (layer_name or "wurzen",)
        assert len(ingest.read_source(source, source.layers[0])) == len(wurzen(demo_store))
    checked = check(demo_store, [file])
    assert checked.report.ok, checked.report.table().to_string()


# --- 2. misplaced data -----------------------------------------------------------------------------------

MISPLACED = {
    "zone_prefix": (zone_prefixed_shapefile, "Zonenkennung 33 vorn", "EPSG:5650", "--lesen-als EPSG:5650"),
    "swapped_axes": (swapped_gpkg, "Länge und Breite sind vertauscht", "EPSG:4326 mit vertauschten Achsen",
                     "--lesen-als EPSG:4326 --achsen-tauschen"),
    "gk4_as_utm": (gk4_labelled_utm, "Gauß-Krüger (EPSG:31468", "EPSG:31468", "--lesen-als EPSG:31468"),
}


@pytest.mark.parametrize("case", list(MISPLACED))
def test_misplaced_data_are_refused_first_and_the_one_fitting_reading_is_offered(case, demo_store, demo_dir,
                                                                                 tmp_path):
    build, cause, label, options = MISPLACED[case]
    frame = wurzen(demo_store)
    file = build(frame, tmp_path)
    before = fingerprint(demo_dir)
    with pytest.raises(placement.Misplaced) as refused:
        check(demo_store, [file])
    message = str(refused.value)
    assert "liegen nicht im Gebiet des Flächenpools" in message and cause in message and options in message
    assert refused.value.offer is not None and refused.value.offer.label() == label
    assert fingerprint(demo_dir) == before
    # read as offered, the preview shows the stored areas where they were: nothing moved
    checked = check(demo_store, [file], reading=refused.value.offer)
    assert checked.note.startswith(f"Koordinaten als {label} gelesen")
    assert checked.report.ok, checked.report.table().to_string()
    change = diff.diff_layer(demo_store.read_layer(schema.POOL_AREAS, [WURZEN]), checked.report.frame,
                             schema.POOL_AREAS)
    assert "Geometrie" not in set(change.changes["field"])


def test_other_misreadings_are_named(demo_store):
    frame = wurzen(demo_store).iloc[:3]
    official = reference.official_boundaries()
    cases = {
        "die Koordinaten sind UTM Zone 32": frame.to_crs("EPSG:25832").set_crs(schema.CRS, allow_override=True),
        "Web-Mercator-Meter": frame.to_crs("EPSG:3857").set_crs("EPSG:4326", allow_override=True),
        "in Kilometern statt in Metern": frame.set_geometry(shapely.transform(frame.geometry.values,
                                                                              lambda xy: xy / 1000), crs=frame.crs),
        "die Koordinaten sind UTM (EPSG:25833": frame.set_crs("EPSG:31469", allow_override=True),
        "nennt kein Koordinatenbezugssystem": frame.set_crs(None, allow_override=True),
    }
    for cause, misread in cases.items():
        with pytest.raises(placement.Misplaced, match=re.escape(cause)) as refused:
            placement.check(misread, official, name="x")
        assert refused.value.offer is not None
    far = frame.set_geometry(shapely.transform(frame.geometry.values, lambda xy: xy + np.array([0, 3e6])),
                             crs=frame.crs)
    with pytest.raises(placement.Misplaced, match="Keine der üblichen Verwechslungen") as nothing:
        placement.check(far, official, name="x")
    assert nothing.value.offer is None


# --- 3. outside the municipality, double counting, the boundary -----------------------------------------

def test_an_area_entirely_in_another_municipality_is_an_error_unless_an_admin_gives_a_reason(demo_store, demo_dir):
    frame = wurzen(demo_store)
    inside_brandis = reference.official_boundaries().set_index("ags").geometry["14729070"].representative_point()
    moved = frame.copy()
    moved.loc[moved.index[0], "geometry"] = inside_brandis.buffer(40)
    report = validate.validate(moved, schema.POOL_AREAS, validate.context_from(
        demo_store.read_all(), WURZEN, schema.POOL_AREAS, valuation.read_tables(demo_store)))
    outside = [f for f in report.errors if f.rule == "outside_boundary"]
    assert [f.feature_id for f in outside] == [frame["pool_id"].iloc[0]]
    assert "Liegt zu 100\u00a0%" in outside[0].message
    assert "außerhalb der Gemeindegrenze von Wurzen" in outside[0].message
    refuses_without_a_trace(demo_store, demo_dir, moved)
    refuses_without_a_trace(demo_store, demo_dir, moved, outside_reason="Tauschfläche")  # a gis user may not
    row = publish.publish(demo_store, ADMIN, ags=WURZEN, layer=schema.POOL_AREAS, frame=moved, source="x.gpkg",
                          outside_reason="Tauschfläche laut Vertrag vom 3.4.2026").iloc[0]
    assert "Begründung: Tauschfläche laut Vertrag vom 3.4.2026" in row["notes"]


def test_overlaps_with_another_municipalitys_stored_area_and_within_the_upload_name_both_ids(demo_store, demo_dir):
    frame = wurzen(demo_store)
    theirs = demo_store.read_layer(schema.POOL_AREAS, [BENNEWITZ]).iloc[0]
    double = frame.copy()
    double.loc[double.index[0], "geometry"] = theirs.geometry.buffer(-2)
    double.loc[double.index[2], "geometry"] = double.geometry.iloc[1].buffer(3)
    report = validate.validate(double, schema.POOL_AREAS, validate.context_from(
        demo_store.read_all(), WURZEN, schema.POOL_AREAS, valuation.read_tables(demo_store)), accept_outside=True)
    stored = next(f for f in report.errors if f.rule == "overlap_stored")
    area = shapely.area(theirs.geometry.buffer(-2))
    assert stored.feature_id == frame["pool_id"].iloc[0]
    assert (f"Überlappt auf {area:,.0f} m²".replace(",", ".") + f" mit der Poolfläche {theirs['pool_id']} von "
            "Bennewitz") in stored.message
    within = next(f for f in report.errors if f.rule == "overlap")
    assert {within.feature_id, re.search(r"Überlappt mit (\S+)", within.message).group(1)} == set(
        frame["pool_id"].iloc[1:3])
    refuses_without_a_trace(demo_store, demo_dir, double)


def test_the_boundary_is_the_administrations_and_stays_close_to_the_official_one(demo_store, demo_dir):
    official = reference.official_boundaries()
    all_nine = gpd.GeoDataFrame({"ags": [WURZEN], "name": ["Wurzen"]},
                                geometry=[shapely.union_all(official.geometry.values)], crs=schema.CRS)
    ctx = validate.context_from(demo_store.read_all(), WURZEN, schema.BOUNDARY, valuation.read_tables(demo_store))
    gis = {f.rule: f.message for f in validate.validate(all_nine, schema.BOUNDARY, ctx).errors}
    assert "Die Gemeindegrenze ändert nur die Administration" in gis["boundary_admin"]
    assert re.search(r"weicht um [\d.,]+ ha \([\d.]+ m², [\d.,]+\u00a0% der Gemeindefläche\) von der amtlichen Grenze "
                     r"von Wurzen", gis["boundary_official"])
    refuses_without_a_trace(demo_store, demo_dir, all_nine, layer=schema.BOUNDARY)
    refuses_without_a_trace(demo_store, demo_dir, all_nine, user=ADMIN, layer=schema.BOUNDARY)
    own = official[official["ags"] == WURZEN].reset_index(drop=True)
    admin_ctx = validate.context_from(demo_store.read_all(), WURZEN, schema.BOUNDARY,
                                      valuation.read_tables(demo_store), admin=True)
    assert validate.validate(own, schema.BOUNDARY, admin_ctx).ok


# --- 4. legacy files -------------------------------------------------------------------------------------

def test_column_names_cut_to_ten_characters_are_recognised():
    cut = ["FLAECHE_ID", "BEZEICHNUN", "EIGENTUEME", "FLURSTUECK", "MASSNAHME", "WERTPUNKTE", "BIOTOP_VOR",
           "BIOTOP_NAC", "MASSN_BEGI", "MASSN_ENDE", "STATUS", "BEMERKUNG"]
    assert columns.guess_columns(cut, schema.POOL_AREAS) == {
        "pool_id": "FLAECHE_ID", "name": "BEZEICHNUN", "owner": "EIGENTUEME", "parcels": "FLURSTUECK",
        "measure_type": "MASSNAHME", "value_points": "WERTPUNKTE", "biotope_before": "BIOTOP_VOR",
        "biotope_after": "BIOTOP_NAC", "measure_start": "MASSN_BEGI", "measure_end": "MASSN_ENDE",
        "status": "STATUS", "notes": "BEMERKUNG"}
    assert columns.abbreviates("massn_begi", "massnahmen_beginn") and not columns.abbreviates("be", "bezeichnung")


def test_a_legacy_shapefile_in_windows_1252_is_accepted_with_its_umlauts_and_areas(demo_store, tmp_path):
    frame = wurzen(demo_store)
    frame.loc[frame.index[0], "name"] = "Große Wiese am Mühlgraben"
    frame.loc[frame.index[0], "owner"] = "Agrargenossenschaft Wurzener Land eG, Lüptitz"
    checked = check(demo_store, [legacy_shapefile(frame, tmp_path)])
    assert set(checked.mapping.columns) == set(LEGACY_COLUMNS)
    assert checked.report.ok, checked.report.table().to_string()
    publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=checked.report.frame,
                    source=checked.source.name)
    stored = demo_store.read_layer(schema.POOL_AREAS, [WURZEN]).set_index("pool_id")
    first = frame["pool_id"].iloc[0]
    assert stored.at[first, "name"] == "Große Wiese am Mühlgraben"
    assert stored.at[first, "owner"] == "Agrargenossenschaft Wurzener Land eG, Lüptitz"
    expected = pd.Series(shapely.area(frame.geometry.values), index=frame["pool_id"])  # m², EPSG:25833
    pd.testing.assert_series_equal(stored.geometry.area.loc[expected.index], expected, check_names=False, rtol=1e-6)


def test_a_missing_required_column_is_named_and_a_default_for_all_is_recorded(demo_store, demo_dir, tmp_path):
    frame = wurzen(demo_store).drop(columns="biotope_after")
    file = as_file(frame, "ohne_ziel.gpkg", tmp_path)
    missing = rules(check(demo_store, [file]))["field_missing"][0]
    assert missing.message.startswith("Die Datei hat keine Spalte für „Zielbiotoptyp“ (biotope_after, Pflichtfeld).")
    assert "--vorgabe biotope_after=…" in missing.message
    refuses_without_a_trace(demo_store, demo_dir, columns.apply(frame, columns.guess(frame, schema.POOL_AREAS)))
    checked = check(demo_store, [file], defaults={"biotope_after": "WLB"})
    assert checked.report.ok, checked.report.table().to_string()
    assert set(checked.report.frame["biotope_after"]) == {"WLB"}
    row = publish.publish(demo_store, WURZEN_GIS, ags=WURZEN, layer=schema.POOL_AREAS, frame=checked.report.frame,
                          source=file.name, notes=checked.mapping.notes()).iloc[0]
    assert row["notes"] == "Vorgabe für alle Objekte: Zielbiotoptyp = WLB."


def test_an_unmapped_optional_field_keeps_the_stored_values_unless_cleared(demo_store, tmp_path):
    stored = demo_store.read_layer(schema.POOL_AREAS, [WURZEN])
    file = as_file(wurzen(demo_store).drop(columns="owner"), "ohne_eigentuemer.gpkg", tmp_path)
    kept = check(demo_store, [file])
    assert kept.report.frame["owner"].tolist() == stored["owner"].tolist()
    change = diff.diff_layer(stored, kept.report.frame, schema.POOL_AREAS)
    assert "Eigentümer/Träger" not in set(change.changes["field"])
    cleared = check(demo_store, [file], clear=frozenset({"owner"}))
    change = diff.diff_layer(stored, cleared.report.frame, schema.POOL_AREAS)
    assert (change.changes["field"] == "Eigentümer/Träger").sum() == stored["owner"].fillna("").ne("").sum()
    assert cleared.mapping.notes() == "Werte geleert: Eigentümer/Träger."
    with pytest.raises(DataError, match="lässt sich nicht leeren"):
        columns.with_choices(cleared.mapping, defaults={}, clear={"name"})


# --- 5. text hygiene -------------------------------------------------------------------------------------

def test_nul_bytes_and_bidi_overrides_are_removed_with_a_hint_and_long_text_is_refused(demo_store, demo_dir,
                                                                                        tmp_path):
    frame = wurzen(demo_store)
    ids = frame["pool_id"].tolist()
    hostile = frame.copy()
    hostile.loc[hostile.index[1], "owner"] = "Gemeinde \u202eneztruW\u202c Wurzen"
    hostile.loc[hostile.index[2], "notes"] = "x" * 10_000
    for file in (geojson(hostile.assign(name=hostile["name"].where(hostile["pool_id"] != ids[0],
                                                                   "Am Mühlbach\x00 (alt)")), "f.geojson"),
                 gpkg_with_nul(hostile, tmp_path, ids[0], "Am Mühlbach\x00 (alt)")):
        found = rules(check(demo_store, [file]))
        cleaned = {(f.feature_id, f.field): f.message for f in found["text_cleaned"]}
        assert cleaned[(ids[0], "name")] == ("Unsichtbare Zeichen aus „Flurname“ entfernt: Nullbyte (hätte den Text "
                                             "abgeschnitten). Übernommen wird „Am Mühlbach (alt)“.")
        assert "Schreibrichtungszeichen U+202C, Schreibrichtungszeichen U+202E" in cleaned[(ids[1], "owner")]
        long = found["text_too_long"][0]
        assert (long.feature_id, long.field) == (ids[2], "notes")
        assert long.message.startswith("„Bemerkungen“ ist 10.000 Zeichen lang; erlaubt sind höchstens 2.000.")
        assert len(long.message) < 300  # the 10.000 characters do not flood the table
    refuses_without_a_trace(demo_store, demo_dir, hostile)


# --- 6. messages and formats -----------------------------------------------------------------------------

def test_a_truncated_geopackage_gets_a_german_message_and_gdals_words_as_details(demo_store, demo_dir, tmp_path):
    whole = as_file(wurzen(demo_store), "wurzen.gpkg", tmp_path)
    before = fingerprint(demo_dir)
    with pytest.raises(DataError, match="ist eine beschädigte oder unvollständige GeoPackage-Datei") as refused:
        check(demo_store, [ingest.UploadedFile(whole.name, whole.data[: len(whole.data) // 3])])
    assert "malformed" in refused.value.details and "malformed" not in str(refused.value)
    assert fingerprint(demo_dir) == before


def test_kml_csv_and_flatgeobuf_go_through_the_same_pipeline(demo_store, tmp_path):
    frame = wurzen(demo_store)
    for file, kind in ((kml(frame.rename(columns={"name": "Flurname"}), tmp_path), "KML"),
                       (flatgeobuf(frame, tmp_path), "FlatGeobuf")):
        checked = check(demo_store, [file])
        assert checked.source.kind == kind and checked.report.ok, checked.report.table().to_string()
    with pytest.raises(placement.Misplaced, match="nennt kein Koordinatenbezugssystem") as no_crs:
        check(demo_store, [csv_wkt(frame)])
    assert "--lesen-als EPSG:25833" in str(no_crs.value)
    checked = check(demo_store, [csv_wkt(frame)], reading=no_crs.value.offer)
    assert checked.report.ok, checked.report.table().to_string()
    assert checked.report.frame["name"].tolist() == frame["name"].tolist()  # Windows-1252 umlauts intact
    with pytest.raises(placement.Misplaced, match=re.escape("--lesen-als EPSG:25833")) as points:
        check(demo_store, [csv_xy(frame)])
    as_points = rules(check(demo_store, [csv_xy(frame)], reading=points.value.offer))
    assert "Point-Geometrien; erwartet werden Flächen" in as_points["geometry_type"][0].message
    with pytest.raises(DataError, match=r"die CSV-Datei hat keine Geometrie-Spalte \(Spalten: a, b\)"):
        ingest.open_upload([ingest.UploadedFile("liste.csv", b"a;b\n1;2\n")])
    with pytest.raises(DataError, match=r"„plan.dwg“: unbekanntes Format \(.dwg\). Erlaubt sind GeoPackage"):
        ingest.open_upload([ingest.UploadedFile("plan.dwg", b"AC1032")])


def test_in_a_geopackage_with_several_layers_the_best_fitting_one_is_chosen_and_why(demo_store, tmp_path):
    checked = check(demo_store, [two_layer_gpkg(wurzen(demo_store), tmp_path)])
    assert checked.choice.layer == "flaechen_2026"
    assert checked.choice.reason.startswith("Ebene ‚flaechen_2026‘ gewählt: 14 von 14 Feldern erkannt "
                                            "(passt zu Poolflächen; ‚aaa_hilfslinien‘: 1 von 2)")
