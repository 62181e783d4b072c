from geo import fmt, summary
from geo.store import Store
from tests.e2e.conftest import screenshot, wait_for_app


def test_start_page_renders_german_figures(page, app_url, app_data):
    page.goto(app_url)
    wait_for_app(page)
    head = summary.headline(summary.pool_view(Store(app_data).read_all()))
    body = page.inner_text("body")
    assert "Flächenpool auf einen Blick" in body
    for figure in (fmt.points_short(head.free_points), fmt.hectares(head.pool_area_m2)):
        assert figure.replace("\u00a0", " ") in body.replace("\u00a0", " ")
    # The table is a canvas grid: its presence is what the browser can check.
    assert page.locator("[data-testid='stDataFrame']").count() == 1
    assert "Traceback" not in body
    assert page.external_requests == []
    screenshot(page, "start")
