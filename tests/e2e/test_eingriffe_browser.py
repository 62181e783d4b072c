"""The issue's scenario in a browser: a planner of Wurzen books points from a Wurzen area, and the
start page, the overview and the map show the new balance at once. (Across the border a booking
is a request: tests/e2e/test_anfragen_browser.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import fmt, schema
from geo.accounting import summary
from geo.display import interventions
from geo.store.gpkg import GeoPackageStore
from tests.e2e.conftest import env_with_accounts, screenshot, sign_in, wait_for_app

PASSWORD = "browser-test-1"
TARGET = "BPL-WUR-02"  # Wurzen, status "geplant", large open demand: points can be reserved
POINTS = 100_000


@pytest.fixture(scope="module")
def app_env(app_data: Path) -> dict[str, str]:
    return env_with_accounts(app_data, PASSWORD, "wurzen.gis")


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid='stMetricValue']").inner_text().replace(" ", "\u00a0")


def visible(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_a_planner_of_wurzen_books_from_wurzen_and_every_page_follows(page, app_url, app_data):
    page.goto(app_url)
    wait_for_app(page)
    before = summary.headline(summary.pool_view(GeoPackageStore(app_data).read_all()))
    assert metric(page, "Freie Wertpunkte") == fmt.points_short(before.free_points)

    page.goto(f"{app_url}/eingriffe?eingriff={TARGET}")
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Buchen ist nur angemeldet möglich" in body
    sign_in(page, "wurzen.gis", PASSWORD)
    wait_for_app(page)
    assert "Angemeldet: GIS Stadt Wurzen" in visible(page.inner_text("body"))

    origin = page.locator("[data-testid='stMultiSelect']").filter(has_text="Poolflächen aus")
    origin.locator("input").click()
    origin.locator("input").fill("Wurzen")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    candidates = page.get_by_role("tabpanel", name="Eingriffe und Buchung").get_by_test_id("stTable").inner_text()
    assert "liegt in Wurzen" in visible(candidates)
    assert page.locator("iframe[title='streamlit_folium.st_folium']").count() == 1

    page.get_by_label("Wertpunkte", exact=True).fill(fmt.number(POINTS))
    page.get_by_role("button", name="Buchen").click()
    page.get_by_role("button", name="Jetzt buchen").click()
    wait_for_app(page)
    message = visible(page.locator("[data-testid='stAlertContentSuccess']").inner_text())
    pool_id = re.search(r"von (\S+) für " + TARGET + " reserviert", message).group(1)
    assert message.startswith(f"{visible(fmt.points(POINTS))} von {pool_id}")
    screenshot(page, "eingriffe_gebucht")

    after = summary.pool_view(GeoPackageStore(app_data).read_all())
    area = after.pool_areas.set_index("pool_id").loc[pool_id]
    assert area["ags"] == schema.municipality("wurzen").ags
    target = interventions.one(after.interventions, TARGET)
    assert metric(page, "Offener Bedarf") == fmt.points(target["open_points"])
    head = summary.headline(after)
    assert head.free_points == before.free_points - POINTS

    page.goto(app_url)
    wait_for_app(page)
    assert metric(page, "Freie Wertpunkte") == fmt.points_short(head.free_points)
    assert metric(page, "Offener Bedarf") == fmt.points_short(head.open_points)

    page.goto(f"{app_url}/uebersicht")
    wait_for_app(page)
    assert metric(page, "Freie Wertpunkte") == fmt.points_short(head.free_points)

    page.goto(f"{app_url}/karte?flaeche={pool_id}")
    wait_for_app(page)
    assert fmt.number(round(area["free_points"])) in page.inner_text("body")
    assert page.external_requests == []
    assert page.dialogs == []


def test_after_a_booking_the_form_in_the_browser_shows_the_ledger_now(page, app_url, app_data):
    """The browser keeps widget values it knows: after "Jetzt buchen" the area drop-down, the proposed
    points and the note must come from the ledger as it is now (issue 17)."""
    page.goto(f"{app_url}/eingriffe?eingriff={TARGET}")
    wait_for_app(page)
    sign_in(page, "wurzen.gis", PASSWORD)
    origin = page.locator("[data-testid='stMultiSelect']").filter(has_text="Poolflächen aus")
    origin.locator("input").click()
    origin.locator("input").fill("Wurzen")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    form = page.locator("[data-testid='stForm']").filter(has_text="Wertpunkte buchen")
    area = form.get_by_test_id("stSelectbox")
    pool_id = re.search(r"\d+\. (\S+) ·", visible(area.locator("input").input_value())).group(1)
    form.get_by_label("Wertpunkte", exact=True).fill("1.000")
    form.get_by_label("Bemerkung (optional)").fill("erste Rate")
    form.get_by_role("button", name="Buchen").click()
    wait_for_app(page)
    assert f"1.000 WP von Fläche {pool_id} für Eingriff {TARGET} reservieren; jetzt frei:" in visible(
        page.get_by_test_id("stAlertContentWarning").filter(has_text="WP von Fläche").inner_text())
    page.get_by_role("button", name="Jetzt buchen").click()
    page.get_by_text(f"von {pool_id} für {TARGET} reserviert").wait_for(timeout=30_000)
    wait_for_app(page)

    now = summary.pool_view(GeoPackageStore(app_data).read_all())
    free = now.pool_areas.set_index("pool_id")["free_points"]
    open_now = interventions.one(now.interventions, TARGET)["open_points"]
    form = page.locator("[data-testid='stForm']").filter(has_text="Wertpunkte buchen")
    shown = visible(form.get_by_test_id("stSelectbox").locator("input").input_value())
    first = re.search(r"\d+\. (\S+) ·", shown).group(1)
    assert f"{visible(fmt.points(free[first]))} frei" in shown
    assert form.get_by_label("Wertpunkte", exact=True).input_value() == fmt.number(min(free[first], open_now))
    assert form.get_by_label("Bemerkung (optional)").input_value() == ""
    assert page.get_by_role("button", name="Jetzt buchen").count() == 0
