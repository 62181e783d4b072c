"""Browser tests of the map page against a real `streamlit run serve.py` (offline: no base maps).

The map is MapLibre GL JS drawing the launcher's vector tiles on a WebGL canvas: what it drew is
read with ``map.queryRenderedFeatures`` (``window.fpMap``), clicks land on the canvas at the
projected position of a feature. One test starts a second app with ``FLAECHENPOOL_VEKTORKARTE=0``
(the Folium map)."""

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
from tests.e2e.conftest import running_app, screenshot, wait_for_app
from tests.storetools import put_layer

XSS = "<img src=x onerror=alert(1)>"
XSS_ID = "WUR-XSS-001"
DONE_QUERY = "gemeinde=wurzen,machern&status=verf%C3%BCgbar&massnahme=Aufforstung&min_wp=10000"
READY = ("() => window.fpMap && window.fpMap.loaded() && window.fpMap.areTilesLoaded() && !window.fpMap.isMoving()"
         " && document.querySelector('.fp-vmap').dataset.loaded === '1'")
RENDERED = """(layers) => [...new Set(window.fpMap.queryRenderedFeatures({layers})
    .filter(f => f.layer.id !== 'punkte' || f.properties.layer === 'pool_areas').map(f => f.properties.id))]"""


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


def open_map(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.wait_for_function(READY, timeout=30_000)


def drawn_pool_ids(page) -> set[str]:
    """Pool areas on the canvas now: as shapes or, where small, as spots."""
    return set(page.evaluate(RENDERED, ["flaechen-fill", "punkte"]))


def feature_point(page, app_data: Path, layer: str, feature_id: str) -> tuple[float, float]:
    """Where on the page the feature is drawn (a point on its surface)."""
    frame = GeoPackageStore(app_data).read_layer(layer)
    rows = frame[frame[schema.ID_FIELD[layer]] == feature_id]
    lng, lat = webmap.point_xy(rows.geometry.representative_point().to_crs(schema.WEB_CRS).iloc[0])
    x, y = page.evaluate("([lng, lat]) => { const p = window.fpMap.project([lng, lat]); return [p.x, p.y]; }",
                         [lng, lat])
    canvas = page.locator(".fp-vmap canvas").bounding_box()
    return canvas["x"] + x, canvas["y"] + y


def click_feature(page, app_data: Path, layer: str, feature_id: str) -> None:
    """A real mouse click on the canvas where the feature is drawn."""
    page.mouse.click(*feature_point(page, app_data, layer, feature_id))


def test_map_draws_every_area_from_tiles_with_local_maplibre_and_nothing_external(page, app_url, app_data):
    responses: list[tuple[str, int, str, str]] = []
    page.on("response", lambda r: responses.append((r.url, r.status, r.headers.get("content-type", ""),
                                                    r.headers.get("cache-control", ""))))
    open_map(page, f"{app_url}/karte")
    view = summary.pool_view(GeoPackageStore(app_data).read_all())
    assert drawn_pool_ids(page) == set(view.pool_areas["pool_id"])
    intervention_ids = set(page.evaluate(
        "() => window.fpMap.queryRenderedFeatures({layers: ['eingriffe-line', 'punkte']})"
        ".filter(f => f.layer.id !== 'punkte' || f.properties.layer === 'interventions').map(f => f.properties.id)"))
    assert intervention_ids == set(view.interventions["intervention_id"])
    assets = sorted(url.split("?")[0].rsplit("/", 1)[1] for url, status, *_ in responses
                    if "/app/static/vendor/maplibre/" in url and status == 200)
    assert assets == ["maplibre-gl-worker.mjs", "maplibre-gl.css", "maplibre-gl.mjs"]
    tile_answers = [answer[1:] for answer in responses if "/kacheln/" in answer[0]]
    assert tile_answers
    assert set(tile_answers) == {(200, "application/vnd.mapbox-vector-tile", "public, max-age=31536000, immutable")}
    canvas = page.locator(".fp-vmap canvas").bounding_box()
    assert canvas["width"] > 400 and canvas["height"] > 400
    legend = page.locator(".fp-vlegend")
    assert legend.get_attribute("open") is not None  # open on a desktop
    for status in schema.POOL_STATUS:
        assert status in legend.inner_text()
    assert page.locator(".fp-vlabel", has_text="Wurzen").count() == 1
    assert "GeoBasis-DE / BKG" in page.locator(".maplibregl-ctrl-attrib").inner_text()
    assert page.external_requests == []
    assert "Traceback" not in page.inner_text("body")
    screenshot(page, "karte_all")


def test_planner_filters_clicks_and_shares_afforestation_areas(page, browser, app_url, app_data):
    view = summary.pool_view(GeoPackageStore(app_data).read_all())
    expected = mapfilter.apply(view, mapfilter.decode(parse_qs(DONE_QUERY)).filter).pool_areas["pool_id"].tolist()
    assert len(expected) == 10
    open_map(page, f"{app_url}/karte?{DONE_QUERY}")
    assert drawn_pool_ids(page) == set(expected)  # the filter travels in the tile URLs
    assert f"Poolflächen (10 von {len(view.pool_areas)})" in page.inner_text("body")
    page.mouse.move(*feature_point(page, app_data, schema.POOL_AREAS, "MAC-2023-006"))
    assert page.locator(".fp-vtip").inner_text() == "Poolfläche MAC-2023-006 · verfügbar"  # hovering names it
    click_feature(page, app_data, schema.POOL_AREAS, "MAC-2023-006")
    page.wait_for_url("**flaeche=MAC-2023-006**")
    page.get_by_text("Buchungen (2)").wait_for()
    wait_for_app(page)
    panel = page.inner_text("body")
    assert "Poolfläche MAC-2023-006" in panel
    assert "Gemarkung Püchau, Flur 2, 504/3" in panel and "Buchungen (2)" in panel
    link = page.url
    assert parse_qs(urlsplit(link).query)["flaeche"] == ["MAC-2023-006"]
    page.wait_for_function(READY)
    screenshot(page, "karte_done")

    colleague = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE").new_page()
    open_map(colleague, link)
    colleague.get_by_text("Buchungen (2)").wait_for()
    wait_for_app(colleague)  # the panel may still be re-rendered by the map's first message
    seen = colleague.inner_text("body")
    assert "Poolfläche MAC-2023-006" in seen and "Gemarkung Püchau, Flur 2, 504/3" in seen
    # The link zooms to the area, outlines it and labels it with its id.
    assert colleague.evaluate("() => window.fpMap.getZoom()") > 12
    outlined = colleague.evaluate("() => window.fpMap.queryRenderedFeatures({layers: ['auswahl-line']})"
                                  ".map(f => f.properties.id)")
    assert set(outlined) == {"MAC-2023-006"}
    assert colleague.locator(".fp-vid", has_text="MAC-2023-006").count() == 1
    colleague.context.close()
    assert page.external_requests == []


def test_a_search_result_is_zoomed_to_and_an_xss_name_is_shown_as_text(page, app_url, app_data):
    open_map(page, f"{app_url}/karte?suche={XSS_ID}")
    assert drawn_pool_ids(page) == {XSS_ID}
    assert page.evaluate("() => window.fpMap.getZoom()") > 12  # fitted to the one area found
    click_feature(page, app_data, schema.POOL_AREAS, XSS_ID)
    page.wait_for_url(f"**flaeche={XSS_ID}**")
    page.get_by_text(f"Poolfläche {XSS_ID}").wait_for()
    wait_for_app(page)
    body = page.inner_text("body")
    assert body.count(XSS) >= 2  # caption, fields table (and the table below the map)
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == [] and page.external_requests == []
    screenshot(page, "karte_xss")


def test_on_a_phone_the_legend_is_folded_and_the_details_are_one_tap_away(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE", is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    open_map(phone, f"{app_url}/karte?{DONE_QUERY}&flaeche=MAC-2023-006")
    assert phone.locator(".fp-vlegend").get_attribute("open") is None
    jump = phone.get_by_role("link", name="Angaben zu MAC-2023-006 ↓")
    assert jump.bounding_box()["y"] < phone.locator(".fp-vmap").bounding_box()["y"]  # above the map
    jump.click()
    phone.wait_for_timeout(500)
    heading = phone.get_by_role("heading", name="Poolfläche MAC-2023-006").bounding_box()
    assert 0 <= heading["y"] < 844
    context.close()


def test_folium_stays_available_by_setting(browser, app_data, tmp_path):
    env = {"FLAECHENPOOL_DATA": str(app_data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_VEKTORKARTE": "0"}
    with running_app(env, tmp_path) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/karte?{DONE_QUERY}")
        wait_for_app(page)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator(".fp-legend").wait_for()
        assert frame.locator("path.leaflet-interactive[fill^='#']:not(.fp-spot)").count() == 10
        assert page.locator(".fp-vmap").count() == 0
        page.close()

