"""Browser tests: sign in, upload a changed GeoPackage, see the preview, publish; the issue's Brandis
scenario (zipped Shapefile in Gauss-Krüger with own column names) with a zip bomb first, and an
administrator restoring the previous version."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from playwright.sync_api import expect
from shapely.geometry import box

from geo import schema
from geo.access import users
from geo.accounting import ledger
from geo.store.gpkg import GeoPackageStore
from tests.conftest import WURZEN
from tests.e2e.conftest import screenshot, sign_in, wait_for_app
from tests.test_validate import _zip_bytes, fingerprint
from tests.uploads import BRANDIS, as_file, brandis_shapefile_zip
from tests.uploads import NEW_ID as BRANDIS_NEW_ID

PASSWORD = "browser-passwort-1"
NEW_ID = "WUR-2026-099"


@pytest.fixture(scope="module")
def app_env(app_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("users") / "users.json"
    users.add("wurzen.gis", PASSWORD, role="gis", ags=WURZEN, display_name="GIS Stadt Wurzen", path=path, rounds=4)
    users.add("brandis.gis", PASSWORD, role="gis", ags=BRANDIS, display_name="GIS Brandis", path=path, rounds=4)
    users.add("admin", PASSWORD, role="admin", display_name="Administration", path=path, rounds=4)
    return {"FLAECHENPOOL_DATA": str(app_data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_USERS": str(path)}


@pytest.fixture(scope="module")
def changed_gpkg(app_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wurzen's layer as its office exports it: Gauss-Krüger, "verfuegbar", one area renamed, one new."""
    store = GeoPackageStore(app_data)
    pool = store.read_layer(schema.POOL_AREAS, [WURZEN])
    free = ledger.enrich_pool(pool, store.read_allocations())
    renamed = free.loc[free["booked_points"] == 0, "pool_id"].iloc[0]
    pool.loc[pool["pool_id"] == renamed, "name"] = "Am Mühlbach"
    new = pool.iloc[[0]].copy()
    x, y = store.read_layer(schema.BOUNDARY, [WURZEN]).geometry.iloc[0].representative_point().coords[0]
    new["pool_id"], new["name"], new["value_points"] = NEW_ID, "Streuobst am Wachtelberg", None
    new["geometry"] = gpd.GeoSeries([box(x - 80, y - 80, x + 80, y + 80)], index=new.index, crs=new.crs)
    pool = pool.__class__([*pool.to_dict("records"), *new.to_dict("records")], geometry="geometry", crs=schema.CRS)
    pool["value_points"] = None  # computed by the app (they depend on the day)
    pool["status"] = pool["status"].replace({"verfügbar": "verfuegbar"})
    folder = tmp_path_factory.mktemp("upload")
    upload = as_file(pool.to_crs("EPSG:31468"), "Ausgleichsflaechen_Wurzen.gpkg", folder)
    return folder / upload.name


def _sign_in(page, app_url: str, name: str, to: str | None = None) -> None:
    """A fresh session signed in as *name* through the sidebar form (and on page *to*)."""
    page.goto(app_url)
    wait_for_app(page)
    sign_in(page, name, PASSWORD)
    if to:
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=to).click()
        wait_for_app(page)


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def test_sign_in_upload_preview_publish(page, app_url, app_data, changed_gpkg, tmp_path):
    history = GeoPackageStore(app_data).read_history()
    _sign_in(page, app_url, "wurzen.gis")
    assert "Angemeldet: GIS Stadt Wurzen" in page.inner_text("[data-testid='stSidebar']")

    page.get_by_role("link", name="Daten hochladen").click()
    wait_for_app(page)
    # A refused file first (cut off in transfer): German message, then „Andere Datei wählen“ empties the uploader.
    broken = tmp_path / "abgebrochen.gpkg"
    broken.write_bytes(changed_gpkg.read_bytes()[:20_000])
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(broken))
    page.get_by_text("beschädigte oder unvollständige GeoPackage-Datei").wait_for(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "hochladen-abgelehnt")
    page.get_by_role("button", name="Andere Datei wählen").click()
    # The uploader is emptied by the rerun the button starts: wait for that, however slow the machine.
    expect(page.get_by_test_id("stMain")).not_to_contain_text("abgebrochen.gpkg", timeout=30_000)
    wait_for_app(page)

    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(changed_gpkg))
    page.get_by_text("Vorschau der Änderung").wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.inner_text("[data-testid='stMain']")
    assert "Prüfung bestanden" in body and "Traceback" not in body
    metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
    assert any(m.startswith("hinzugefügt") and m.endswith("1") for m in metrics), metrics
    assert any(m.startswith("geändert") for m in metrics)
    change_map = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    change_map.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    assert change_map.locator("path.leaflet-interactive").count() > 20  # the layer's areas, the new one green
    assert "hinzugefügt (1)" in change_map.locator(".fp-change-legend").inner_text()
    page.get_by_text("Karte der Änderungen").scroll_into_view_if_needed()
    wait_for_app(page)
    screenshot(page, "hochladen")
    page.set_viewport_size({"width": 1440, "height": 2300})  # the whole flow on one picture
    wait_for_app(page)
    screenshot(page, "hochladen-vorschau")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.get_by_role("button", name="Poolflächen von Wurzen veröffentlichen").click()
    page.get_by_text("Veröffentlicht als Änderung").wait_for(timeout=60_000)
    wait_for_app(page)
    latest = GeoPackageStore(app_data).read_history().iloc[-1]
    assert len(GeoPackageStore(app_data).read_history()) == len(history) + 1
    assert (latest["user"], latest["action"], latest["source"], latest["added"]) == (
        "wurzen.gis", "upload", changed_gpkg.name, 1)
    assert NEW_ID in set(GeoPackageStore(app_data).read_layer(schema.POOL_AREAS, [WURZEN])["pool_id"])

    page.get_by_role("link", name="Änderungen").click()
    page.get_by_text("Was eine Wiederherstellung ändern würde").wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.inner_text("[data-testid='stMain']")
    assert "Wiederherstellen darf nur die Administration." in body and "Traceback" not in body
    screenshot(page, "aenderungen")
    assert page.external_requests == [] and page.dialogs == []


def test_brandis_shapefile_after_a_zip_bomb_then_admin_restores(page, app_url, app_data, tmp_path):
    store = GeoPackageStore(app_data)
    original = store.read_layer(schema.POOL_AREAS, [BRANDIS])
    shapefile = tmp_path / "Ausgleichsflaechen_Brandis_2025.zip"
    shapefile.write_bytes(brandis_shapefile_zip(store, tmp_path).data)
    bomb = tmp_path / "flaechen.zip"
    bomb.write_bytes(_zip_bytes({"flaechen.shp": bytes(150 * 1024 * 1024)}))
    files_before = fingerprint(app_data)

    # The drop zone speaks German and names our limit, not Streamlit's.
    _sign_in(page, app_url, "brandis.gis", "Daten hochladen")
    dropzone = page.get_by_test_id("stFileUploaderDropzone")
    assert "höchstens 50 MB" in page.get_by_test_id("stFileUploader").inner_text()
    assert not page.get_by_test_id("stFileUploaderDropzoneInstructions").is_visible()
    caption = dropzone.locator("button span[data-has-shortcut]").evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert caption == '"Datei auswählen"' and not dropzone.locator("button p").is_visible()

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bomb))
    page.get_by_text("mögliche ZIP-Bombe, abgelehnt").wait_for(timeout=60_000)
    assert fingerprint(app_data) == files_before

    # Last year's shapefile: map the owner column and "in Planung" once, take the repairs, publish.
    page.set_viewport_size({"width": 1440, "height": 2300})  # the whole form at once, like the screenshot
    page.reload()  # a fresh upload page: the sign-in lasts, the rejected upload is gone
    wait_for_app(page)
    assert "Angemeldet: GIS Brandis" in page.inner_text("[data-testid='stSidebar']")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(shapefile))
    page.get_by_text("Fehler verhindern das Veröffentlichen").wait_for(timeout=60_000)
    wait_for_app(page)
    assert "EPSG:31468" in page.inner_text("[data-testid='stMain']")
    _choose(page, "Eigentümer/Träger", "EIGENTUEM")
    _choose(page, "„in Planung“ bedeutet", "geplant")
    for label in ("Reparierte Geometrien übernehmen", "Berechnete Wertpunkte übernehmen"):
        page.get_by_text(label).click()
        wait_for_app(page)
    page.get_by_text("Vorschau der Änderung").wait_for(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "hochladen-brandis")
    metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
    assert [m.split() for m in metrics] == [["hinzugefügt", "1"], ["geändert", "3"], ["entfernt", "0"]]
    page.get_by_role("button", name="Poolflächen von Brandis veröffentlichen").click()
    page.get_by_text("Veröffentlicht als Änderung").wait_for(timeout=60_000)
    change_id = store.read_history().iloc[-1]["change_id"]
    assert BRANDIS_NEW_ID in set(store.read_layer(schema.POOL_AREAS, [BRANDIS])["pool_id"])

    # The administrator puts the previous state back after a confirmation, through the page.
    _sign_in(page, app_url, "admin", "Änderungen")
    page.get_by_role("button", name=f"Stand vor {change_id} wiederherstellen …").click()
    page.get_by_role("button", name="Jetzt wiederherstellen").click()
    page.get_by_text("Wiederhergestellt als Änderung").wait_for(timeout=60_000)
    wait_for_app(page)
    body = page.inner_text("[data-testid='stMain']")
    assert "0 neu, 3 geändert, 1 entfernt" in body and "Traceback" not in body
    assert page.get_by_role("button", name=re.compile("wiederherstellen")).count() == 0  # no one-click undo
    pd.testing.assert_frame_equal(store.read_layer(schema.POOL_AREAS, [BRANDIS]), original)
    assert list(store.read_history()["action"].iloc[-2:]) == ["upload", "restore"]
    assert page.external_requests == [] and page.dialogs == []
