"""AppTest of sign-in, "Daten hochladen" and "Änderungen": the issue's scenario, walked through the pages.

A GIS officer of Brandis signs in, uploads last year's shapefile (own column names,
EPSG:31468, a few areas changed), maps the columns once, fixes what validation
reports, sees the preview and publishes; a colleague in Leipzig sees the new area and
the upload in the change list; an administrator restores the previous version and
nothing else moved.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import fmt, schema
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.signin import PASSWORD, by_label, make_accounts, sign_in, signed_in
from tests.test_cli import geo
from tests.test_validate import fingerprint, wurzen
from tests.uploads import BRANDIS, GROWN, NEW_ID, RENAMED, as_file, brandis_shapefile_zip, zone_prefixed_shapefile


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_accounts(tmp_path, monkeypatch)


def findings(at: AppTest) -> pd.DataFrame:
    """The findings table as shown (full messages, Markdown escapes removed)."""
    return at.table[0].value.map(lambda v: str(v).replace("\\", ""))


def test_sign_in_is_refused_without_telling_which_part_was_wrong(demo_dir, accounts):
    messages = [[e.value for e in sign_in(name, password).sidebar.error]
                for name, password in (("brandis.gis", "falsch-falsch"), ("gibtsnicht", PASSWORD))]
    assert messages[0] == messages[1] == ["Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt nicht."]


def test_reading_needs_sign_in_only_when_the_deployment_says_so(demo_dir, accounts, monkeypatch):
    monkeypatch.setenv("FLAECHENPOOL_PUBLIC_READ", "0")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    assert not at.metric and "Bitte melden Sie sich" in at.info[0].value
    at = signed_in("leser")
    assert at.metric and not at.info


def test_readers_and_visitors_get_no_uploader(demo_dir, accounts):
    at = signed_in("leser", "views/hochladen.py")
    assert not at.get("file_uploader") and "GIS-Zuständige" in at.info[0].value


def test_brandis_scenario_upload_map_fix_preview_publish_see_restore(demo_dir, accounts, tmp_path):
    store = GeoPackageStore(demo_dir)
    original = store.read_layer(schema.POOL_AREAS, [BRANDIS])
    bookings = store.read_allocations()
    files_before = fingerprint(demo_dir)
    shapefile = brandis_shapefile_zip(store, tmp_path)

    # Brandis signs in and uploads last year's shapefile.
    at = signed_in("brandis.gis", "views/hochladen.py")
    at.get("file_uploader")[0].set_value((shapefile.name, shapefile.data, "application/zip"))
    at.run()
    assert not at.exception, at.exception
    assert by_label(at.selectbox, "Zielebene").value == schema.POOL_AREAS
    assert by_label(at.selectbox, "Flächen-ID *").value == "FLAECHE_ID"
    assert by_label(at.selectbox, "„verfuegbar“ bedeutet").value == "verfügbar"
    assert at.error[0].value.startswith("Prüfung: 7 Fehler und 2 Hinweise. Fehler verhindern das Veröffentlichen")
    report = findings(at)
    assert set(report["Art"]) == {"Fehler", "Hinweis"}
    assert "nach EPSG:25833 (ETRS89 / UTM 33N) umgerechnet" in " ".join(report["Meldung"])
    assert {"BRA-2026-017", GROWN, "BRA-2019-025"} <= set(report.loc[report["Art"] == "Fehler", "Objekt"])
    assert not [b for b in at.button if "veröffentlichen" in b.label]

    # ... maps the owner column and the status value once, takes the repaired geometry and the computed points.
    by_label(at.selectbox, "Eigentümer/Träger").set_value("EIGENTUEM")
    by_label(at.selectbox, "„in Planung“ bedeutet").set_value("geplant")
    at.run()
    for box in at.checkbox:
        box.check()
    at.run()
    assert not at.exception, at.exception
    assert "Prüfung bestanden" in at.warning[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"hinzugefügt": "1", "geändert": "3", "entfernt": "0"}
    changes = at.dataframe[-1].value if len(at.dataframe) == 2 else at.dataframe[2].value
    assert {NEW_ID, GROWN, RENAMED, "BRA-2019-025"} == set(changes["ID"])
    change_map = json.loads(at.get("component_instance")[0].proto.json_args)["script"]  # streamlit-folium's map
    assert NEW_ID in change_map and "fp-change-legend" in change_map
    by_label(at.button, "Poolflächen von Brandis veröffentlichen").click()
    at.run()
    assert not at.exception, at.exception
    assert "Veröffentlicht als Änderung C-000021" in at.success[0].value
    remembered = store.read_mapping(BRANDIS)[schema.POOL_AREAS]
    assert remembered["columns"]["owner"] == "EIGENTUEM" and remembered["values"]["status"]["in Planung"] == "geplant"

    # Next time the mapping is prefilled.
    at.get("file_uploader")[0].set_value((shapefile.name, shapefile.data, "application/zip"))
    at.run()
    assert by_label(at.selectbox, "Eigentümer/Träger").value == "EIGENTUEM"
    assert by_label(at.selectbox, "„in Planung“ bedeutet").value == "geplant"

    # A colleague in Leipzig sees the new area and the upload.
    leipzig = signed_in("leipzig.gis", "views/aenderungen.py")
    latest = leipzig.dataframe[0].value.iloc[0]
    assert (latest["Änderung"], latest["Benutzer"], latest["Gemeinde"], latest["Quelle"]) == (
        "C-000021", "brandis.gis", "Brandis", shapefile.name)
    assert (latest["neu"], latest["geändert"], latest["entfernt"]) == ("1", "3", "0")
    assert not [b for b in leipzig.button if "wiederherstellen" in b.label]
    leipzig.switch_page("views/start.py")
    leipzig.run()
    whats_new = leipzig.dataframe[1].value.iloc[0]
    assert (whats_new["Wer"], whats_new["Gemeinde"]) == ("brandis.gis", "Brandis")
    assert whats_new["Was"] == f"Poolflächen hochgeladen: 1 neu, 3 geändert, 0 entfernt – neu: {NEW_ID}"
    assert whats_new["Karte"] == f"karte?flaeche={NEW_ID}"
    leipzig.query_params["flaeche"] = NEW_ID
    leipzig.switch_page("views/karte.py")
    leipzig.run()
    assert not leipzig.exception, leipzig.exception
    assert f"Poolfläche {NEW_ID}" in [h.value.replace("\\", "") for h in leipzig.subheader]
    assert "Neue Wiese am Park" in [c.value for c in leipzig.caption]

    # The administrator restores the previous version after a confirmation.
    admin = signed_in("admin", "views/aenderungen.py")
    assert by_label(admin.selectbox, "Stand vor der Änderung").value == "C-000021"
    by_label(admin.button, "Stand vor C-000021 wiederherstellen …").click()
    admin.run()
    assert "auf den Stand vor C-000021 zurücksetzen: 0 neu, 3 geändert, 1 entfernt" in admin.warning[0].value
    assert list(store.read_history()["action"].iloc[-1:]) == ["upload"]  # nothing written yet
    by_label(admin.button, "Jetzt wiederherstellen").click()
    admin.run()
    assert not admin.exception, admin.exception
    assert "Wiederhergestellt als Änderung C-000022: 0 neu, 3 geändert, 1 entfernt" in admin.success[0].value
    # ... and no button in the same place that would undo it with one more click: the restored change instead.
    assert not [b for b in admin.button if "wiederherstellen" in b.label]
    assert admin.dataframe[0].value["Änderung"].tolist() == ["C-000022"]

    # ... and nothing else moved.
    pd.testing.assert_frame_equal(store.read_layer(schema.POOL_AREAS, [BRANDIS]), original)
    pd.testing.assert_frame_equal(store.read_allocations(), bookings)
    after = fingerprint(demo_dir)
    moved = {k for k in after if files_before.get(k) != after[k]}
    assert moved == {"brandis.gpkg", "pool.gpkg", "mappings/brandis.json",
                     "versions/brandis/C-000021-pool_areas.gpkg", "versions/brandis/C-000022-pool_areas.gpkg"}
    assert list(store.read_history()["action"].iloc[-2:]) == ["upload", "restore"]


def test_the_attribution_stays_when_a_page_stops_early(demo_dir, tmp_path, monkeypatch):
    make_accounts(tmp_path, monkeypatch)
    at = signed_in("brandis.gis", "views/hochladen.py")  # stops until a file is chosen
    assert "© GeoBasis-DE / BKG" in " ".join(c.value for c in at.sidebar.caption)


def test_the_sign_in_opens_by_itself_where_it_is_needed(demo_dir):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.sidebar.expander[0].proto.expanded  # reading needs no sign-in
    at.switch_page("views/hochladen.py").run()
    assert at.sidebar.expander[0].proto.expanded


def _cli_check(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return geo("check", str(path), "--gemeinde", "wurzen", *options)


def _page_messages(at: AppTest) -> set[str]:
    return set(findings(at)["Meldung"])


def test_a_misplaced_file_is_refused_read_as_offered_and_the_next_file_is_not_blocked(demo_dir, accounts,
                                                                                      tmp_path):
    store = GeoPackageStore(demo_dir)
    files_before = fingerprint(demo_dir)
    misplaced = zone_prefixed_shapefile(wurzen(store), tmp_path)
    path = tmp_path / misplaced.name
    path.write_bytes(misplaced.data)

    at = signed_in("wurzen.gis", "views/hochladen.py")
    at.get("file_uploader")[0].set_value((misplaced.name, misplaced.data, "application/zip"))
    at.run()
    assert not at.exception, at.exception
    refusal = at.error[0].value
    assert "Zonenkennung 33 vorn" in refusal and not at.get("component_instance")
    cli = _cli_check(path)  # the command line refuses with the same words
    assert cli.returncode == 1 and cli.stderr.startswith("Fehler: ")
    assert fmt.literal(cli.stderr.strip().removeprefix("Fehler: ")) == refusal  # the page shows it as literal text

    by_label(at.button, "Als EPSG:5650 lesen").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Koordinaten als EPSG:5650 gelesen (Datei: EPSG:25833" in c.value.replace("\\", "") for c in at.caption)
    assert "Prüfung bestanden" in at.warning[0].value
    page = _page_messages(at)
    cli = _cli_check(path, "--lesen-als", "EPSG:5650")
    assert cli.returncode == 0 and page and {m for m in page if m in cli.stdout} == page
    assert fingerprint(demo_dir) == files_before

    # A truncated GeoPackage: German message, GDAL's words folded away; „Andere Datei wählen“ empties the uploader.
    broken = as_file(wurzen(store), "wurzen.gpkg", tmp_path)
    at.get("file_uploader")[0].set_value((broken.name, broken.data[: len(broken.data) // 3], "application/octet"))
    at.run()
    assert "ist eine beschädigte oder unvollständige GeoPackage-Datei" in at.error[0].value
    assert at.expander[-1].label == "Technische Meldung (für die IT)" and "malformed" in at.code[0].value
    by_label(at.button, "Andere Datei wählen").click()
    at.run()
    assert not at.error and not at.get("file_uploader")[0].value
    assert fingerprint(demo_dir) == files_before


@pytest.mark.parametrize("case", ["missing_column", "hostile_text"])
def test_the_command_line_gives_the_pages_findings(case, demo_dir, accounts, tmp_path):
    frame = wurzen(GeoPackageStore(demo_dir))
    if case == "missing_column":
        frame = frame.drop(columns="biotope_after")
    else:
        frame.loc[frame.index[0], "owner"] = "Gemeinde \u202eneztruW\u202c"
        frame.loc[frame.index[1], "notes"] = "x" * 10_000
    upload = as_file(frame, f"{case}.gpkg", tmp_path)
    at = signed_in("wurzen.gis", "views/hochladen.py")
    at.get("file_uploader")[0].set_value((upload.name, upload.data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    page = _page_messages(at)
    cli = _cli_check(tmp_path / upload.name)
    assert cli.returncode == 1
    assert page and {m for m in page if m in cli.stdout} == page
