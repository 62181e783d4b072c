"""The issue's walk in a browser: a Leipzig planner asks Wurzen for 50.000 WP; wurzen.gis sees the
request in the inbox and approves it; the allocation is in the ledger and on the Eingriffe page; Wurzen's
settlement shows the amount at the price of the day, and the booking certificate downloads with a code
that verifies against the ledger."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import fmt, schema
from geo.accounting import audit, documents, settlement, summary
from geo.display import interventions
from geo.store.gpkg import GeoPackageStore
from tests.e2e.conftest import env_with_accounts, screenshot, wait_for_app

PASSWORD = "browser-test-1"
TARGET = "STR-LEI-02"  # Leipzig, "umgesetzt" with open demand: the approval allocates (and is settled)
POINTS = 50_000


@pytest.fixture(scope="module")
def app_env(app_data: Path) -> dict[str, str]:
    return env_with_accounts(app_data, PASSWORD, "leipzig.gis", "wurzen.gis")


def visible(text: str) -> str:
    return text.replace("\u00a0", " ")


def sign_in(page, name: str) -> None:
    page.get_by_text("Anmeldung", exact=True).click()
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    wait_for_app(page)


def test_leipzig_asks_wurzen_and_wurzen_approves(browser, page, app_url, app_data):
    page.goto(f"{app_url}/eingriffe?eingriff={TARGET}")
    wait_for_app(page)
    sign_in(page, "leipzig.gis")
    origin = page.locator("[data-testid='stMultiSelect']").filter(has_text="Poolflächen aus")
    origin.locator("input").click()
    origin.locator("input").fill("Wurzen")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert page.get_by_role("button", name="Buchen").count() == 0
    page.get_by_label("Wertpunkte", exact=True).fill(fmt.number(POINTS))
    page.get_by_label("Nachricht an die Gemeinde der Fläche").fill("Ausgleich für die Straße, bitte bis Monatsende")
    page.get_by_role("button", name="Anfrage stellen").click()
    wait_for_app(page)
    message = visible(page.locator("[data-testid='stAlertContentSuccess']").inner_text())
    pool_id = re.search(r"aus (\S+) für " + TARGET, message).group(1)
    assert message.startswith(f"Anfrage an Wurzen gestellt: {visible(fmt.points(POINTS))} aus {pool_id}")
    screenshot(page, "eingriffe_anfrage")

    wurzen = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE").new_page()
    wurzen.goto(app_url)
    wait_for_app(wurzen)
    sign_in(wurzen, "wurzen.gis")
    body = visible(wurzen.inner_text("body"))
    assert "Offene Anfragen an Sie (1)" in body and pool_id in body
    screenshot(wurzen, "start_anfragen")
    wurzen.get_by_role("link", name="Zusagen oder ablehnen").click()
    wait_for_app(wurzen)
    assert "An Wurzen (1 offen)" in wurzen.inner_text("body")
    screenshot(wurzen, "anfragen")
    wurzen.get_by_label("Auflage (bei Zusage) oder Grund (bei Ablehnung)").fill("Pflege und Kontrolle durch Wurzen")
    wurzen.get_by_role("button", name="Zusagen").click()
    wait_for_app(wurzen)
    success = wurzen.locator("[data-testid='stAlertContentSuccess']").inner_text()
    assert "zugesagt; die Buchung steht im Journal" in success
    screenshot(wurzen, "anfragen_zugesagt")

    store = GeoPackageStore(app_data)
    entry = store.read_allocations().iloc[-1]
    assert (entry["pool_id"], entry["intervention_id"], entry["points"], entry["booked_by"]) == (
        pool_id, TARGET, POINTS, "wurzen.gis")
    assert audit.verify(store).ok

    page.goto(f"{app_url}/eingriffe?eingriff={TARGET}")
    wait_for_app(page)
    target = interventions.one(summary.pool_view(store.read_all()).interventions, TARGET)
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text("Gebucht", exact=True)).first
    assert visible(box.locator("[data-testid='stMetricValue']").inner_text()) == visible(
        fmt.points(target["covered_points"]))
    screenshot(page, "eingriffe_nach_zusage")
    assert page.external_requests == [] and page.dialogs == []

    # Wurzen's settlement for the year shows the amount at the price of the day; the certificate downloads.
    assert entry["kind"] == "zugeordnet" and entry["price_eur"] > 0
    owed = settlement.statement(store.read_all(), schema.municipality("wurzen").ags, fmt.today().year)
    sentence = f"Leipzig schuldet Wurzen {fmt.euro(owed.net_eur)}."
    assert owed.net_eur >= POINTS * entry["price_eur"] - 0.005
    wurzen.goto(f"{app_url}/verrechnung?buchung={entry['allocation_id']}")
    wait_for_app(wurzen)
    assert visible(sentence) in visible(wurzen.inner_text("body"))
    assert visible(fmt.euro(POINTS * entry["price_eur"])) in visible(wurzen.inner_text("body"))
    screenshot(wurzen, "verrechnung")
    wurzen.get_by_role("tab", name="Buchungsbestätigung").click()
    code = re.search(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", wurzen.inner_text("body")).group(0)
    with wurzen.expect_download() as download:
        wurzen.get_by_role("button", name="Buchungsbestätigung (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename == (
        f"buchungsbestaetigung-{entry['allocation_id']}.pdf")
    assert documents.check_code(store.read_all(), code).ok
    screenshot(wurzen, "buchungsbestaetigung")
