"""Übersicht & Berichte in a browser: the selection survives a reload, and the presentation fits a
1280×720 projector screen slide by slide, paged with the keyboard alone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from geo.accounting import summary
from geo.reports import slides
from geo.store.gpkg import GeoPackageStore
from tests.e2e.conftest import screenshot, wait_for_app

LOWEST_ELEMENT = """() => Math.max(...[...document.querySelectorAll(
    '[data-testid="stMainBlockContainer"] *')].filter(e => e.offsetParent !== null).map(
    e => e.getBoundingClientRect().bottom))"""
"""The bottom edge (px) of the lowest visible element of the page's content."""


def query(pg) -> dict[str, list[str]]:
    return parse_qs(urlparse(pg.url).query)


def test_the_selection_is_in_the_url_and_survives_a_reload(page, app_url):
    page.goto(f"{app_url}/uebersicht")
    wait_for_app(page)
    towns = page.locator("[data-testid='stMultiSelect']").filter(has_text="Gemeinden")
    towns.locator("input").click()
    towns.locator("input").fill("Wurzen")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert query(page) == {"gemeinde": ["wurzen"]}
    assert page.get_by_role("heading", name="Heute: Wurzen").is_visible()
    page.reload()
    wait_for_app(page)
    assert query(page) == {"gemeinde": ["wurzen"]}
    assert page.get_by_role("heading", name="Heute: Wurzen").is_visible()
    assert "Wurzen" in towns.inner_text()
    # The same link in a new tab (a colleague's browser) opens the same view.
    other = page.context.new_page()
    other.goto(page.url)
    wait_for_app(other)
    assert other.get_by_role("heading", name="Heute: Wurzen").is_visible()
    other.close()


def test_every_slide_fits_a_projector_and_the_keyboard_pages(browser, app_url, app_data):
    view = summary.pool_view(GeoPackageStore(app_data).read_all())
    deck = slides.deck(summary.report(view, summary.Scope(years=summary.year_bounds(view))))
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    pg = context.new_page()
    pg.goto(f"{app_url}/uebersicht")
    wait_for_app(pg)
    pg.get_by_role("button", name="Präsentation starten").click()
    wait_for_app(pg)
    for number, slide in enumerate(deck, start=1):
        pg.wait_for_timeout(800)  # charts and the map draw after the script run
        assert query(pg)["folie"] == [str(number)]
        assert pg.get_by_role("heading", name=slide.title, exact=True).is_visible()
        assert not pg.locator("[data-testid='stSidebar']").is_visible()
        lowest = pg.evaluate(LOWEST_ELEMENT)
        assert lowest <= 720, f"Folie {number} ({slide.title}) reicht bis {lowest:.0f} px"
        if slide.kind == "chart":
            chart = pg.locator("[data-testid='stVegaLiteChart']").first.bounding_box()
            assert chart is not None and chart["y"] >= 0 and chart["y"] + chart["height"] <= 720
        if number == 3:
            screenshot(pg, "praesentation")
        pg.keyboard.press("ArrowRight")
        wait_for_app(pg)
    assert query(pg)["folie"] == [str(len(deck))]  # the last slide stays
    pg.keyboard.press("ArrowLeft")
    wait_for_app(pg)
    assert query(pg)["folie"] == [str(len(deck) - 1)]
    pg.keyboard.press("Escape")
    wait_for_app(pg)
    assert "folie" not in query(pg)
    assert pg.locator("[data-testid='stSidebar']").is_visible()
    context.close()

