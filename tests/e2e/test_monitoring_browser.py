"""The issue's walk on a phone: an inspector of Lossatal (390×844) records a failed function check with two
photos for LOS-2018-011, which the Leipzig intervention STR-LEI-05 is booked on; the Leipzig planner sees
the flag on that intervention's page and on the map; the overview counts it; the export contains it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyogrio
import pytest

from geo.store.gpkg import GeoPackageStore
from tests.e2e.conftest import env_with_accounts, screenshot, wait_for_app
from tests.monitoringtools import photo

PASSWORD = "browser-test-1"
AREA, INTERVENTION = "LOS-2018-011", "STR-LEI-05"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app_env(app_data: Path) -> dict[str, str]:
    return env_with_accounts(app_data, PASSWORD, "lossatal.gis", "leipzig.gis", "wurzen.gis")


def sign_in_on(page, app_url: str, name: str, target: str) -> None:
    """The sign-in page of its own (the sidebar is folded away on a phone), then on to *target*."""
    page.goto(f"{app_url}/anmeldung?weiter={target}")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden").click()
    wait_for_app(page)


def test_a_failed_check_with_two_photos_on_a_phone(browser, app_url, app_data, tmp_path):
    shots = []
    for i, (color, fmt) in enumerate((("red", "JPEG"), ("green", "PNG")), start=1):
        path = tmp_path / f"kontrolle-{i}.{fmt.lower().replace('jpeg', 'jpg')}"
        path.write_bytes(photo(color=color, fmt=fmt, gps=True, size=(1200, 900)))
        shots.append(str(path))
    before = len(GeoPackageStore(app_data).read_monitoring().inspections)
    phone = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in_on(page, app_url, "lossatal.gis", f"/monitoring?flaeche={AREA}")
    page.get_by_role("tab", name="Kontrolle erfassen").click()
    wait_for_app(page)
    form = page.locator("[data-testid='stForm']").filter(has_text="Kontrolle speichern")
    form.get_by_text("Funktionskontrolle mit Mängeln").click()
    form.get_by_label("Bemerkung (bei Mängeln: welche)").fill("Grünland umgebrochen, Zaun offen")
    form.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(shots)
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.wait_for_timeout(1500)  # the photos' previews
    button = form.get_by_role("button", name="Kontrolle speichern")
    button.scroll_into_view_if_needed()
    screenshot(page, "monitoring-phone-form")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    button.click()
    wait_for_app(page)
    success = page.locator("[data-testid='stAlertContentSuccess']").inner_text()
    assert f"Kontrolle für {AREA} gespeichert (mit Mängeln, 2 Dateien)" in success
    assert page.get_by_role("tab", name="Kontrolle erfassen").get_attribute("aria-selected") == "true"
    stored = GeoPackageStore(app_data).read_monitoring()
    assert len(stored.inspections) == before + 1 and stored.inspections.iloc[-1]["pool_id"] == AREA
    assert len(stored.documents[stored.documents["target_id"] == stored.inspections.iloc[-1]["inspection_id"]]) == 2
    page.get_by_role("tab", name="Fläche im Detail").click()
    wait_for_app(page)
    assert page.locator("[data-testid='stImage']").count() == 2
    page.locator("[data-testid='stImage']").first.scroll_into_view_if_needed()
    screenshot(page, "monitoring-phone-detail")
    phone.close()

    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    page = desk.new_page()
    sign_in_on(page, app_url, "leipzig.gis", f"/eingriffe?eingriff={INTERVENTION}")
    warning = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="Mängel").inner_text()
    assert f"{AREA}: Mängel" in warning
    page.goto(f"{app_url}/karte")
    wait_for_app(page)
    page.locator(".fp-vflag").first.wait_for(timeout=20_000)  # the WebGL map's flag markers
    assert page.locator(f".fp-vflag[title^='⚠ {AREA} – Monitoring: Mängel']").count() == 1
    assert page.locator(f".fp-vflag[title^='⚠ {INTERVENTION} – gebucht auf']").count() == 1
    page.goto(f"{app_url}/uebersicht")
    wait_for_app(page)
    captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()
    assert any(t.startswith("⚠ Monitoring: ") and " mit Mängeln" in t for t in captions), captions
    desk.close()

    public = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    page = public.new_page()  # signed out: the export of every municipality
    page.goto(f"{app_url}/monitoring")
    wait_for_app(page)
    screenshot(page, "monitoring")
    page.get_by_role("tab", name="Export KoKa-Nat").click()
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Shapefiles als ZIP (KoKa-Nat)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    archive.extractall(tmp_path / "kokanat")
    checks = pyogrio.read_dataframe(tmp_path / "kokanat" / "kokanat_kontrollen.shp")
    assert checks.iloc[-1][["flaeche", "ergebnis", "dateien"]].tolist() == [AREA, "mit Mängeln", 2]
    public.close()


def test_wurzen_inspects_for_lossatal_on_a_phone_as_the_handbook_says(browser, app_url):
    """The handbook's monitoring partner: wurzen.gis gets the form for a Lossatal area, with the reason."""
    phone = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in_on(page, app_url, "wurzen.gis", f"/monitoring?flaeche={AREA}")
    page.get_by_role("tab", name="Kontrolle erfassen").click()
    wait_for_app(page)
    panel = page.get_by_role("tabpanel", name="Kontrolle erfassen")
    assert "Wurzen kontrolliert laut Prozesshandbuch auch für Bennewitz" in panel.inner_text()
    assert panel.get_by_test_id("stSelectbox").locator("input").input_value().startswith(f"{AREA} – ")
    button = panel.get_by_role("button", name="Kontrolle speichern")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("tab", name="Kontrolle erfassen").scroll_into_view_if_needed()  # the reason under the tabs
    screenshot(page, "monitoring-wurzen-phone")
    phone.close()
