"""The small map of one intervention, its booked areas and its candidates.

Built from the main map's pieces (:mod:`geo.map.webmap`: local Leaflet, safe tooltips,
legend, offline switch); this module only chooses what to show, where the map opens
and puts the candidates' ranks on it.
"""

from __future__ import annotations

import dataclasses

import folium
import geopandas as gpd
from branca.element import Figure, MacroElement
from jinja2 import Template

from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.map import webmap

RANK_CSS = (".fp-rank { background: #fff; border: 2px solid #2b3a8f; border-radius: 10px; color: #2b3a8f; "
            "font: 700 12px/16px sans-serif; text-align: center; width: 16px; height: 16px; }")
MARKER_PX = 26
"""Diameter a rank marker keeps free around itself (its 20 px circle and a gap)."""


class RankMarkers(MacroElement):
    """The candidates' ranks as numbered circles that never overlap or hide a municipality's name.

    In the browser, once the map has its size (and again when it changes, until the user moves the
    map), it fits the view to *bounds* with a margin, then places the markers in rank order, each on
    its area or, if taken, at the nearest spot around it that overlaps no placed marker, no
    municipality's name and (until the user moves the map) stays in view; a moved marker gets a
    thin line to its area. The legend starts folded, so it covers no candidate.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
    var map = {{ this._parent.get_name() }};
    var spots = {{ this.spots|tojson }}, size = {{ this.size }};
    var bounds = L.latLngBounds({{ this.bounds|tojson }});
    var group = L.layerGroup().addTo(map), touched = false;
    var legend = map.getContainer().querySelector('.fp-legend details');
    if (legend) { legend.open = false; }
    function fit() { map.fitBounds(bounds, {padding: [size * 1.5, size * 1.5], maxZoom: 15, animate: false}); }
    function boxes() {  // where the municipalities' names are drawn: the measured text around its anchor
        var out = [], range = document.createRange();
        map.eachLayer(function (layer) {
            var icon = layer instanceof L.Marker && layer.getElement();
            if (!icon || icon.className.indexOf('fp-label') < 0) { return; }
            range.selectNodeContents(icon);
            var text = range.getBoundingClientRect(), anchor = icon.getBoundingClientRect();
            var p = map.latLngToContainerPoint(layer.getLatLng());
            out.push([p.x + text.left - anchor.left - 2, p.y + text.top - anchor.top - 2,
                      p.x + text.right - anchor.left + 2, p.y + text.bottom - anchor.top + 2]);
        });
        return out;
    }
    function place() {  // in rank order, each marker at the nearest free spot around its area
        var view = map.getSize(), obstacles = boxes(), r = size / 2, placed = [];
        function free(c) {
            if (!touched && (c.x < r + 2 || c.y < r + 2 || c.x > view.x - r - 2 || c.y > view.y - r - 2)) {
                return false;
            }
            return placed.every(function (p) { return p.distanceTo(c) >= size; }) && obstacles.every(function (b) {
                return c.x + r <= b[0] || c.x - r >= b[2] || c.y + r <= b[1] || c.y - r >= b[3];
            });
        }
        var home = spots.map(function (s) { return map.latLngToContainerPoint([s[0], s[1]]); });
        var pos = home.map(function (h) {
            for (var ring = 0; ring < 16; ring++) {
                var steps = ring ? 8 + 4 * ring : 1;
                for (var k = 0; k < steps; k++) {
                    var angle = -Math.PI / 2 + 2 * Math.PI * k / steps, d = ring * size * 0.5;
                    var c = L.point(h.x + d * Math.cos(angle), h.y + d * Math.sin(angle));
                    if (free(c)) { placed.push(c); return c; }
                }
            }
            placed.push(h);
            return h;
        });
        group.clearLayers();
        spots.forEach(function (spot, k) {
            var at = map.containerPointToLatLng(pos[k]);
            if (pos[k].distanceTo(home[k]) > 3) {
                L.polyline([[spot[0], spot[1]], at], {color: '#2b3a8f', weight: 1, interactive: false}).addTo(group);
            }
            var circle = document.createElement('div');
            circle.className = 'fp-rank';
            circle.textContent = String(spot[2]);
            L.marker(at, {interactive: false, keyboard: false, icon: L.divIcon({className: 'fp-rank-spot',
                html: circle, iconSize: [20, 20], iconAnchor: [10, 10]})}).addTo(group);
        });
    }
    function refresh() { if (!touched) { fit(); } place(); }
    map.on('resize', refresh);
    map.on('zoomend', place);
    ['pointerdown', 'wheel', 'keydown'].forEach(function (kind) {
        map.getContainer().addEventListener(kind, function () { touched = true; });
    });
    // The frame gets its final size only after this script ran (st_folium sizes it afterwards).
    [0, 300, 1000].forEach(function (ms) { setTimeout(refresh, ms); });
}());
{% endmacro %}
""")

    def __init__(self, spots: list[tuple[float, float, int]],
                 bounds: tuple[tuple[float, float], tuple[float, float]]) -> None:
        super().__init__()
        self._name = "RankMarkers"
        self.spots = [list(s) for s in spots]
        self.bounds = [list(corner) for corner in bounds]
        self.size = MARKER_PX


def map_view(view: PoolView, intervention_id: str, candidates: gpd.GeoDataFrame) -> PoolView:
    """The part of *view* the small map shows.

    The intervention, the pool areas it has active bookings on, the *candidates*, the
    boundaries of every municipality involved and the intervention's active ledger entries
    (drawn as booking lines).
    """
    entries = ledger.active_entries(view.allocations)
    entries = entries[entries["intervention_id"] == intervention_id]
    itv = view.interventions[view.interventions["intervention_id"] == intervention_id]
    pool = view.pool_areas[view.pool_areas["pool_id"].isin(set(entries["pool_id"]) | set(candidates["pool_id"]))]
    involved = set(itv["ags"]) | set(pool["ags"])
    return PoolView(boundaries=view.boundaries[view.boundaries["ags"].isin(involved)], pool_areas=pool,
                    interventions=itv, allocations=entries, history=view.history.iloc[:0])


def rank_spots(candidates: gpd.GeoDataFrame) -> list[tuple[float, float, int]]:
    """``(lat, lon, rank)`` of each candidate: a point inside the area, in WGS 84."""
    spots = webmap.web_geometries(candidates.geometry.representative_point(), 0.0)
    return [(round(y, webmap.COORD_DECIMALS), round(x, webmap.COORD_DECIMALS), int(rank))
            for rank, (x, y) in zip(candidates["rank"], map(webmap.point_xy, spots), strict=True)]


def build(view: PoolView, intervention_id: str, candidates: gpd.GeoDataFrame, *, offline: bool) -> folium.Map:
    """A map showing the intervention and all its candidates, each candidate marked with its rank."""
    shown = map_view(view, intervention_id, candidates)
    layers = webmap.prepare_layers(shown)
    layers = dataclasses.replace(layers, bounds=webmap.frame_bounds(shown.interventions, shown.pool_areas))
    m = webmap.build_map(layers, offline=offline)
    root = m.get_root()
    assert isinstance(root, Figure), "a Folium map's root is its Figure"
    root.header.add_child(folium.Element(f"<style>{RANK_CSS}</style>"))
    RankMarkers(rank_spots(candidates), layers.bounds).add_to(m)
    return m
