"""``python -m geo kontrolle`` and the handbook check of ``verify``: the same rule as the monitoring page."""

from __future__ import annotations

from pathlib import Path

from geo.store.gpkg import GeoPackageStore
from tests.monitoringtools import photo
from tests.test_cli import PASSWORD, assert_german, geo

LOSSATAL_AREA, LEIPZIG_AREA = "LOS-2018-011", "L-2021-001"


def _inspect(area: str, *files: Path, user: str = "wurzen.gis"):
    return geo("kontrolle", "--flaeche", area, "--ergebnis", "bestanden", "--datum", "20.11.2026",
               *[arg for f in files for arg in ("--datei", str(f))], "--user", user, password=PASSWORD)


def test_wurzen_records_a_check_on_a_lossatal_area_with_a_photo(demo_dir, tmp_path):
    shot = tmp_path / "los.jpg"
    shot.write_bytes(photo())
    done = _inspect(LOSSATAL_AREA, shot)
    assert done.returncode == 0, done.stderr
    inspection = GeoPackageStore(demo_dir).read_monitoring().inspections.iloc[-1]
    assert done.stdout == (f"Kontrolle {inspection['inspection_id']} für {LOSSATAL_AREA} gespeichert (bestanden, "
                           "1 Datei).\n")
    assert inspection[["pool_id", "user", "inspector"]].tolist() == [LOSSATAL_AREA, "wurzen.gis", "GIS Stadt Wurzen"]


def test_wurzen_is_refused_on_a_leipzig_area_and_a_bad_file_stores_nothing(demo_dir, tmp_path):
    before = GeoPackageStore(demo_dir).read_monitoring().inspections.to_csv()
    refused = _inspect(LEIPZIG_AREA)
    assert refused.returncode == 1
    assert refused.stderr.startswith("Fehler: Kontrolle erfassen für Leipzig: GIS Stadt Wurzen – GIS-Zuständige darf "
                                     "das nicht. Nur GIS-Zuständige von Leipzig oder die Administration dürfen das.")
    text = tmp_path / "notiz.jpg"
    text.write_bytes(b"nur Text")
    bad = _inspect(LOSSATAL_AREA, text)
    assert bad.returncode == 1 and "„notiz.jpg“ ist kein Foto (JPEG, PNG) und kein PDF" in bad.stderr
    assert_german(refused)
    assert GeoPackageStore(demo_dir).read_monitoring().inspections.to_csv() == before


def test_an_unknown_name_in_the_handbook_fails_verify_and_grants_nothing(demo_dir):
    assert geo("verify").stdout.endswith("Prozesshandbuch, wer für wen kontrolliert: lesbar\n")
    path = demo_dir / "handbuch.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Lossatal, Machern", "Losatal, Machern"),
                    encoding="utf-8")
    checked = geo("verify")
    assert checked.returncode == 1
    assert "Prozesshandbuch, wer für wen kontrolliert: 1 Befund(e)" in checked.stdout
    assert "„Losatal“ ist keine Gemeinde des Flächenpools" in checked.stdout
    refused = _inspect(LOSSATAL_AREA)
    assert refused.returncode == 1
    assert "Hinweis: Prozesshandbuch, Schritt „Kontrolle“" in refused.stderr
    assert "Fehler: Kontrolle erfassen für Lossatal" in refused.stderr
