"""OGC API – Features (issue 16): the pure documents, then a real ``streamlit run serve.py`` read by
GDAL's own OAPIF client (pyogrio) and by plain HTTP."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from geo import ogc, schema
from geo.access import privacy
from geo.access.users import DEMO_PASSWORD
from geo.store import open_location
from tests.conftest import DATA, copy_demo_data
from tests.e2e.conftest import running_app

BASE = "http://test/ogc"


@pytest.fixture(scope="module")
def demo() -> schema.PoolData:
    return open_location(str(DATA)).read_all()


# --- pure documents ------------------------------------------------------------------------
def test_landing_links_what_qgis_needs():
    rels = {link["rel"]: link for link in ogc.landing(BASE)["links"]}
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["service-desc"]["href"] == f"{BASE}/api"
    assert rels["data"]["href"] == f"{BASE}/collections"
    assert rels["conformance"]["href"] == f"{BASE}/conformance"


def test_openapi_declares_limit_default_and_maximum():
    doc = ogc.openapi(BASE)
    assert doc["openapi"].startswith("3.0")
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (ogc.LIMIT_DEFAULT, ogc.LIMIT_MAX)
    refs = [p["$ref"] for p in doc["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]]
    assert "#/components/parameters/limit" in refs and "#/components/parameters/bbox" in refs
    assert all(r.removeprefix("#/components/parameters/") in doc["components"]["parameters"] for r in refs)


def test_conformance_lists_core_geojson_oas30_and_crs():
    classes = ogc.conformance()["conformsTo"]
    assert {c.rsplit("/", 1)[1] for c in classes} == {"core", "geojson", "oas30", "crs"}


def test_collections_have_storage_crs_and_the_ledger_no_geometry(demo):
    doc = ogc.collections(BASE, ogc.frames(demo))
    by_id = {c["id"]: c for c in doc["collections"]}
    assert set(by_id) == {"pool_areas", "interventions", "boundaries", "allocations"}
    assert by_id["pool_areas"]["storageCrs"] == ogc.EPSG_25833
    assert ogc.EPSG_4326 in by_id["pool_areas"]["crs"] and ogc.CRS84 in by_id["pool_areas"]["crs"]
    minx, miny, maxx, maxy = by_id["pool_areas"]["extent"]["spatial"]["bbox"][0]
    assert 12 < minx < maxx < 13.2 and 51.2 < miny < maxy < 51.5  # Leipzig and Wurzener Land, lon/lat
    assert "storageCrs" not in by_id["allocations"] and "extent" not in by_id["allocations"]


def test_items_page_with_next_link_and_counts(demo):
    info = ogc.COLLECTIONS["pool_areas"]
    params = {"limit": "50", "status": "verfügbar"}
    doc = ogc.items(BASE, info, demo.pool_areas, ogc.parse_query(info, params), params)
    available = int((demo.pool_areas["status"] == "verfügbar").sum())
    assert doc["numberMatched"] == available and doc["numberReturned"] == min(50, available)
    assert all(f["properties"]["status"] == "verfügbar" for f in doc["features"])
    assert [f["id"] for f in doc["features"]] == [f["properties"]["pool_id"] for f in doc["features"]]
    nxt = {link["rel"]: link["href"] for link in doc["links"]}.get("next")
    assert (nxt is not None) == (available > 50)
    if nxt:
        assert "offset=50" in nxt and "status=verf%C3%BCgbar" in nxt
    json.dumps(doc)  # serialisable as it is (dates as text, numbers as Python numbers)


def test_filters_accept_ags_or_slug(demo):
    info = ogc.COLLECTIONS["interventions"]
    by_slug = ogc.select(demo.interventions, ogc.parse_query(info, {"ags": "wurzen"}))
    by_ags = ogc.select(demo.interventions, ogc.parse_query(info, {"ags": "14729410"}))
    assert len(by_slug) == len(by_ags) == int((demo.interventions["ags"] == "14729410").sum()) > 0


def test_crs_and_bbox_crs_axis_order(demo):
    info = ogc.COLLECTIONS["pool_areas"]
    one = demo.pool_areas.iloc[:1]
    x, y = one.geometry.to_crs("EPSG:4326").iloc[0].representative_point().coords[0]
    lonlat = ogc.features(one, info, ogc.CRS84)[0]["geometry"]["coordinates"]
    latlon = ogc.features(one, info, ogc.EPSG_4326)[0]["geometry"]["coordinates"]
    first = lonlat[0][0] if one.geometry.iloc[0].geom_type == "Polygon" else lonlat[0][0][0]
    first_swapped = latlon[0][0] if one.geometry.iloc[0].geom_type == "Polygon" else latlon[0][0][0]
    assert list(first) == list(first_swapped)[::-1] and 12 < first[0] < 13.2
    near = ogc.parse_query(info, {"bbox": f"{y - 1e-4},{x - 1e-4},{y + 1e-4},{x + 1e-4}",
                                  "bbox-crs": ogc.EPSG_4326})
    assert one["pool_id"].iloc[0] in set(ogc.select(demo.pool_areas, near)["pool_id"])


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "x"}, {"bbox": "1,2,3"}, {"crs": "EPSG:3857"}])
def test_bad_parameters_are_400(params):
    with pytest.raises(ogc.OgcError) as caught:
        ogc.parse_query(ogc.COLLECTIONS["pool_areas"], params)
    assert caught.value.status == 400


def test_limit_is_capped_and_unknown_features_are_404(demo):
    info = ogc.COLLECTIONS["pool_areas"]
    assert ogc.parse_query(info, {"limit": "999999"}).limit == ogc.LIMIT_MAX
    with pytest.raises(ogc.OgcError) as caught:
        ogc.feature(BASE, info, demo.pool_areas, "gibt-es-nicht", ogc.CRS84)
    assert caught.value.status == 404


# --- a real server and GDAL's client -------------------------------------------------------
@pytest.fixture(scope="module")
def public_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = copy_demo_data(tmp_path_factory.mktemp("ogc") / "data")
    env = {"FLAECHENPOOL_DATA": str(data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_PUBLIC_READ": "1"}
    with running_app(env, tmp_path_factory.mktemp("log")) as url:
        yield f"{url}/ogc"


@pytest.fixture(scope="module")
def private_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = copy_demo_data(tmp_path_factory.mktemp("ogc-private") / "data")
    env = {"FLAECHENPOOL_DATA": str(data), "FLAECHENPOOL_OFFLINE": "1", "FLAECHENPOOL_PUBLIC_READ": "0"}
    with running_app(env, tmp_path_factory.mktemp("log")) as url:
        yield f"{url}/ogc"


def _gdal_read(url: str, capfd: pytest.CaptureFixture[str], **kwargs: Any) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read through GDAL's OAPIF driver; returns the frame and the URLs GDAL fetched (from its debug log)."""
    capfd.readouterr()
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON"})
    try:
        frame = pyogrio.read_dataframe(f"OAPIF:{url}", **kwargs)
    finally:
        pyogrio.set_gdal_config_options({"CPL_DEBUG": None})
    fetched = re.findall(r"HTTP: Fetch\((\S+?)\)", capfd.readouterr().err)
    return frame, fetched


def _text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Values as comparable text: dates as ISO dates, numbers as floats, missing as ''."""
    out = pd.DataFrame(index=range(len(frame)))
    for col in columns:
        values = frame[col].reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_numeric_dtype(values):
            out[col] = values.astype(float).map(lambda v: "" if pd.isna(v) else repr(round(v, 6)))
        else:
            out[col] = values.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return out


def _expected_pool(demo: schema.PoolData) -> gpd.GeoDataFrame:
    return privacy.redact_owners(demo.pool_areas, None).sort_values("pool_id").reset_index(drop=True)


def test_gdal_reads_every_pool_area_in_25833_with_the_stores_attributes(public_url, demo, capfd, record_property):
    started = time.perf_counter()
    got, fetched = _gdal_read(public_url, capfd, layer="pool_areas")
    seconds = time.perf_counter() - started
    record_property("gdal_requests", len(fetched))
    record_property("gdal_seconds", round(seconds, 2))
    print(f"GDAL OAPIF read of {len(got)} pool areas: {len(fetched)} requests, {seconds:.2f} s: {fetched}")
    assert got.crs.to_epsg() == 25833
    expected = _expected_pool(demo)
    got = got.sort_values("pool_id").reset_index(drop=True)
    columns = schema.field_names(schema.POOL_AREAS)
    assert set(columns) <= set(got.columns)
    pd.testing.assert_frame_equal(_text(got, columns), _text(expected, columns))
    assert got.geometry.geom_equals_exact(expected.geometry, tolerance=1e-6).all()


def test_gdal_bbox_read_equals_the_store_filtered_by_the_box(public_url, demo, capfd):
    minx, miny, maxx, maxy = demo.pool_areas.total_bounds
    area = (minx, miny, minx + (maxx - minx) / 3, miny + (maxy - miny) / 2)
    got, fetched = _gdal_read(public_url, capfd, layer="pool_areas", bbox=area)
    assert any("bbox=" in url for url in fetched)  # filtered by the server, not only by GDAL
    expected = demo.pool_areas[demo.pool_areas.intersects(box(*area))]
    assert 0 < len(expected) < len(demo.pool_areas)
    assert sorted(got["pool_id"]) == sorted(expected["pool_id"])


def test_paging_with_a_small_limit_returns_every_feature_once(public_url, demo, capfd):
    got, fetched = _gdal_read(public_url, capfd, layer="interventions", PAGE_SIZE=37)
    pages = [u for u in fetched if "/items?" in u and "limit=37" in u]
    assert len(pages) >= -(-len(demo.interventions) // 37) and any("offset=74" in u for u in pages)
    assert sorted(got["intervention_id"]) == sorted(demo.interventions["intervention_id"])
    assert got["intervention_id"].is_unique


def test_gdal_reads_the_ledger_and_boundaries(public_url, demo, capfd):
    ledger, _ = _gdal_read(public_url, capfd, layer="allocations", read_geometry=False)
    assert sorted(ledger["allocation_id"]) == sorted(demo.allocations["allocation_id"])
    boundaries, _ = _gdal_read(public_url, capfd, layer="boundaries")
    assert sorted(boundaries["ags"]) == sorted(schema.AGS_NAMES)


def _get(url: str, auth: tuple[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, json.loads(exc.read())


def _owners(url: str, auth: tuple[str, str] | None = None) -> dict[str, str]:
    status, headers, doc = _get(f"{url}/collections/pool_areas/items?limit=10000&crs=EPSG:25833", auth)
    assert status == 200 and headers["content-crs"] == f"<{ogc.EPSG_25833}>"
    return {f["id"]: f["properties"]["owner"] for f in doc["features"]}


def test_anonymous_clients_get_no_private_owner(public_url, demo):
    owners = _owners(public_url)
    hidden = demo.pool_areas[privacy.personal(demo.pool_areas)]
    assert len(hidden) > 0
    assert all(owners[pid] == privacy.PRIVATE_OWNER for pid in hidden["pool_id"])
    assert not set(hidden["owner"]) & set(owners.values())


def test_basic_users_see_exactly_the_owners_they_may(public_url, demo):
    hidden = demo.pool_areas[privacy.personal(demo.pool_areas)].set_index("pool_id")
    admin = _owners(public_url, ("admin", DEMO_PASSWORD))
    assert all(admin[pid] == row["owner"] for pid, row in hidden.iterrows())
    wurzen = _owners(public_url, ("wurzen.gis", DEMO_PASSWORD))
    for pid, row in hidden.iterrows():
        assert wurzen[pid] == (row["owner"] if row["ags"] == "14729410" else privacy.PRIVATE_OWNER)
    reader = _owners(public_url, ("leser", DEMO_PASSWORD))
    assert all(reader[pid] == privacy.PRIVATE_OWNER for pid in hidden.index)


def test_without_public_read_basic_is_required(private_url, demo):
    status, headers, _ = _get(f"{private_url}/collections/pool_areas/items")
    assert status == 401 and headers["www-authenticate"].startswith("Basic")
    status, _, _ = _get(f"{private_url}/collections", ("admin", "falsches-passwort"))
    assert status == 401
    status, _, doc = _get(f"{private_url}/collections/pool_areas/items/{demo.pool_areas['pool_id'].iloc[0]}",
                          ("leser", DEMO_PASSWORD))
    assert status == 200 and doc["id"] == demo.pool_areas["pool_id"].iloc[0]


def test_gdal_reads_with_basic_credentials(private_url, demo, capfd):
    pyogrio.set_gdal_config_options({"GDAL_HTTP_USERPWD": f"leser:{DEMO_PASSWORD}"})
    try:
        got, _ = _gdal_read(private_url, capfd, layer="interventions")
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_USERPWD": None})
    assert len(got) == len(demo.interventions)


def test_demo_data_is_at_hand():
    assert Path(DATA, "pool.gpkg").exists()
