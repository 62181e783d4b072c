"""AppTest of sign-in, "Daten hochladen" and "Änderungen": the issue's scenario, walked through the pages.

A GIS officer of Brandis signs in, uploads last year's shapefile (own column names,
EPSG:31468, a few areas changed), maps the columns once, fixes what validation
reports, sees the preview and publishes; a colleague in Leipzig sees the new area and
the upload in the change list; an administrator restores the previous version and
nothing else moved.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.signin import PASSWORD, by_label, make_accounts, sign_in, signed_in
from tests.test_validate import fingerprint
from tests.uploads import BRANDIS, GROWN, NEW_ID, RENAMED, brandis_shapefile_zip


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_accounts(tmp_path, monkeypatch)


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
    report = at.dataframe[0].value
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
    assert at.get("imgs") or at.get("image")
    by_label(at.button, "Poolflächen von Brandis veröffentlichen").click()
    at.run()
    assert not at.exception, at.exception
    assert "Veröffentlicht als Änderung C-000020" in at.success[0].value
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
        "C-000020", "brandis.gis", "Brandis", shapefile.name)
    assert (latest["neu"], latest["geändert"], latest["entfernt"]) == ("1", "3", "0")
    assert not [b for b in leipzig.button if "wiederherstellen" in b.label]
    leipzig.switch_page("views/start.py")
    leipzig.run()
    whats_new = leipzig.dataframe[1].value.iloc[0]
    assert (whats_new["Wer"], whats_new["Gemeinde"]) == ("brandis.gis", "Brandis")
    assert whats_new["Was"] == "Poolflächen hochgeladen: 1 neu, 3 geändert, 0 entfernt"
    leipzig.query_params["flaeche"] = NEW_ID
    leipzig.switch_page("views/karte.py")
    leipzig.run()
    assert not leipzig.exception, leipzig.exception
    assert f"Poolfläche {NEW_ID}" in [h.value.replace("\\", "") for h in leipzig.subheader]
    assert "Neue Wiese am Park" in [c.value for c in leipzig.caption]

    # The administrator restores the previous version in one step.
    admin = signed_in("admin", "views/aenderungen.py")
    assert by_label(admin.selectbox, "Stand vor der Änderung").value == "C-000020"
    by_label(admin.button, "Stand vor C-000020 wiederherstellen").click()
    admin.run()
    assert not admin.exception, admin.exception
    assert "Wiederhergestellt als Änderung C-000021: 0 neu, 3 geändert, 1 entfernt" in admin.success[0].value

    # ... and nothing else moved.
    pd.testing.assert_frame_equal(store.read_layer(schema.POOL_AREAS, [BRANDIS]), original)
    pd.testing.assert_frame_equal(store.read_allocations(), bookings)
    after = fingerprint(demo_dir)
    moved = {k for k in after if files_before.get(k) != after[k]}
    assert moved == {"brandis.gpkg", "pool.gpkg", "mappings/brandis.json",
                     "versions/brandis/C-000020-pool_areas.gpkg", "versions/brandis/C-000021-pool_areas.gpkg"}
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
