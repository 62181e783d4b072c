"""Browser tests of the map page against a real `streamlit run` (offline: no base maps)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import schema
from geo.accounting import summary
from geo.map import mapfilter, webmap
from geo.store.gpkg import GeoPackageStore
from tests.conftest import copy_demo_data
from tests.e2e.conftest import screenshot, wait_for_app
from tests.storetools import put_layer

XSS = "<img src=x onerror=alert(1)>"
XSS_ID = "WUR-XSS-001"
MAP = 'iframe[title="streamlit_folium.st_folium"]'
DONE_QUERY = "gemeinde=wurzen,machern&status=verf%C3%BCgbar&massnahme=Aufforstung&min_wp=10000"


@pytest.fixture(scope="module")
def app_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pool plus one Wurzen area whose name and parcels are an XSS attempt."""
    data = copy_demo_data(tmp_path_factory.mktemp("e2e_karte") / "data")
    store = GeoPackageStore(data)
    pool = store.read_layer(schema.POOL_AREAS, ["wurzen"])
    evil = pool.iloc[[0]].copy()
    x, y = pool.geometry.iloc[0].representative_point().coords[0]
    evil[["pool_id", "name", "parcels", "status"]] = [XSS_ID, XSS, XSS, "verfügbar"]
    evil["geometry"] = gpd.GeoSeries([box(x - 400, y - 400, x + 400, y + 400)], index=evil.index, crs=evil.crs)
    put_layer(store, "wurzen", schema.POOL_AREAS, pool.__class__(
        [*pool.to_dict("records"), *evil.to_dict("records")], geometry="geometry", crs=schema.CRS))
    return data


def open_map(page, url: str):
    page.goto(url)
    wait_for_app(page)
    frame = page.frame_locator(MAP)
    frame.locator(".fp-legend").wait_for()
    return frame


def pool_paths(frame):
    """Drawn pool areas: filled with a status colour (interventions are hatched with url(#…))."""
    return frame.locator("path.leaflet-interactive[fill^='#']:not(.fp-spot)")


def test_map_draws_all_polygons_with_local_leaflet_and_nothing_external(page, app_url, app_data):
    leaflet = []
    page.on("response", lambda r: leaflet.append((r.url, r.status)) if "/leaflet." in r.url else None)
    frame = open_map(page, f"{app_url}/karte")
    view = summary.pool_view(GeoPackageStore(app_data).read_all())
    expected = len(view.pool_areas) + len(view.interventions)
    assert frame.locator("path.leaflet-interactive:not(.fp-spot)").count() == expected
    assert pool_paths(frame).count() == len(view.pool_areas)
    assert sorted(leaflet) == [(f"{app_url}/app/static/vendor/leaflet/leaflet.css", 200),
                               (f"{app_url}/app/static/vendor/leaflet/leaflet.js", 200)]
    legend = frame.locator(".fp-legend")
    assert legend.is_visible()
    for status in schema.POOL_STATUS:
        assert status in legend.inner_text()
    assert frame.locator(".fp-label", has_text="Wurzen").count() == 1
    assert page.external_requests == []
    assert "Traceback" not in page.inner_text("body")
    screenshot(page, "karte_all")


def test_planner_finds_clicks_and_shares_afforestation_areas(page, browser, app_url, app_data):
    view = summary.pool_view(GeoPackageStore(app_data).read_all())
    expected = mapfilter.apply(view, mapfilter.decode(parse_qs(DONE_QUERY)).filter).pool_areas["pool_id"].tolist()
    assert len(expected) == 10
    frame = open_map(page, f"{app_url}/karte?{DONE_QUERY}")
    assert pool_paths(frame).count() == len(expected)
    assert f"Poolflächen (10 von {len(view.pool_areas)})" in page.inner_text("body")
    # SVG paths follow the GeoJSON order, which is the table's order: click the area with two bookings.
    pool_paths(frame).nth(expected.index("MAC-2023-006")).dispatch_event("click")
    page.wait_for_url("**flaeche=MAC-2023-006**")
    page.get_by_text("Buchungen (2)").wait_for()
    wait_for_app(page)
    panel = page.inner_text("body")
    assert "Poolfläche MAC-2023-006" in panel
    assert "Gemarkung Püchau, Flur 2, 504/3" in panel and "Buchungen (2)" in panel
    link = page.url
    assert parse_qs(urlsplit(link).query)["flaeche"] == ["MAC-2023-006"]
    screenshot(page, "karte_done")

    colleague = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE").new_page()
    frame = open_map(colleague, link)
    colleague.get_by_text("Buchungen (2)").wait_for()
    assert pool_paths(frame).count() == 10
    seen = colleague.inner_text("body")
    assert "Poolfläche MAC-2023-006" in seen and "Buchungen (2)" in seen
    assert "Gemarkung Püchau, Flur 2, 504/3" in seen
    assert frame.locator("path[stroke='#00bcd4']").count() == 1  # the selection is outlined
    colleague.context.close()
    assert page.external_requests == []


def test_small_areas_get_a_dot_that_a_real_mouse_click_selects(page, app_url):
    frame = open_map(page, f"{app_url}/karte?{DONE_QUERY}")
    sizes = [max(box["width"], box["height"]) for box in (p.bounding_box() for p in pool_paths(frame).all())]
    small = sum(size < webmap.MIN_FEATURE_PX for size in sizes)
    assert small >= 3  # at the opening zoom several areas are a few pixels wide
    spots = frame.locator("path.fp-spot")
    dots = spots.count()
    assert dots >= small  # every small area has one (and so has every small intervention)
    box = spots.first.bounding_box()
    assert box["width"] >= 2 * webmap.SPOT_RADIUS_PX
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75)  # off-centre, like a person
    page.wait_for_url("**flaeche=**")
    wait_for_app(page)
    assert "Poolfläche " in page.inner_text("body")
    frame.locator(".leaflet-control-zoom-in").click()
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    assert spots.count() < dots  # zoomed in, more features are drawn large enough themselves
    assert frame.locator(".leaflet-control-scale").inner_text().strip().endswith(("m", "km"))
    assert "mi" not in frame.locator(".leaflet-control-scale").inner_text().split()


def test_an_xss_name_is_shown_as_text(page, app_url):
    frame = open_map(page, f"{app_url}/karte?suche={XSS_ID}")
    (area,) = pool_paths(frame).all()
    area.dispatch_event("mouseover")
    tooltip = frame.locator(".fp-tooltip")
    tooltip.wait_for()
    assert XSS in tooltip.inner_text() and tooltip.locator("img").count() == 0
    area.dispatch_event("click")
    page.wait_for_url(f"**flaeche={XSS_ID}**")
    page.get_by_text(f"Poolfläche {XSS_ID}").wait_for()
    wait_for_app(page)
    body = page.inner_text("body")
    assert body.count(XSS) >= 2  # caption, fields table (and the table below the map)
    assert page.locator("img[src='x']").count() == 0 and frame.locator("img[src='x']").count() == 0
    assert page.dialogs == [] and page.external_requests == []
    screenshot(page, "karte_xss")
