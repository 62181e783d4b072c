"""One booking with the keyboard alone (BITV 2.0 / WCAG 2.1.1): Tab, Shift+Tab, Enter, Space, the arrow
keys and typing; no mouse click and no programmatic focus. Elements are found by their accessible names,
so the walk follows the page's focus order as a keyboard user meets it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from geo import fmt
from geo.store.gpkg import GeoPackageStore
from tests.e2e.conftest import wait_for_app

# The same planner of Wurzen (account and app environment) and intervention as the mouse-driven booking test.
from tests.e2e.test_eingriffe_browser import PASSWORD, TARGET, app_env  # noqa: F401

POINTS = 1_000
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return "";
    const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
    return [e.tagName, e.getAttribute("role") || "", e.getAttribute("aria-label") || "", label,
            (e.innerText || e.value || "").slice(0, 120)].join(" | ");
}"""
"""What has the keyboard focus, as a screen reader would name it."""


def tab_to(pg, pattern: str, *, limit: int = 600, backwards: bool = False) -> str:
    """Press Tab (Shift+Tab) until the focused element's name matches *pattern*; returns that name."""
    wanted = re.compile(pattern)
    for _ in range(limit):
        pg.keyboard.press("Shift+Tab" if backwards else "Tab")
        name = pg.evaluate(FOCUSED)
        if wanted.search(name):
            return name
    raise AssertionError(f"{pattern!r} is not reachable with the keyboard (last focus: {name!r})")


def test_a_booking_with_the_keyboard_alone(page, app_url, app_data):
    page.goto(f"{app_url}/eingriffe?eingriff={TARGET}")
    wait_for_app(page)

    # Sign in: the sidebar's "Anmeldung" opens with Enter, the form submits with Enter.
    if not page.get_by_label("Benutzername").is_visible():
        tab_to(page, r"Anmeldung")
        page.keyboard.press("Enter")
    tab_to(page, r"Benutzername")
    page.keyboard.type("wurzen.gis")
    tab_to(page, r"Passwort")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    wait_for_app(page)
    assert "Angemeldet" in page.locator("[data-testid='stSidebar']").inner_text()

    # Candidates from Wurzen only: type into the multiselect, Enter picks, Escape closes.
    tab_to(page, r"Poolflächen aus")
    page.keyboard.type("Wurzen")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)

    # The area drop-down: the arrow keys move away from the first candidate, Enter takes it.
    form = page.locator("[data-testid='stForm']").filter(has_text="Wertpunkte buchen")
    area = form.get_by_test_id("stSelectbox").locator("input")
    assert area.input_value().startswith("1. ")
    tab_to(page, r"Poolfläche\b(?! aus)")
    # Each key waits for what it did to show (the list open, an option other than the first active), so
    # a slow machine cannot swallow a key press; nothing here moves the focus for the user.
    page.keyboard.press("ArrowDown")
    expect(area).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(area).to_have_attribute("aria-activedescendant", re.compile(r"-option-[1-9]\d*$"))
    page.keyboard.press("Enter")
    expect(area).not_to_have_value(re.compile(r"^1\. "))
    chosen = area.input_value().replace("\u00a0", " ")
    pool_id = re.search(r"\d+\. (\S+) ·", chosen).group(1)
    assert not chosen.startswith("1. "), chosen

    tab_to(page, r"^INPUT .*\| Wertpunkte \|")
    page.keyboard.press("Control+A")
    page.keyboard.type(fmt.number(POINTS))
    tab_to(page, r"^BUTTON [\s\S]*\bBuchen\s*$")
    page.keyboard.press("Enter")
    wait_for_app(page)
    preview = page.get_by_test_id("stAlertContentWarning").filter(has_text="WP von Fläche").inner_text()
    preview = preview.replace("\u00a0", " ")
    assert f"{fmt.number(POINTS)} WP von Fläche {pool_id} für Eingriff {TARGET}" in preview

    # The confirmation with Space.
    tab_to(page, r"Jetzt buchen")
    page.keyboard.press("Space")
    page.get_by_text(f"von {pool_id} für {TARGET} reserviert").wait_for(timeout=30_000)
    wait_for_app(page)

    ledger = GeoPackageStore(app_data).read_all().allocations
    booked = ledger[(ledger["pool_id"] == pool_id) & (ledger["intervention_id"] == TARGET)]
    assert booked["points"].tolist()[-1] == POINTS and booked["kind"].tolist()[-1] == "reserviert"
    assert page.dialogs == []
