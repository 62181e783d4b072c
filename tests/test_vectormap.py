"""What the WebGL map gets besides its tiles (geo/map/vectormap.py): view, legend, base maps, selection."""

from __future__ import annotations

import json

import pytest

from geo import schema
from geo.accounting import summary
from geo.map import mapfilter, vectormap, webmap
from geo.map.mapfilter import MapFilter, Selection
from geo.store.gpkg import GeoPackageStore


@pytest.fixture
def view(demo_store: GeoPackageStore) -> summary.PoolView:
    return summary.pool_view(demo_store.read_all())


def data_for(view: summary.PoolView, flt: MapFilter, chosen: Selection | None = None, *,
             offline: bool = True) -> dict:
    shown = mapfilter.apply(view, flt)
    return vectormap.component_data(shown, chosen, mapfilter.encode(flt), tile_url="/kacheln/t/{z}/{x}/{y}.pbf",
                                    assets="/app/static/vendor/maplibre", offline=offline, height=640)


def inside(bounds: list[list[float]], outer: list[list[float]]) -> bool:
    (w, s), (e, n) = bounds
    (ow, os_), (oe, on) = outer
    return ow <= w <= e <= oe and os_ <= s <= n <= on


def test_offline_the_map_names_no_outside_address(view):
    data = data_for(view, MapFilter(), offline=True)
    assert data["basemaps"] == []
    text = json.dumps(data)
    assert "http://" not in text and "https://" not in text
    assert data["attribution"] == schema.BOUNDARY_ATTRIBUTION


def test_online_the_base_maps_of_the_folium_map_are_offered_as_raster_sources(view):
    bases = data_for(view, MapFilter(), offline=False)["basemaps"]
    assert [b["name"] for b in bases] == [b.name for b in webmap.BASE_MAPS]
    assert [b["visible"] for b in bases] == [True, False, False, False]  # basemap.de first
    alkis = bases[-1]
    assert alkis["overlay"] and alkis["minzoom"] == 14
    assert "layers=adv_alkis_flurstuecke" in alkis["url"] and alkis["url"].endswith("&bbox={bbox-epsg-3857}")
    assert all("<" not in b["attribution"] for b in bases)  # text, not HTML
    assert "© GeoSN" in bases[2]["attribution"]


def test_the_view_fits_the_selection_then_a_search_then_the_municipalities(view):
    everything = data_for(view, MapFilter())["fit"]
    picked = data_for(view, MapFilter(), Selection(schema.POOL_AREAS, "MAC-2023-006"))["fit"]
    assert picked["max_zoom"] == vectormap.SELECTION_MAX_ZOOM and picked["key"] == "pool_areas:MAC-2023-006"
    assert inside(picked["bounds"], everything["bounds"]) and picked["bounds"] != everything["bounds"]
    searched = data_for(view, MapFilter(text="MAC-2023-006"))["fit"]
    assert searched["bounds"] == picked["bounds"] and searched["key"] != picked["key"]
    wurzen = data_for(view, MapFilter(municipalities=("14729410",)))["fit"]
    assert inside(wurzen["bounds"], everything["bounds"]) and wurzen["key"] != everything["key"]
    # A selection the filter hides is not zoomed to.
    hidden = data_for(view, MapFilter(municipalities=("14729410",)), Selection(schema.POOL_AREAS, "MAC-2023-006"))
    assert hidden["fit"] == wurzen and hidden["selected"] == {"layer": "pool_areas", "id": "MAC-2023-006"}


def test_the_legend_tells_pool_areas_and_interventions_apart_by_shape():
    groups = {g["title"]: g["entries"] for g in vectormap.legend()}
    assert [e["label"] for e in groups["Poolflächen"]] == [schema.POOL_STATUS_LABELS[s] for s in schema.POOL_STATUS]
    assert {e["shape"] for e in groups["Poolflächen"]} == {"fill"}
    assert {e["shape"] for e in groups["Eingriffe"]} == {"hatch"}
    assert {"disc", "ring", "dash", "line"} <= {e["shape"] for e in groups["Weitere"]}


def test_labels_name_every_shown_municipality(view):
    labels = data_for(view, MapFilter(municipalities=("14729410", "14729250")))["labels"]
    assert sorted(name for *_, name in labels) == ["Machern", "Wurzen"]
    assert all(12 < lng < 13.2 and 51 < lat < 51.7 for lng, lat, _ in labels)
