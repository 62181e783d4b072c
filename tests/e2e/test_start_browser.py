from geo import fmt
from geo.accounting import summary
from geo.store.gpkg import GeoPackageStore
from tests.e2e.conftest import screenshot, wait_for_app


def test_a_deep_link_as_first_request_gets_the_whole_app(page, app_url):
    """The first session of a fresh server opens a page URL directly (a shared link)."""
    page.goto(f"{app_url}/bewertung")
    wait_for_app(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Auf einen Blick" in nav and "Bewertungsmodelle" in nav
    assert "app" not in nav.split("\n")  # no file-name navigation of Streamlit's legacy pages folder
    assert "Demodaten" in page.locator("[data-testid='stSidebar']").inner_text()


def test_start_page_renders_german_figures(page, app_url, app_data):
    page.goto(app_url)
    wait_for_app(page)
    head = summary.headline(summary.pool_view(GeoPackageStore(app_data).read_all()))
    body = page.inner_text("body")
    assert "Flächenpool auf einen Blick" in body
    for figure in (fmt.points_short(head.free_points), fmt.hectares(head.pool_area_m2)):
        assert figure.replace("\u00a0", " ") in body.replace("\u00a0", " ")
    # The tables are canvas grids: their presence is what the browser can check.
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    assert "Traceback" not in body
    assert page.external_requests == []
    screenshot(page, "start")
