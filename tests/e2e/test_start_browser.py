from geo import fmt, summary
from geo.store import Store
from tests.e2e.conftest import screenshot, wait_for_app


def test_start_page_renders_german_figures(page, app_url, app_data):
    page.goto(app_url)
    wait_for_app(page)
    head = summary.headline(summary.pool_view(Store(app_data).read_all()))
    body = page.inner_text("body")
    assert "Flächenpool auf einen Blick" in body
    assert fmt.points(head.free_points).replace("\u00a0", " ") in body.replace("\u00a0", " ")
    assert "Traceback" not in body
    assert page.external_requests == []
    screenshot(page, "start")
