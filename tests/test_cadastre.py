"""The KoKa-Nat export reads back with every feature and the field names its FELDER.txt documents."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pyogrio
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import ledger, summary
from geo.monitoring import cadastre, files, records, schedule, status
from tests.conftest import WURZEN
from tests.monitoringtools import photo
from tests.test_cli import geo

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def exported(demo_store):
    pool_id = str(demo_store.read_layer(schema.POOL_AREAS, [WURZEN])["pool_id"].iloc[0])
    records.record_inspection(demo_store, User("wurzen.gis", "gis", WURZEN), pool_id=pool_id, on=dt.date(2026, 6, 1),
                              inspector="K. Lehmann", result="mit Mängeln", note="Zaun offen",
                              attachments=[files.check("a.jpg", photo()), files.check("b.jpg", photo(color="red"))])
    stored = demo_store.read_monitoring()
    view = summary.pool_view(demo_store.read_all())
    table = status.area_status(view.pool_areas, stored, schedule.read_intervals(schedule.BUNDLED), TODAY)
    return view, stored, table


def test_the_shapefile_archive_reads_back_with_every_feature_and_documented_names(exported, tmp_path):
    view, stored, table = exported
    archive = zipfile.ZipFile(io.BytesIO(cadastre.shapefile(view, stored, table, on=TODAY)))
    archive.extractall(tmp_path)
    documented = archive.read("FELDER.txt").decode("utf-8")
    assert "Kompensationsflächenkataster (KoKa-Nat)" in documented and "Stand 29.11.2026" in documented
    expected = {cadastre.AREAS: len(view.pool_areas), cadastre.INSPECTIONS: len(stored.inspections),
                cadastre.BOOKINGS: len(ledger.active_entries(view.allocations))}
    for layer, count in expected.items():
        frame = pyogrio.read_dataframe(tmp_path / f"{layer}.shp")
        assert len(frame) == count and count > 0
        names = [c for c in frame.columns if c != "geometry"]
        assert names == [cadastre.FIELDS[n][0] for n in cadastre.LAYER_COLUMNS[layer]]
        assert all(len(n) <= 10 for n in names)
        for name in names:
            assert f"  {name:<10}  " in documented
        assert frame.crs == schema.CRS
    checks = pyogrio.read_dataframe(tmp_path / f"{cadastre.INSPECTIONS}.shp")
    assert checks.iloc[-1][["ergebnis", "dateien", "pruefer"]].tolist() == ["mit Mängeln", 2, "K. Lehmann"]
    areas = pyogrio.read_dataframe(tmp_path / f"{cadastre.AREAS}.shp").set_index("flaeche")
    assert areas.at[checks.iloc[-1]["flaeche"], "hinweis"] == "Mängel"
    assert "Erika Mustermann" not in set(areas["eigentuem"])  # owners redacted as in every public download


def test_the_geopackage_holds_the_three_layers_and_a_table_of_its_fields(exported, tmp_path):
    view, stored, table = exported
    path = tmp_path / "kokanat.gpkg"
    path.write_bytes(cadastre.geopackage(view, stored, table, on=TODAY))
    assert [name for name, _ in pyogrio.list_layers(path)][:3] == [cadastre.AREAS, cadastre.INSPECTIONS,
                                                                  cadastre.BOOKINGS]
    checks = pyogrio.read_dataframe(path, layer=cadastre.INSPECTIONS)
    assert len(checks) == len(stored.inspections) and checks.iloc[-1]["result"] == "mit Mängeln"
    fields = pyogrio.read_dataframe(path, layer=cadastre.FIELD_TABLE, read_geometry=False)
    assert {"ebene": cadastre.INSPECTIONS, "feld": "pruefer", "bedeutung": "Kontrolliert von",
            "app_feld": "inspector"} in fields.to_dict("records")
    assert len(fields) == sum(len(names) for names in cadastre.LAYER_COLUMNS.values())


def test_the_command_line_writes_the_export_of_one_municipality(demo_dir, tmp_path):
    done = geo("export", "--format", "kokanat-shp", "--gemeinde", "lossatal", "--ausgabe", str(tmp_path / "k.zip"))
    assert done.returncode == 0, done.stderr
    zipfile.ZipFile(tmp_path / "k.zip").extractall(tmp_path / "k")
    areas = pyogrio.read_dataframe(tmp_path / "k" / f"{cadastre.AREAS}.shp")
    assert set(areas["ags"]) == {schema.municipality("lossatal").ags}
    assert areas.set_index("flaeche").at["LOS-2018-011", "hinweis"] == "Mängel"  # the demo's failed check
    bookings = pyogrio.read_dataframe(tmp_path / "k" / f"{cadastre.BOOKINGS}.shp")
    assert "STR-LEI-05" in set(bookings["eingriff"])
