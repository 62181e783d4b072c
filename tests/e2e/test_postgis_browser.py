"""Two app processes against one PostGIS database: a booking shows in the other on its next run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import fmt
from geo.access.permissions import User
from geo.accounting import booking, summary
from geo.store.postgis import PostGISStore
from tests import pgserver
from tests.e2e.conftest import running_app, wait_for_app


@pytest.fixture(scope="module")
def database_url(postgis_databases: pgserver.Databases) -> Iterator[str]:
    with postgis_databases.fresh() as url:
        yield url


@pytest.fixture(scope="module")
def two_apps(database_url: str, app_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    env = {"FLAECHENPOOL_DATA": str(app_data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_DATABASE_URL": database_url}
    logs = tmp_path_factory.mktemp("log")
    with running_app(env, logs) as first, running_app(env, logs) as second:
        yield [first, second]


def _free_points(page) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text("Freie Wertpunkte", exact=True))
    return box.locator("[data-testid='stMetricValue']").first.inner_text().replace("\u00a0", " ")


def test_a_booking_in_one_app_is_on_the_other_apps_start_page_on_its_next_run(browser, two_apps, database_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    first, second = context.new_page(), context.new_page()
    try:
        for page, url in zip((first, second), two_apps, strict=True):
            page.goto(url)
            wait_for_app(page)
        store = PostGISStore(database_url)  # what the first app runs when its planner books
        try:
            view = summary.pool_view(store.read_all())
            area = view.pool_areas.sort_values("free_points").iloc[-1]
            target = view.interventions[view.interventions["status"].isin(["geplant", "im Verfahren"])] \
                .sort_values("open_points").iloc[-1]
            points = float(min(area["free_points"], target["open_points"]))
            before = fmt.points_short(summary.headline(view).free_points).replace("\u00a0", " ")
            assert _free_points(second) == before
            booking.book(store, User("admin", "admin"), pool_id=area["pool_id"],
                         intervention_id=target["intervention_id"], points=points, kind="reserviert")
            after = fmt.points_short(summary.headline(summary.pool_view(store.read_all())).free_points)
        finally:
            store.close()
        assert after.replace("\u00a0", " ") != before
        for page in (second, first):
            page.reload()
            wait_for_app(page)
            assert _free_points(page) == after.replace("\u00a0", " ")  # "Was ist neu" is a data grid (canvas)
    finally:
        context.close()
