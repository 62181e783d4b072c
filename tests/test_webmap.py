"""The web map without a browser: trimmed, escaped GeoJSON; local Leaflet; base maps; legend."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from geo import fmt, schema
from geo.map import mapfilter, webmap
from geo.map.mapfilter import MapFilter, Selection
from tests.mapdata import BOOKINGS, X0, XSS, Y0, tiny_view


def render(m) -> str:
    return m.get_root().render()


def test_web_geometries_are_simplified_in_metres_reprojected_and_rounded():
    circle = gpd.GeoSeries([Point(X0, Y0).buffer(500, quad_segs=256)], crs=schema.CRS)
    web = webmap.web_geometries(circle, tolerance_m=1.0)
    assert web.crs == schema.WEB_CRS
    coords = shapely.get_coordinates(web.values)
    assert len(coords) < len(shapely.get_coordinates(circle.values)) / 2
    assert np.array_equal(coords, np.round(coords, webmap.COORD_DECIMALS))
    back = web.to_crs(schema.CRS)
    assert back.iloc[0].hausdorff_distance(circle.iloc[0]) < 2.0  # 1 m simplification + ~1 m rounding


def test_geojson_text_is_script_safe_and_reads_back_unchanged():
    geoms = gpd.GeoSeries([Point(12.5, 51.3).buffer(0.001)], crs=schema.WEB_CRS)
    name = f"{XSS}</script><!-- & \u2028"
    text = webmap.feature_collection(geoms, pd.DataFrame({"name": [name]}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    data = json.loads(text)
    assert data["type"] == "FeatureCollection" and data["features"][0]["properties"] == {"name": name}
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_features_carry_only_what_tooltip_and_click_need():
    layers = webmap.prepare_layers(tiny_view(BOOKINGS))
    pool = {f["properties"]["id"]: f["properties"] for f in json.loads(layers.pool_areas)["features"]}
    assert pool["W1"] == {"id": "W1", "layer": "pool_areas", "name": "Am Wald", "status": "verfügbar",
                          "measure": "Aufforstung", "free": fmt.points(18_000)}
    assert pool["W2"]["name"] == XSS
    itv = {f["properties"]["id"]: f["properties"] for f in json.loads(layers.interventions)["features"]}
    assert itv["E1"] == {"id": "E1", "layer": "interventions", "name": "B-Plan Nord", "kind": "B-Plan",
                         "status": "genehmigt", "open": fmt.points(1_000)}
    assert (layers.pool_count, layers.intervention_count) == (4, 3)
    assert [f["properties"] for f in json.loads(layers.boundaries)["features"]] == [{"name": "Wurzen"},
                                                                                    {"name": "Machern"}]
    assert [label[2] for label in json.loads(layers.labels)] == ["Wurzen", "Machern"]


def test_links_join_intervention_and_area_of_each_active_booking():
    layers = webmap.prepare_layers(tiny_view(BOOKINGS))
    lines = json.loads(layers.links)["features"]
    assert len(lines) == 2  # E1→M1, E1→W1; E2→W1 was cancelled
    assert all(f["geometry"]["type"] == "LineString" and f["properties"] == {} for f in lines)
    assert json.loads(webmap.prepare_layers(tiny_view()).links)["features"] == []


def test_bounds_cover_the_shown_municipalities():
    view = tiny_view()
    (south, west), (north, east) = webmap.prepare_layers(view).bounds
    w, s, e, n = view.boundaries.to_crs(schema.WEB_CRS).total_bounds
    assert (south, west, north, east) == tuple(round(v, 5) for v in (s, w, n, e))
    (_, west_m), (_, east_m) = webmap.prepare_layers(mapfilter.apply(view, MapFilter(municipalities=("14729250",)))
                                                     ).bounds
    assert east_m < east and west_m == west


def test_opening_view_is_the_largest_zoom_that_fits():
    bounds = ((51.30, 12.56), (51.42, 12.91))
    (lat, lng), zoom = webmap.opening_view(bounds, (560, 620), bottom_px=0)
    assert 51.30 < lat < 51.42 and lng == round((12.56 + 12.91) / 2, 5)

    def width_px(z: int) -> float:
        return (12.91 - 12.56) / 360 * 256 * 2**z

    assert width_px(zoom) <= 560 < width_px(zoom + 1)


def test_opening_view_keeps_the_data_above_the_legend():
    bounds = ((51.20, 12.56), (51.50, 12.91))  # tall: without the legend band it would reach the bottom
    width, height = 560, 620
    (lat, _), zoom = webmap.opening_view(bounds, (width, height))

    def y_px(latitude: float) -> float:  # Web Mercator pixel row at *zoom*
        return (1 - np.log(np.tan(np.radians(latitude)) + 1 / np.cos(np.radians(latitude))) / np.pi) * 128 * 2**zoom

    top = y_px(lat) - height / 2
    assert y_px(51.50) - top >= 0
    assert y_px(51.20) - top <= height - webmap.LEGEND_PX  # the south edge is not under the legend


def test_map_has_a_metric_scale_and_dots_for_small_features():
    html = render(webmap.build_map(webmap.prepare_layers(tiny_view()), offline=True))
    assert "L.control.scale({imperial: false})" in html and "L.control.scale()" not in html
    calls = re.findall(r"window\.fpSpots\((\w+), (\d+), (\d+),", html)
    assert [(int(a), int(b)) for _, a, b in calls] == [(webmap.MIN_FEATURE_PX, webmap.SPOT_RADIUS_PX)] * 2
    names = {name for name, _, _ in calls}
    assert all(f"var {name} = L.geoJson(null" in html for name in names)


def test_offline_map_loads_only_local_leaflet_and_no_tiles():
    html = render(webmap.build_map(webmap.prepare_layers(tiny_view(BOOKINGS)), offline=True))
    assert webmap.LocalMap.default_js == [("leaflet", "/app/static/vendor/leaflet/leaflet.js")]
    assert re.findall(r"https?://", html.replace("http://www.w3.org/2000/svg", "")) == []
    assert "L.tileLayer" not in html and "L.tileLayer.wms" not in html
    overlays = re.search(r"overlays\s*:\s*\{(.*?)\},", html, re.S).group(1)
    assert re.search(r"base_layers\s*:\s*\{\s*\},", html)
    for key in (schema.BOUNDARY, schema.POOL_AREAS, schema.INTERVENTIONS, "links"):
        assert json.dumps(webmap.LAYER_NAMES[key]) in overlays


def test_online_map_offers_basemap_de_osm_orthophoto_and_alkis():
    html = render(webmap.build_map(webmap.prepare_layers(tiny_view()), offline=False))
    assert "sgx.geodatenzentrum.de/wmts_basemapde" in html and "tile.openstreetmap.org" in html
    assert "wms_geosn_dop-rgb" in html and "sn_dop_020" in html
    assert "wms_geosn_alkis-adv" in html and "adv_alkis_flurstuecke" in html
    base = re.search(r"base_layers\s*:\s*\{(.*?)\},", html, re.S).group(1)
    overlays = re.search(r"overlays\s*:\s*\{(.*?)\},", html, re.S).group(1)
    assert base.index('"basemap.de"') < base.index('"OpenStreetMap"') < base.index('"Luftbild Sachsen (DOP20)"')
    assert "ALKIS" not in base and json.dumps("Flurstücke (ALKIS Sachsen)") in overlays


def test_attribute_text_never_reaches_the_page_as_html():
    html = render(webmap.build_map(webmap.prepare_layers(tiny_view()), offline=True))
    assert "<img src=x" not in html and "onerror=alert" in html.replace("\\u003c", "<")  # present, but as data
    assert "textContent" in html and "innerHTML = layer" not in html


def test_legend_is_built_from_schema_colours_and_escapes_labels(monkeypatch):
    legend = webmap.legend_html()
    for status, colour in schema.POOL_STATUS_COLORS.items():
        assert colour in legend and f"</i>{status}</div>" in legend
    for kind, colour in schema.INTERVENTION_KIND_COLORS.items():
        assert colour in legend and f"</i>{kind}</div>" in legend
    monkeypatch.setitem(schema.POOL_STATUS_LABELS, "geplant", "<b>geplant</b>")
    assert "&lt;b&gt;geplant&lt;/b&gt;" in webmap.legend_html() and "<b>" not in webmap.legend_html()


def test_selection_layer_outlines_the_selected_feature_only():
    view = tiny_view()
    assert webmap.selection_layer(view, None) is None
    assert webmap.selection_layer(view, Selection(schema.POOL_AREAS, "nope")) is None
    group = webmap.selection_layer(view, Selection(schema.INTERVENTIONS, "E2"))
    layer = next(iter(group._children.values()))
    features = json.loads(layer.data)["features"]
    assert len(features) == 1 and layer.interactive is False
    expected = webmap.web_geometries(view.interventions.geometry[view.interventions["intervention_id"] == "E2"], 1.0)
    assert shapely.equals(shapely.from_geojson(json.dumps(features[0]["geometry"])), expected.iloc[0])
