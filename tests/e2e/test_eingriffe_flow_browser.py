"""The planners' daily flow on "Eingriffe & Zuordnung" in a browser: choosing an intervention by its row,
every list column on screen at 1440 px, the candidates' mini-map without overlapping or clipped ranks,
and on a phone (390×844) the candidates' key columns on screen and the sidebar closed after signing in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import env_with_accounts, screenshot, sign_in, wait_for_app

PASSWORD = "browser-test-1"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app_env(app_data: Path) -> dict[str, str]:
    return env_with_accounts(app_data, PASSWORD, "wurzen.gis")


@pytest.fixture
def phone(browser, app_url):
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def boxes(locator) -> list[dict]:
    return locator.evaluate_all("els => els.map(e => { const r = e.getBoundingClientRect(); "
                                "return {text: e.textContent, left: r.left, top: r.top, right: r.right, "
                                "bottom: r.bottom}; })")


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_a_row_of_the_list_chooses_the_intervention_and_every_column_fits(page, app_url):
    page.goto(f"{app_url}/eingriffe")
    wait_for_app(page)
    sign_in(page, "wurzen.gis", PASSWORD)
    grid = page.get_by_test_id("stDataFrame").first
    scroller = grid.locator(".dvn-scroller").first
    assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # no column cut off at 1440 px
    box = grid.bounding_box()
    assert box is not None
    chosen = grid.locator("[role='row']").nth(3).locator("[role='gridcell']").first.text_content().strip()
    page.mouse.click(box["x"] + 15, box["y"] + 35 * 3 + 17)  # the selection box of the third row (canvas)
    wait_for_app(page)
    page.wait_for_function("id => new URLSearchParams(location.search).get('eingriff') === id", arg=chosen)
    assert page.get_by_role("heading", name=chosen).count() == 1
    screenshot(page, "eingriffe_liste")


def test_the_mini_map_shows_every_rank_apart_inside_the_view(page, app_url):
    page.goto(f"{app_url}/eingriffe?eingriff=BPL-WUR-01")
    wait_for_app(page)
    frame_el = page.locator("iframe[title='streamlit_folium.st_folium']")
    frame_el.scroll_into_view_if_needed()
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".fp-rank").first.wait_for()
    page.wait_for_timeout(1500)  # the last fit after the frame got its size
    ranks = boxes(frame.locator(".fp-rank"))
    assert sorted(int(r["text"]) for r in ranks) == list(range(1, 11))
    view = frame.locator(".leaflet-container").first.bounding_box()
    assert view is not None
    for r in ranks:
        assert r["left"] >= 0 and r["right"] <= view["width"] and r["top"] >= 0 and r["bottom"] <= view["height"], r
    names = frame.locator(".fp-label span").evaluate_all(
        "els => els.map(e => { const g = document.createRange(); g.selectNodeContents(e); "
        "const r = g.getBoundingClientRect(); return {text: e.textContent, left: r.left, top: r.top, "
        "right: r.right, bottom: r.bottom}; })")
    assert names
    for i, a in enumerate(ranks):
        assert not [b["text"] for b in ranks[i + 1:] if overlap(a, b)], a
        assert not [n["text"] for n in names if overlap(a, n)], a


def test_on_a_phone_the_candidates_key_columns_are_on_screen_and_sign_in_closes_the_sidebar(phone, app_url):
    phone.goto(f"{app_url}/eingriffe?eingriff=BPL-WUR-01")
    wait_for_app(phone)
    phone.get_by_test_id("stExpandSidebarButton").click()
    sign_in(phone, "wurzen.gis", PASSWORD)
    sidebar = phone.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1, sidebar  # closed: off screen
    table = phone.get_by_role("tabpanel", name="Eingriffe und Buchung").get_by_test_id("stTable")
    table.scroll_into_view_if_needed()
    headers = {h["text"]: h for h in boxes(table.locator("th"))}
    for key in ("Rang", "Flächen-ID", "Frei", "Warum diese Fläche"):
        assert headers[key]["right"] <= PHONE["width"], headers[key]
    screenshot(phone, "eingriffe_phone")
