"""Vector tiles of the map (issue 20): a tile holds exactly the features in its bounds, on both stores;
low zooms of a crowded pool send clusters; the route answers with the MVT type and caches by data version."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from starlette.requests import Request

from geo import schema
from geo.access import privacy, sessions, users
from geo.accounting import summary
from geo.config import Settings
from geo.map import mapfilter, tiles, webmap
from geo.store import Store
from geo.store.gpkg import GeoPackageStore
from tests.conftest import WURZEN, intervention_frame, pool_frame, square
from tests.storetools import put_layer
from ui import tileroute


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def decode(body: bytes) -> dict[str, list[dict]]:
    return {name: layer["features"] for name, layer in mapbox_vector_tile.decode(body).items()}


def ids_in(view: summary.PoolView, layer: str, z: int, x: int, y: int) -> set[str]:
    """Brute force: the features of *layer* whose geometry meets the tile's square."""
    frame = view.pool_areas if layer == schema.POOL_AREAS else view.interventions
    box = shapely.box(*tiles.tile_bounds(z, x, y))
    inside = frame.geometry.to_crs(tiles.WEB_MERCATOR).intersects(box)
    return set(frame.loc[inside.to_numpy(), schema.ID_FIELD[layer]].astype(str))


def busy_tiles(view: summary.PoolView, z: int) -> list[tuple[int, int]]:
    """The tiles at zoom *z* holding the anchors of the demo's areas and interventions."""
    points = view.pool_areas.geometry.representative_point().to_crs(schema.WEB_CRS)
    return sorted({tile_of(*webmap.point_xy(p), z) for p in points})


@pytest.mark.parametrize("z", [11, 13, 15])
def test_a_tile_holds_exactly_the_areas_and_interventions_in_its_bounds(any_store: Store, z: int):
    view = summary.pool_view(any_store.read_all())
    index = tiles.TileIndex.of(view)
    checked = 0
    for x, y in busy_tiles(view, z)[:12]:
        layers = decode(tiles.render(index, z, x, y, any_store))
        assert tiles.CLUSTERS not in layers  # the demo is small: shapes at every zoom
        for layer, name in tiles.SOURCE_LAYER.items():
            shapes = [f["properties"]["id"] for f in layers.get(name, [])]
            spots = [f["properties"]["id"] for f in layers.get(tiles.SPOTS, []) if f["properties"]["layer"] == layer]
            assert len(shapes) == len(set(shapes)) and len(spots) == len(set(spots))
            assert set(shapes) | set(spots) == ids_in(view, layer, z, x, y)  # tiny ones as a spot only
            checked += len(shapes)
        for features in layers.values():
            for feature in features:
                assert set(feature["properties"]) <= {"id", "status", "kind", "name", "layer", "class"}
    assert checked > 0


def test_both_stores_draw_the_same_status_and_kind(any_store: Store):
    view = summary.pool_view(any_store.read_all())
    pool = view.pool_areas.set_index("pool_id")
    itv = view.interventions.set_index("intervention_id")
    index = tiles.TileIndex.of(view)
    for x, y in busy_tiles(view, 12)[:6]:
        layers = decode(tiles.render(index, 12, x, y, any_store))
        for f in layers.get(tiles.POOL, []):
            assert f["properties"]["status"] == pool.loc[f["properties"]["id"], "status"]  # after the ledger
        for f in layers.get(tiles.INTERVENTIONS, []):
            assert f["properties"]["kind"] == itv.loc[f["properties"]["id"], "kind"]
            assert f["properties"]["status"] == itv.loc[f["properties"]["id"], "status"]


def test_geometry_is_clipped_to_the_tile_and_its_buffer(any_empty_store: Store):
    # One 2 km square across the edge of a z14 tile (≈ 1,5 km wide at 51° N).
    z = 14
    x, y = tile_of(12.75, 51.35, z)
    minx, miny, maxx, maxy = tiles.tile_bounds(z, x, y)
    corner = shapely.Point((minx + maxx) / 2, (miny + maxy) / 2)
    cx, cy = webmap.point_xy(gpd.GeoSeries([corner], crs=tiles.WEB_MERCATOR).to_crs(schema.CRS).iloc[0])
    put_layer(any_empty_store, WURZEN, schema.POOL_AREAS,
              pool_frame([{"pool_id": "WUR-T-1", "value_points": 10.0, "geometry": square(cx, cy, 2000)},
                          {"pool_id": "WUR-T-2", "value_points": 10.0,
                           "geometry": square(cx + 9000, cy, 100)}]))
    put_layer(any_empty_store, WURZEN, schema.INTERVENTIONS,
              intervention_frame([{"intervention_id": "BPL-T-1", "demand_points": 5.0,
                                   "geometry": square(cx - 300, cy - 300, 200)}]))
    view = summary.pool_view(any_empty_store.read_all())
    layers = decode(tiles.render(tiles.TileIndex.of(view), z, x, y, any_empty_store))
    (area,) = layers[tiles.POOL]
    assert area["properties"] == {"id": "WUR-T-1", "status": "verfügbar"}
    coords = np.array(area["geometry"]["coordinates"], dtype=object)
    flat = np.array([xy for ring in coords for xy in ring], dtype=float) if coords.ndim != 3 else coords[0]
    pad = tiles.BUFFER / tiles.EXTENT * (maxx - minx)
    drawn = gpd.GeoSeries([square(cx, cy, 2000)], crs=schema.CRS).to_crs(tiles.WEB_MERCATOR).clip_by_rect(
        minx - pad, miny - pad, maxx + pad, maxy + pad)
    west = drawn.total_bounds[0]
    assert flat[:, 0].min() == pytest.approx((west - minx) / (maxx - minx) * tiles.EXTENT, abs=2)  # starts inside …
    assert flat[:, 0].max() == pytest.approx(tiles.EXTENT + tiles.BUFFER, abs=1)  # … cut at the buffer
    (itv,) = layers[tiles.INTERVENTIONS]
    assert itv["properties"] == {"id": "BPL-T-1", "kind": "B-Plan", "status": "genehmigt"}


@pytest.mark.parametrize("flt", [
    mapfilter.MapFilter(pool_status=("verfügbar",), municipalities=(WURZEN,)), mapfilter.MapFilter(text="MAC-2023"),
    mapfilter.MapFilter(intervention_kinds=("B-Plan",))])
def test_narrowing_the_whole_index_gives_the_tiles_of_the_filtered_view(demo_store: Store, flt, monkeypatch):
    monkeypatch.setattr(tiles, "MAX_SHAPES", 40)  # some tiles as clusters too
    view = summary.pool_view(demo_store.read_all())
    shown = mapfilter.apply(view, flt)
    narrowed, fresh = tiles.TileIndex.of(view).narrowed(shown), tiles.TileIndex.of(shown)
    for z in (9, 12, 14):
        for x, y in busy_tiles(view, z)[:10]:
            assert decode(tiles.render(narrowed, z, x, y)) == decode(tiles.render(fresh, z, x, y))


def test_small_features_get_a_spot_with_their_id(demo_store: Store):
    view = summary.pool_view(demo_store.read_all())
    index = tiles.TileIndex.of(view)
    z = 9
    spots = [f for x, y in busy_tiles(view, z) for f in decode(tiles.render(index, z, x, y)).get(tiles.SPOTS, [])]
    ids = {f["properties"]["id"] for f in spots if f["properties"]["layer"] == schema.POOL_AREAS}
    assert ids and ids <= set(view.pool_areas["pool_id"])
    assert {f["properties"]["class"] for f in spots if f["properties"]["layer"] == schema.INTERVENTIONS} <= set(
        schema.INTERVENTION_KINDS)


def test_a_crowded_tile_at_low_zoom_sends_clusters_that_count_every_feature(demo_store: Store,
                                                                          monkeypatch: pytest.MonkeyPatch):
    view = summary.pool_view(demo_store.read_all())
    index = tiles.TileIndex.of(view)
    monkeypatch.setattr(tiles, "MAX_SHAPES", 20)
    z = 9
    counted = {schema.POOL_AREAS: 0, schema.INTERVENTIONS: 0}
    for x, y in busy_tiles(view, z):
        layers = decode(tiles.render(index, z, x, y))
        assert tiles.POOL not in layers and tiles.INTERVENTIONS not in layers and tiles.SPOTS not in layers
        for f in layers[tiles.CLUSTERS]:
            counted[f["properties"]["layer"]] += f["properties"]["count"]
            assert f["properties"]["class"] in (*schema.POOL_STATUS, *schema.INTERVENTION_KINDS)
    assert counted == {schema.POOL_AREAS: len(view.pool_areas), schema.INTERVENTIONS: len(view.interventions)}
    # At the detail zoom the same pool is drawn as shapes again.
    x, y = busy_tiles(view, tiles.DETAIL_ZOOM)[0]
    assert tiles.CLUSTERS not in decode(tiles.render(index, tiles.DETAIL_ZOOM, x, y))


def test_the_cluster_of_a_cell_takes_its_commonest_status(demo_store: Store, monkeypatch: pytest.MonkeyPatch):
    view = summary.pool_view(demo_store.read_all())
    monkeypatch.setattr(tiles, "MAX_SHAPES", 0)
    monkeypatch.setattr(tiles, "GRID", 1)
    z = 5
    x, y = busy_tiles(view, z)[0]
    (cluster,) = [f for f in decode(tiles.render(tiles.TileIndex.of(view), z, x, y))[tiles.CLUSTERS]
                  if f["properties"]["layer"] == schema.POOL_AREAS]
    assert cluster["properties"]["class"] == view.pool_areas["status"].value_counts().index[0]


# --- the route -----------------------------------------------------------------------------

def request(token: str, z: int, x: int, y: int, query: str = "", cookie: str = "") -> Request:
    headers = [(b"cookie", f"{sessions.COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": f"/kacheln/{token}/{z}/{x}/{y}.pbf",
                    "path_params": {"token": token, "z": z, "x": x, "y": y}, "query_string": query.encode(),
                    "headers": headers})


def test_the_route_answers_with_mvt_cached_for_a_year_by_data_version(demo_dir):
    token = tileroute.current_token()
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    x, y = busy_tiles(view, 12)[0]
    fresh = tileroute.tile(request(token, 12, x, y))
    assert fresh.status_code == 200
    assert fresh.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert decode(bytes(fresh.body))[tiles.POOL]
    stale = tileroute.tile(request("0ld", 12, x, y))
    assert stale.headers["cache-control"] == "no-cache" and stale.body == fresh.body
    assert tileroute.tile(request(token, 12, 2**12, 0)).status_code == 404
    assert tileroute.tile(request(token, 12, x, y, "status=verkauft")).status_code == 400


def test_without_public_reading_the_route_wants_the_sign_in(demo_dir, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLAECHENPOOL_PUBLIC_READ", "0")
    token = tileroute.current_token()
    x, y = busy_tiles(summary.pool_view(GeoPackageStore(demo_dir).read_all()), 12)[0]
    refused = tileroute.tile(request(token, 12, x, y))
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    settings = Settings.from_env()
    user = users.find("wurzen.gis", path=settings.users_file)
    assert user is not None
    cookie = sessions.Sessions.from_settings(settings).issue(user)
    answered = tileroute.tile(request(token, 12, x, y, cookie=cookie))
    assert answered.status_code == 200 and answered.headers["cache-control"] == "private, max-age=31536000, immutable"


def test_the_route_applies_the_maps_filter_and_carries_no_owner(demo_dir):
    token = tileroute.current_token()
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    flt = mapfilter.MapFilter(pool_status=("verfügbar",), municipalities=(WURZEN,))
    owners = set(view.pool_areas.loc[privacy.personal(view.pool_areas), "owner"])
    assert owners  # the demo has private owners
    for x, y in busy_tiles(view, 12)[:8]:
        body = tileroute.tile(request(token, 12, x, y, urlencode(mapfilter.encode(flt)))).body
        features = decode(bytes(body)).get(tiles.POOL, [])
        shown = mapfilter.apply(view, flt)
        assert {f["properties"]["id"] for f in features} == ids_in(shown, schema.POOL_AREAS, 12, x, y)
        assert all(f["properties"]["status"] == "verfügbar" for f in features)
        assert not [name for name in owners if name.encode() in bytes(body)]


def test_url_template_puts_the_filter_in_the_query():
    flt = mapfilter.MapFilter(pool_status=("verfügbar",))
    assert tileroute.url_template("abc", flt) == "/kacheln/abc/{z}/{x}/{y}.pbf?status=verf%C3%BCgbar"
    assert tileroute.url_template("abc", mapfilter.MapFilter()) == "/kacheln/abc/{z}/{x}/{y}.pbf"
