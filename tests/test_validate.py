"""A corpus of bad uploads, generated here: each gives its own German message and
leaves the stored data byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from geo import schema
from geo.access import sessions
from geo.access.permissions import User
from geo.accounting import valuation
from geo.errors import DataError
from geo.store.gpkg import GeoPackageStore
from geo.upload import columns, ingest, publish, validate
from tests.conftest import LEIPZIG, MACHERN, WURZEN, pool_frame, square
from tests.uploads import as_file, shapefile_parts, zipped

WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)


def fingerprint(folder: Path) -> dict[str, str]:
    """Checksums of the data folder's files (not locks, not the visit stamps that a signed-in page view writes)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")
            and p.name != sessions.VISIT_FILE}


def context(store: GeoPackageStore, ags: str = WURZEN) -> validate.Context:
    return validate.context_for(ags, schema.POOL_AREAS, stored=store.read_layer(schema.POOL_AREAS),
                                boundaries=store.read_layer(schema.BOUNDARY), tables=valuation.read_tables(store))


def try_upload(store: GeoPackageStore, files: list[ingest.UploadedFile], *, publish_clean: bool = True
               ) -> validate.ValidationReport:
    """What the page does: read, detect, map by name, validate; publish only a clean report."""
    source = ingest.open_upload(files)
    raw = ingest.read_source(source)
    layer = columns.detect_layer(list(raw.columns)) or schema.POOL_AREAS
    found = columns.guess_columns(list(raw.columns), layer)
    chosen = columns.Mapping(layer, found)
    report = validate.validate(columns.apply(raw, chosen), layer, context(store))
    if report.ok and publish_clean and report.frame is not None:
        publish.publish(store, WURZEN_GIS, ags=WURZEN, layer=layer, frame=report.frame, source=source.name)
    return report


def wurzen(store: GeoPackageStore) -> gpd.GeoDataFrame:
    """The stored Wurzen pool layer, value points left to the app (they depend on today's date)."""
    pool = store.read_layer(schema.POOL_AREAS, [WURZEN])
    pool["value_points"] = np.nan
    return pool


def _gpkg(frame: gpd.GeoDataFrame, tmp: Path, name: str = "upload.gpkg", **kw) -> list[ingest.UploadedFile]:
    return [as_file(frame, name, tmp, **kw)]


def _set(frame: gpd.GeoDataFrame, row: int, column: str, value: Any) -> gpd.GeoDataFrame:
    out = frame.copy()
    out[column] = out[column].astype(object)
    position = out.columns.get_loc(column)
    assert isinstance(position, int), "unique column names"
    out.iloc[row, position] = value
    return out


def _geometry(frame: gpd.GeoDataFrame, row: int, geom: object) -> gpd.GeoDataFrame:
    out = frame.copy()
    geoms = out.geometry.array.copy()
    geoms[row] = geom
    return out.set_geometry(geoms, crs=out.crs)


def _bowtie(frame: gpd.GeoDataFrame) -> Polygon:
    x, y = frame.geometry.iloc[0].representative_point().coords[0]
    return Polygon([(x - 20, y - 20), (x + 20, y + 20), (x + 20, y - 20), (x - 20, y + 20)])


def _overlapping(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return _geometry(frame, 1, frame.geometry.iloc[0].buffer(5))


def _outside(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return _geometry(frame, 0, shapely.affinity.translate(frame.geometry.iloc[0], 50_000, 0))


def _points_off(frame: gpd.GeoDataFrame, store: GeoPackageStore) -> gpd.GeoDataFrame:
    gain = valuation.pool_gain(frame.iloc[[0]], valuation.read_tables(store)).iloc[0]
    return _set(frame, 0, "value_points", gain * 1.5)


def _mojibake(frame: gpd.GeoDataFrame, tmp: Path) -> list[ingest.UploadedFile]:
    """UTF-8 text in a Shapefile without .cpg: read as Latin-1, the umlauts break."""
    named = _set(frame, 0, "name", "Große Wiese am Mühlgraben")
    return [zipped(shapefile_parts(named, "flaechen", tmp, drop=(".cpg",), encoding="UTF-8"), "flaechen.zip")]


# case → (build(frame, store, tmp) -> files, expected rule, German phrase in its message)
FINDINGS = {
    "crs_missing": (lambda f, s, t: _gpkg(f.set_crs(None, allow_override=True), t),
                    "crs_missing", "kein Koordinatenbezugssystem"),
    "crs_other": (lambda f, s, t: _gpkg(f.to_crs("EPSG:31468"), t), "crs_reprojected",
                  "(DHDN / Gauß-Krüger 4. Streifen) wurden nach EPSG:25833"),
    "layer_3d": (lambda f, s, t: _gpkg(f.set_geometry(shapely.force_3d(f.geometry.array, 120.0), crs=f.crs), t),
                 "z_dropped", "Höhenwerte (3D)"),
    "point_layer": (lambda f, s, t: _gpkg(f.set_geometry(f.geometry.representative_point(), crs=f.crs), t),
                    "geometry_type", "Point-Geometrien; erwartet werden Flächen"),
    "line_feature": (lambda f, s, t: _gpkg(_geometry(f, 2, shapely.LineString([(0, 0), (1, 1)])), t),
                     "geometry_type", "Geometrietyp LineString"),
    "invalid_geometry": (lambda f, s, t: _gpkg(_geometry(f, 0, _bowtie(f)), t), "geometry_invalid",
                         "Ungültige Geometrie: Selbstüberschneidung"),
    "empty_geometry": (lambda f, s, t: _gpkg(_geometry(f, 0, Polygon()), t), "empty_geometry", "Leere Geometrie"),
    "required_field_missing": (lambda f, s, t: _gpkg(f.drop(columns="measure_type"), t), "field_missing",
                               "Die Datei hat keine Spalte für „Maßnahmentyp“"),
    "required_value_empty": (lambda f, s, t: _gpkg(_set(f, 0, "name", None), t), "value_missing",
                             "„Flurname“ ist leer"),
    "unknown_status": (lambda f, s, t: _gpkg(_set(f, 0, "status", "in Arbeit"), t), "enum_unknown",
                       "Unbekannter Wert „in Arbeit“ für „Status“"),
    "unknown_biotope": (lambda f, s, t: _gpkg(_set(f, 0, "biotope_after", "XYZ"), t), "biotope_unknown",
                        "Biotopcode „XYZ“"),
    "duplicate_id": (lambda f, s, t: _gpkg(_set(f, 1, "pool_id", f["pool_id"].iloc[0]), t), "id_duplicate",
                     "kommt 2-mal vor"),
    "malformed_id": (lambda f, s, t: _gpkg(_set(f, 0, "pool_id", "WUR 2020 / 1!"), t), "id_malformed",
                     "nicht wohlgeformt"),
    "missing_id": (lambda f, s, t: _gpkg(_set(f, 0, "pool_id", None), t), "id_missing", "Die ID fehlt"),
    "id_of_machern": (lambda f, s, t: _gpkg(_set(f, 0, "pool_id", "MAC-2023-001"), t), "id_foreign",
                      "gehört bereits zu Machern"),
    "ags_of_machern": (lambda f, s, t: _gpkg(_set(f, 0, "ags", MACHERN), t), "ags_foreign",
                       "(Machern) statt 14729410 (Wurzen)"),
    "outside_boundary": (lambda f, s, t: _gpkg(_outside(f), t), "outside_boundary", "außerhalb der Gemeindegrenze"),
    "overlap": (lambda f, s, t: _gpkg(_overlapping(f), t), "overlap", "dürfen sich nicht überschneiden"),
    "points_off": (lambda f, s, t: _gpkg(_points_off(f, s), t), "points_off", "Abweichung, erlaubt 1 %"),
    "bad_date": (lambda f, s, t: _gpkg(_set(f, 0, "measure_end", "Frühjahr 2024"), t), "date_invalid",
                 "„Frühjahr 2024“ ist kein Datum"),
    "bad_number": (lambda f, s, t: _gpkg(_set(f, 0, "value_points", "viele"), t), "number_invalid",
                   "„viele“ ist keine Zahl"),
    "encoding": (lambda f, s, t: _mojibake(f, t), "encoding", "falsch kodiert"),
}


@pytest.mark.parametrize("case", list(FINDINGS))
def test_each_bad_upload_gets_its_own_german_finding(case, demo_store, demo_dir, tmp_path):
    build, rule, phrase = FINDINGS[case]
    files = build(wurzen(demo_store), demo_store, tmp_path)
    before = fingerprint(demo_dir)
    report = try_upload(demo_store, files)
    hits = [f for f in report.findings if f.rule == rule]
    assert hits, report.table().to_string()
    assert phrase in hits[0].message
    if hits[0].severity == "error":  # warnings (reprojected, 3D, outside) do not stop a publish
        assert not report.ok
        assert fingerprint(demo_dir) == before
    if rule in ("crs_missing", "crs_reprojected", "z_dropped", "field_missing") or case == "point_layer":
        assert hits[0].feature_id is None  # about the whole layer
    else:
        assert hits[0].feature_id and hits[0].field  # names the feature and the field


def test_the_findings_of_the_corpus_are_all_different(demo_store, tmp_path):
    messages = {}
    for case, (build, rule, _) in FINDINGS.items():
        report = try_upload(demo_store, build(wurzen(demo_store), demo_store, tmp_path / case), publish_clean=False)
        messages[case] = next(f.message for f in report.findings if f.rule == rule)
    assert len(set(messages.values())) == len(messages)


def _zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _shapefile_without_prj(tmp: Path) -> list[ingest.UploadedFile]:
    frame = gpd.GeoDataFrame({"pool_id": ["A-1"]}, geometry=[square(0, 0, 10)], crs=schema.CRS)
    return shapefile_parts(frame, "ohne_prj", tmp, drop=(".prj",))


REJECTED = {
    "empty_file": (lambda t: [ingest.UploadedFile("leer.gpkg", b"")], "ist leer"),
    "csv_renamed_to_gpkg": (lambda t: [ingest.UploadedFile("tabelle.gpkg", b"pool_id;name\nA;B\n")],
                            "ist kein GeoPackage"),
    "geojson_not_json": (lambda t: [ingest.UploadedFile("flaechen.geojson", b"{\"type\": \"Feature")],
                         "ist kein gültiges JSON (Fehler in Zeile 1, Spalte 10); erwartet wird GeoJSON"),
    "geojson_not_utf8": (lambda t: [ingest.UploadedFile("flaechen.geojson", "{\"name\": \"Grün\"}".encode("cp1252"))],
                         "ist nicht UTF-8-kodiert (Byte 13); GeoJSON muss UTF-8 sein"),
    "json_not_geojson": (lambda t: [ingest.UploadedFile("liste.json", json.dumps([1, 2]).encode())],
                         "aber kein GeoJSON"),
    "corrupt_zip": (lambda t: [ingest.UploadedFile("kaputt.zip", b"PK\x03\x04" + bytes(range(200)))],
                    "keine lesbare ZIP-Datei"),
    "zip_path_traversal": (lambda t: [ingest.UploadedFile("boese.zip", _zip_bytes(
        {"../../etc/flaechen.shp": b"x", "flaechen.dbf": b"y"}))], "unzulässigen Pfad „../../etc/flaechen.shp“"),
    "zip_absolute_path": (lambda t: [ingest.UploadedFile("abs.zip", _zip_bytes({"/tmp/x.shp": b"x"}))],
                          "unzulässigen Pfad „/tmp/x.shp“"),
    "zip_bomb": (lambda t: [ingest.UploadedFile("bombe.zip", _zip_bytes({"a.shp": bytes(20 * 1024 * 1024)}))],
                 "mögliche ZIP-Bombe"),
    "zip_too_many_members": (lambda t: [ingest.UploadedFile("viele.zip", _zip_bytes(
        {f"f{i}.txt": b"x" for i in range(ingest.MAX_ZIP_MEMBERS + 1)}))], "höchstens 50"),
    "zip_without_geodata": (lambda t: [ingest.UploadedFile("text.zip", _zip_bytes({"liesmich.txt": b"x"}))],
                            "enthält keinen Geodatensatz"),
    "shapefile_without_prj": (lambda t: _shapefile_without_prj(t), "fehlt die .prj-Datei"),
    "shapefile_parts_incomplete": (lambda t: [f for f in _shapefile_without_prj(t) if f.name.endswith(".shp")],
                                   "fehlen Teile: .shx, .dbf"),
    "unknown_format": (lambda t: [ingest.UploadedFile("plan.dwg", b"AC1032 binary")], "unbekanntes Format"),
    "not_a_geodataset": (lambda t: [ingest.UploadedFile("x.geojson", b'{"type": "FeatureCollection", "features": 1}')],
                         "lässt sich nicht als Geodatensatz öffnen"),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_hostile_or_broken_files_are_rejected_before_reading(case, demo_store, demo_dir, tmp_path):
    build, phrase = REJECTED[case]
    before = fingerprint(demo_dir)
    outside = set(tmp_path.parent.parent.rglob("flaechen.shp"))
    with pytest.raises(DataError, match=re.escape(phrase)):
        try_upload(demo_store, build(tmp_path))
    assert fingerprint(demo_dir) == before
    assert set(tmp_path.parent.parent.rglob("flaechen.shp")) == outside


def test_size_limit_has_a_clear_message():
    with pytest.raises(DataError, match=r"groß; erlaubt sind höchstens 0,1 MB"):
        ingest.open_upload([ingest.UploadedFile("gross.gpkg", b"SQLite format 3\x00" + bytes(200_000))],
                           max_bytes=100_000)


def test_too_many_vertices_are_refused_without_freezing(tmp_path):
    ring = [(np.cos(a) * 1000, np.sin(a) * 1000) for a in np.linspace(0, 2 * np.pi, 50_000)]
    frame = gpd.GeoDataFrame({"pool_id": ["A-1"]}, geometry=[Polygon(ring)], crs=schema.CRS)
    source = ingest.open_upload([as_file(frame, "fein.gpkg", tmp_path)])
    with pytest.raises(DataError, match=r"50\.001 Stützpunkte; die App verarbeitet höchstens 10\.000"):
        ingest.read_source(source, max_vertices=10_000)


def test_reads_geojson_zipped_gpkg_nested_zip_and_loose_shapefile_parts(tmp_path):
    frame = pool_frame([{"pool_id": "WUR-2020-001", "geometry": square(340_000, 5_690_000, 50)}])
    loose = shapefile_parts(frame, "teile", tmp_path)
    uploads = {
        "GeoJSON": [as_file(frame.to_crs("EPSG:4326"), "f.geojson", tmp_path)],
        "GeoPackage": [zipped([as_file(frame, "f.gpkg", tmp_path)], "gpkg.zip")],
        "Shapefile": [zipped(loose, "tief.zip", folder="export/2025/")],
    }
    for kind, files in uploads.items():
        source = ingest.open_upload(files)
        assert source.kind == kind
        assert ingest.read_source(source)["pool_id"].tolist() == ["WUR-2020-001"]
    parts = ingest.open_upload(loose)
    assert parts.kind == "Shapefile" and parts.name == "teile.shp"


def test_repair_offers_the_repaired_geometry_with_its_area(demo_store):
    frame = wurzen(demo_store)
    bowtie = _bowtie(frame)
    broken = _geometry(frame, 0, bowtie)
    report = validate.validate(broken, schema.POOL_AREAS, context(demo_store))
    assert report.repairs["area_after"].iloc[0] == pytest.approx(800.0)  # two 20×20 triangles
    repaired = validate.validate(broken, schema.POOL_AREAS, context(demo_store), repair=True)
    assert repaired.ok, repaired.table().to_string()
    assert repaired.frame.geometry.iloc[0].is_valid
    assert repaired.frame.geometry.iloc[0].area == pytest.approx(800.0)
    assert any("repariert; Fläche 0,0 m² → 800,0 m²" in f.message for f in repaired.warnings)


def test_missing_value_points_are_computed_and_given_ones_kept():
    ctx = validate.Context(LEIPZIG, valuation.read_tables(GeoPackageStore(Path(__file__).parent.parent / "data")))
    frame = pool_frame([{"pool_id": "L-2020-001", "ags": LEIPZIG, "biotope_before": "XVS", "biotope_after": "XGR",
                         "value_points": None, "measure_end": "2020-01-01", "geometry": square(0, 0, 100)},
                        {"pool_id": "L-2020-002", "ags": LEIPZIG, "biotope_before": "XVS", "biotope_after": "XGR",
                         "value_points": 123.0, "measure_end": "2020-01-01", "geometry": square(200, 0, 10)}])
    report = validate.validate(frame, schema.POOL_AREAS, ctx)
    table = ctx.tables["leipzig"].biotopes["value_per_m2"]
    expected = 10_000 * (table["XGR"] - table["XVS"])
    assert report.frame["value_points"].iloc[0] == expected
    assert [f.rule for f in report.errors] == ["points_off"]
    assert report.errors[0].feature_id == "L-2020-002"
    recomputed = validate.validate(frame, schema.POOL_AREAS, ctx, recompute_points=True)
    assert recomputed.ok
    assert recomputed.frame["value_points"].tolist() == [expected, 100 * (table["XGR"] - table["XVS"])]


def test_german_dates_and_decimal_commas_are_understood(demo_store):
    frame = _set(_set(wurzen(demo_store), 0, "measure_start", "31.12.2019"), 0, "value_points", None)
    frame = _set(frame, 1, "notes", "Gemarkung Wurzen")
    report = validate.validate(frame, schema.POOL_AREAS, context(demo_store))
    assert report.ok, report.table().to_string()
    assert str(report.frame["measure_start"].iloc[0].date()) == "2019-12-31"


def test_point_inside_a_polygon_layer_is_reported_per_feature(demo_store):
    frame = _geometry(wurzen(demo_store), 3, Point(0, 0))
    report = validate.validate(frame, schema.POOL_AREAS, context(demo_store))
    wrong = [f for f in report.errors if f.rule == "geometry_type"]
    assert [f.feature_id for f in wrong] == [frame["pool_id"].iloc[3]]


def test_reserved_and_allocated_status_follow_the_ledger_not_the_file():
    tables = valuation.read_tables(GeoPackageStore(Path(__file__).parent.parent / "data"))
    rows = [{"pool_id": pool_id, "ags": LEIPZIG, "biotope_before": "XVS", "biotope_after": "XGR", "status": status,
             "value_points": None, "measure_end": "2020-01-01", "geometry": square(200 * i, 0, 100)}
            for i, (pool_id, status) in enumerate([("L-1", "zugeordnet"), ("L-2", "verfügbar"), ("L-3", "reserviert"),
                                                   ("L-4", "gesperrt")])]
    frame = pool_frame(rows)
    gain = validate.validate(frame, schema.POOL_AREAS, validate.Context(LEIPZIG, tables)).frame["value_points"][0]
    booked = pd.DataFrame([{"allocation_id": "B-1", "intervention_id": "X", "pool_id": "L-2", "kind": "reserviert",
                            "points": gain}]).reindex(columns=schema.field_names(schema.ALLOCATIONS))
    report = validate.validate(frame, schema.POOL_AREAS, validate.Context(LEIPZIG, tables, allocations=booked))
    assert report.ok
    # Nothing booked on L-1/L-3: available. L-2 fully reserved: reserved. Withdrawing is the office's call.
    assert report.frame["status"].tolist() == ["verfügbar", "reserviert", "verfügbar", "gesperrt"]
    replaced = [(f.feature_id, f.severity) for f in report.findings if f.rule == "status_ledger"]
    assert replaced == [("L-1", "warning"), ("L-2", "warning"), ("L-3", "warning")]
    message = next(f.message for f in report.findings if f.feature_id == "L-2" and f.rule == "status_ledger")
    assert message.startswith("Status „verfügbar“ aus der Datei widerspricht den Buchungen")
    assert "übernommen wird „reserviert“" in message
