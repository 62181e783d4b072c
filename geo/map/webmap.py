"""The web map of the pool, built with Folium and no Streamlit.

Two steps, so the expensive one can be cached per (data version, filter):

1. :func:`prepare_layers` turns a (filtered) :class:`~geo.accounting.summary.PoolView` into
   :class:`MapLayers`: trimmed GeoJSON text (simplified in EPSG:25833, reprojected to
   EPSG:4326, coordinates rounded to :data:`COORD_DECIMALS`, only the properties the
   tooltips and the click handler need), ready to embed in a ``<script>``.
2. :func:`build_map` puts them on a :class:`LocalMap` (Leaflet served by the app, no
   CDN) with legend, layer control and, unless offline, the external base maps.

Attribute text is data: tooltips and labels are built with ``textContent`` in the
browser, the legend is escaped here, and the JSON is escaped for ``<script>``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from geo import fmt, schema
from geo.accounting import ledger
from geo.accounting.summary import PoolView
from geo.map.mapfilter import Selection
from geo.monitoring.status import FLAG_COLUMN, FLAG_MARK

LEAFLET_URL = "/app/static/vendor/leaflet"
"""Where the app serves Leaflet's own files (see ``ui/assets.py``)."""
COORD_DECIMALS = 5
"""1e-5° is about 1 m at 51° N: finer than a screen pixel up to zoom 17."""
SIMPLIFY_M: dict[str, float] = {schema.BOUNDARY: 5.0, schema.POOL_AREAS: 1.0, schema.INTERVENTIONS: 1.0}
"""Douglas-Peucker tolerance per layer in metres (EPSG:25833)."""

LAYER_NAMES: dict[str, str] = {
    schema.BOUNDARY: "Gemeindegrenzen",
    schema.POOL_AREAS: "Poolflächen (nach Status)",
    schema.INTERVENTIONS: "Eingriffe (nach Art)",
    "links": "Buchungen (Eingriff → Fläche)",
    "selection": "Auswahl",
    "flags": "Monitoring-Hinweise (⚠)",
}
POOL_TOOLTIP: tuple[tuple[str, str], ...] = (
    ("id", schema.label("pool_id", schema.POOL_AREAS)), ("name", schema.label("name", schema.POOL_AREAS)),
    ("status", schema.label("status", schema.POOL_AREAS)),
    ("measure", schema.label("measure_type", schema.POOL_AREAS)), ("free", "Frei"),
)
INTERVENTION_TOOLTIP: tuple[tuple[str, str], ...] = (
    ("id", schema.label("intervention_id", schema.INTERVENTIONS)),
    ("name", schema.label("name", schema.INTERVENTIONS)), ("kind", schema.label("kind", schema.INTERVENTIONS)),
    ("status", schema.label("status", schema.INTERVENTIONS)), ("open", schema.label("open_points")),
)
POOL_STYLE = {"color": "#37474f", "weight": 1, "opacity": 0.9, "fillOpacity": 0.8}
INTERVENTION_STYLE = {"weight": 2.5, "opacity": 1.0, "fillOpacity": 0.9}
LINK_STYLE = {"color": "#37474f", "weight": 1.2, "opacity": 0.6, "dashArray": "3 4"}
SELECTION_STYLE = {"color": "#00bcd4", "weight": 5, "opacity": 1.0, "fill": False}
MIN_FEATURE_PX = 10
"""A pool area or intervention smaller than this on screen also gets a dot (:data:`SPOT_RADIUS_PX`),
so it stays visible and clickable when the map is zoomed out."""
SPOT_RADIUS_PX = 6
BACKGROUND = "#e9ece5"
"""Map background where no base map is shown (offline); municipalities are lighter."""


def boundary_style(*, offline: bool) -> dict:
    return {"color": "#5d6d7e", "weight": 1.5, "opacity": 0.9, "fillColor": "#ffffff",
            "fillOpacity": 0.65 if offline else 0.05}


def hatch_id(kind: str) -> str:
    return f"fp-hatch-{schema.INTERVENTION_KINDS.index(kind)}"


# --- GeoJSON --------------------------------------------------------------------------

def point_xy(point: BaseGeometry) -> tuple[float, float]:
    """(x, y) of a point (a GeoSeries of points yields them typed as any geometry)."""
    if not isinstance(point, shapely.Point):
        raise TypeError(f"expected a point, got {point.geom_type}")
    return point.x, point.y


def web_geometries(geometries: gpd.GeoSeries, tolerance_m: float) -> gpd.GeoSeries:
    """Geometries as the browser needs them: simplified in metres, EPSG:4326, rounded."""
    metric = geometries.to_crs(schema.CRS) if geometries.crs != schema.CRS else geometries
    simple = metric.simplify(tolerance_m, preserve_topology=True).to_crs(schema.WEB_CRS)
    rounded = shapely.transform(simple.values, lambda xy: np.round(xy, COORD_DECIMALS))
    return gpd.GeoSeries(rounded, index=geometries.index, crs=schema.WEB_CRS)


def script_json(value: object) -> str:
    """JSON that can sit inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _script_safe(text)


def _script_safe(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def feature_collection(geometries: gpd.GeoSeries, properties: pd.DataFrame) -> str:
    """A GeoJSON FeatureCollection as script-safe text; *properties* align with *geometries*."""
    geoms = shapely.to_geojson(geometries.values)
    props = [json.dumps(row, ensure_ascii=False, separators=(",", ":"))
             for row in properties.to_dict(orient="records")]
    features = ",".join(f'{{"type":"Feature","properties":{p},"geometry":{g}}}' for p, g in zip(props, geoms,
                                                                                               strict=True))
    return _script_safe(f'{{"type":"FeatureCollection","features":[{features}]}}')


FEATURE_PROPERTIES: dict[str, dict[str, str]] = {
    schema.POOL_AREAS: {"id": "pool_id", "name": "name", "status": "status", "measure": "measure_type"},
    schema.INTERVENTIONS: {"id": "intervention_id", "name": "name", "kind": "kind", "status": "status"},
}
"""GeoJSON property → column, per clickable layer; plus the points in :data:`POINT_PROPERTY`."""
POINT_PROPERTY: dict[str, tuple[str, str]] = {schema.POOL_AREAS: ("free", "free_points"),
                                              schema.INTERVENTIONS: ("open", "open_points")}


def feature_properties(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """What a feature's tooltip and click need: id, layer, name, state and points (German format)."""
    out = pd.DataFrame({prop: fmt.texts(frame[col]) for prop, col in FEATURE_PROPERTIES[layer].items()},
                       index=frame.index)
    out.insert(1, "layer", layer)
    prop, col = POINT_PROPERTY[layer]
    out[prop] = [fmt.points(v) for v in frame[col]]
    return out


def link_lines(view: PoolView) -> gpd.GeoSeries:
    """One line per (intervention, pool area) pair with active bookings, in EPSG:25833."""
    active = ledger.active_entries(view.allocations)
    pairs = active[["intervention_id", "pool_id"]].drop_duplicates()
    itv = view.interventions.set_index("intervention_id").geometry.representative_point()
    pool = view.pool_areas.set_index("pool_id").geometry.representative_point()
    pairs = pairs[pairs["intervention_id"].isin(itv.index) & pairs["pool_id"].isin(pool.index)]
    if not len(pairs):
        return gpd.GeoSeries([], crs=schema.CRS)
    lines = shapely.linestrings([[a, b] for a, b in zip(
        shapely.get_coordinates(np.asarray(itv.loc[pairs["intervention_id"]])),
        shapely.get_coordinates(np.asarray(pool.loc[pairs["pool_id"]])), strict=True)])
    return gpd.GeoSeries(lines, crs=schema.CRS)


@dataclass(frozen=True)
class MapLayers:
    """Everything the browser gets, as script-safe JSON text (see :func:`prepare_layers`)."""

    boundaries: str
    labels: str
    """``[[lat, lng, name], …]`` for the municipality names."""
    pool_areas: str
    interventions: str
    links: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    """``((south, west), (north, east))`` of the shown municipalities."""
    pool_count: int
    intervention_count: int
    flags: str = "[]"
    """``[[lat, lng, text], …]``: a ⚠ marker on every area with defects or without implementation and on
    every intervention booked on one (:data:`geo.monitoring.status.FLAG_COLUMN`)."""

    @property
    def payload_bytes(self) -> int:
        return sum(len(s.encode()) for s in (self.boundaries, self.labels, self.pool_areas, self.interventions,
                                              self.links, self.flags))


def frame_bounds(*frames: gpd.GeoDataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((south, west), (north, east))`` of EPSG:25833 *frames* (the partnership when all are empty)."""
    parts = [f.geometry for f in frames if len(f)]
    if not parts:
        return (51.2, 12.2), (51.5, 12.9)
    west, south, east, north = gpd.GeoSeries(pd.concat(parts), crs=schema.CRS).to_crs(schema.WEB_CRS).total_bounds
    return (round(float(south), COORD_DECIMALS), round(float(west), COORD_DECIMALS)), (
        round(float(north), COORD_DECIMALS), round(float(east), COORD_DECIMALS))


def flag_markers(view: PoolView) -> str:
    """:attr:`MapLayers.flags` of *view* (areas and interventions with a monitoring flag)."""
    markers = []
    for frame, layer, verb in ((view.pool_areas, schema.POOL_AREAS, "Monitoring"),
                               (view.interventions, schema.INTERVENTIONS, "gebucht auf")):
        if FLAG_COLUMN not in frame.columns:
            continue
        flagged = frame[frame[FLAG_COLUMN].fillna("") != ""]
        points = web_geometries(flagged.geometry.representative_point(), 0.0)
        markers += [[round(y, COORD_DECIMALS), round(x, COORD_DECIMALS), f"{FLAG_MARK} {key} – {verb}: {flag}"]
                    for (x, y), key, flag in zip(map(point_xy, points), flagged[schema.ID_FIELD[layer]],
                                                 flagged[FLAG_COLUMN], strict=True)]
    return script_json(markers)


def prepare_layers(view: PoolView) -> MapLayers:
    """Trimmed, escaped GeoJSON of a (filtered) view: the expensive, cacheable step."""
    bnd = view.boundaries
    label_points = web_geometries(bnd.geometry.representative_point(), 0.0)
    labels = [[round(y, COORD_DECIMALS), round(x, COORD_DECIMALS), str(name)]
              for (x, y), name in zip(map(point_xy, label_points), bnd["name"], strict=True)]
    links = link_lines(view)
    return MapLayers(
        boundaries=feature_collection(web_geometries(bnd.geometry, SIMPLIFY_M[schema.BOUNDARY]),
                                      pd.DataFrame({"name": fmt.texts(bnd["name"])}, index=bnd.index)),
        labels=script_json(labels),
        pool_areas=feature_collection(web_geometries(view.pool_areas.geometry, SIMPLIFY_M[schema.POOL_AREAS]),
                                      feature_properties(view.pool_areas, schema.POOL_AREAS)),
        interventions=feature_collection(
            web_geometries(view.interventions.geometry, SIMPLIFY_M[schema.INTERVENTIONS]),
            feature_properties(view.interventions, schema.INTERVENTIONS)),
        links=feature_collection(web_geometries(links, 0.0), pd.DataFrame(index=links.index)),
        bounds=frame_bounds(bnd, view.pool_areas, view.interventions),
        pool_count=len(view.pool_areas), intervention_count=len(view.interventions), flags=flag_markers(view),
    )


# --- Folium elements ------------------------------------------------------------------

class LocalMap(folium.Map):
    """A Folium map that loads only Leaflet, from the app itself (no jQuery, Bootstrap, CDNs)."""

    # Class-level defaults as in folium, which declares them as instance attributes (hence no ClassVar).
    default_js = [("leaflet", f"{LEAFLET_URL}/leaflet.js")]  # noqa: RUF012
    default_css = [("leaflet_css", f"{LEAFLET_URL}/leaflet.css")]  # noqa: RUF012


_SUPPORT_JS = """
window.fpStyle = function (key, styles, base) {
    return function (feature) {
        var style = Object.assign({}, base, key ? (styles[feature.properties[key]] || {}) : {});
        if (feature.fpSpot && String(style.fillColor).indexOf('url(') === 0) { style.fillColor = style.color; }
        return style;
    };
};
// A dot on every feature of *group* that is smaller than *minPx* at the current zoom. The
// dot carries the feature's properties, so a click on it selects the feature (st_folium).
window.fpSpots = function (group, minPx, radius, tooltip) {
    var spots = [];
    group.eachLayer(function (shape) {
        var spot = L.circleMarker(shape.getBounds().getCenter(), {radius: radius, className: 'fp-spot'});
        spot.feature = {type: 'Feature', properties: shape.feature.properties, geometry: null, fpSpot: true};
        spot.defaultOptions = spot.options;
        if (tooltip.length) {
            spot.bindTooltip(window.fpTooltip(tooltip), {sticky: true, className: 'fp-tooltip'});
        }
        spots.push([spot, shape.getBounds()]);
    });
    function update() {
        var map = group._map;
        if (!map) { return; }
        spots.forEach(function (item) {
            var sw = map.latLngToLayerPoint(item[1].getSouthWest());
            var ne = map.latLngToLayerPoint(item[1].getNorthEast());
            var small = Math.max(Math.abs(ne.x - sw.x), Math.abs(sw.y - ne.y)) < minPx;
            if (small && !group.hasLayer(item[0])) { group.addLayer(item[0]); group.resetStyle(item[0]); }
            if (!small && group.hasLayer(item[0])) { group.removeLayer(item[0]); }
        });
    }
    group.on('add', function () { group._map.on('zoomend', update); update(); });
    group.on('remove', function (e) { e.target._map && e.target._map.off('zoomend', update); });
};
window.fpTooltip = function (fields) {
    return function (layer) {
        var table = document.createElement('table');
        fields.forEach(function (field) {
            var value = layer.feature.properties[field[0]];
            if (value === null || value === undefined || value === '') { return; }
            var row = table.insertRow();
            var th = document.createElement('th');
            th.textContent = field[1];
            row.appendChild(th);
            row.insertCell().textContent = String(value);
        });
        return table;
    };
};
window.fpHatches = function (map, hatches) {
    var svg = map.getPanes().overlayPane.querySelector('svg');
    if (!svg || svg.querySelector('defs.fp-hatches')) { return; }
    var ns = 'http://www.w3.org/2000/svg';
    var defs = document.createElementNS(ns, 'defs');
    defs.setAttribute('class', 'fp-hatches');
    hatches.forEach(function (hatch) {
        var pattern = document.createElementNS(ns, 'pattern');
        pattern.setAttribute('id', hatch[0]);
        pattern.setAttribute('patternUnits', 'userSpaceOnUse');
        pattern.setAttribute('width', '7');
        pattern.setAttribute('height', '7');
        pattern.setAttribute('patternTransform', 'rotate(45)');
        var line = document.createElementNS(ns, 'line');
        line.setAttribute('x1', '0'); line.setAttribute('y1', '0');
        line.setAttribute('x2', '0'); line.setAttribute('y2', '7');
        line.setAttribute('stroke', hatch[1]);
        line.setAttribute('stroke-width', '2.5');
        pattern.appendChild(line);
        defs.appendChild(pattern);
    });
    svg.insertBefore(defs, svg.firstChild);
};
"""

_SUPPORT_CSS = """
.leaflet-container { background: BACKGROUND; font-family: "Source Sans Pro", "DejaVu Sans", sans-serif; }
.fp-label { width: 0; height: 0; }
.fp-label span { display: block; transform: translate(-50%, -50%); white-space: nowrap; color: #34495e;
    font-weight: 600; font-size: 13px; text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.fp-tooltip th { text-align: left; padding-right: 8px; color: #555; font-weight: 600; }
.fp-legend { background: rgba(255, 255, 255, 0.93); padding: 6px 9px; border-radius: 4px;
    box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font-size: 11px; line-height: 16px; color: #222; }
.fp-legend summary { font-weight: 700; cursor: pointer; }
.fp-legend .fp-cols { display: flex; gap: 14px; margin-top: 3px; }
.fp-legend .fp-head { font-weight: 700; margin-bottom: 1px; }
.fp-legend .fp-wide { margin-top: 4px; }
.fp-legend i { display: inline-block; width: 15px; height: 11px; margin-right: 5px; vertical-align: -1px;
    box-sizing: border-box; }
.fp-flag span { display: block; width: 20px; height: 20px; line-height: 18px; text-align: center; font-size: 13px;
    font-weight: 700; color: #000; background: #ffd400; border: 2px solid #000; border-radius: 50%;
    transform: translate(4px, -24px); box-sizing: border-box; }
.leaflet-container .leaflet-control-attribution { font-size: 10px; line-height: 13px; max-width: 75%; }
"""


class MapSupport(MacroElement):
    """Shared browser helpers (safe tooltips, styling, hatch patterns) and CSS; add first."""

    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapSupport"
        self.css = _SUPPORT_CSS.replace("BACKGROUND", BACKGROUND)
        self.js = _SUPPORT_JS


class GeoJsonLayer(folium.map.Layer):
    """A GeoJSON layer from prepared text, styled in the browser by one property.

    Unlike ``folium.GeoJson`` it does not re-serialise or style feature by feature in
    Python, and its tooltip writes values with ``textContent`` (never as HTML). With
    *spots*, features smaller than :data:`MIN_FEATURE_PX` on screen also get a clickable dot.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson(null, {
    interactive: {{ this.interactive|tojson }},
    attribution: {{ this.attribution|tojson }},
    style: window.fpStyle({{ this.style_key|tojson }}, {{ this.styles|tojson }}, {{ this.base_style|tojson }}),
    {%- if this.tooltip %}
    onEachFeature: function (feature, layer) {
        layer.bindTooltip(window.fpTooltip({{ this.tooltip|tojson }}), {sticky: true, className: 'fp-tooltip'});
    },
    {%- endif %}
});
{%- if this.interactive %}
{{ this.get_name() }}.on('mouseover', function (e) { e.layer.setStyle({weight: 4}); e.layer.bringToFront(); });
{{ this.get_name() }}.on('mouseout', function (e) { {{ this.get_name() }}.resetStyle(e.layer); });
{%- endif %}
{%- if this.hatches %}
{{ this.get_name() }}.on('add', function () {
    window.fpHatches({{ this.get_name() }}._map, {{ this.hatches|tojson }});
});
{%- endif %}
{{ this.get_name() }}.addData({{ this.data }});
{%- if this.spots %}
window.fpSpots({{ this.get_name() }}, {{ this.spots[0] }}, {{ this.spots[1] }}, {{ this.tooltip|tojson }});
{%- endif %}
{% endmacro %}
""")

    def __init__(self, data: str, *, name: str, base_style: dict, style_key: str | None = None,
                 styles: dict[str, dict] | None = None, tooltip: tuple[tuple[str, str], ...] = (),
                 interactive: bool = True, hatches: list[tuple[str, str]] | None = None,
                 attribution: str = "", overlay: bool = True, control: bool = True, show: bool = True,
                 spots: bool = False) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GeoJsonLayer"
        self.spots = (MIN_FEATURE_PX, SPOT_RADIUS_PX) if spots else None
        self.data = data
        self.base_style = base_style
        self.style_key = style_key
        self.styles = styles or {}
        self.tooltip = [list(t) for t in tooltip]
        self.interactive = interactive
        self.hatches = [list(h) for h in hatches or []]
        self.attribution = attribution


class BoundaryLayer(folium.map.Layer):
    """Municipal boundaries (not clickable) with their names as permanent labels."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
L.geoJson({{ this.data }}, {interactive: false, style: {{ this.style|tojson }},
    attribution: {{ this.attribution|tojson }}}).addTo({{ this.get_name() }});
{{ this.labels }}.forEach(function (label) {
    var text = document.createElement('span');
    text.textContent = label[2];
    {{ this.get_name() }}.addLayer(L.marker([label[0], label[1]], {interactive: false, keyboard: false,
        icon: L.divIcon({className: 'fp-label', html: text, iconSize: null})}));
});
{% endmacro %}
""")

    def __init__(self, layers: MapLayers, *, offline: bool) -> None:
        super().__init__(name=LAYER_NAMES[schema.BOUNDARY], overlay=True, control=True, show=True)
        self._name = "BoundaryLayer"
        self.data = layers.boundaries
        self.labels = layers.labels
        self.style = boundary_style(offline=offline)
        self.attribution = html.escape(schema.BOUNDARY_ATTRIBUTION)


class FlagLayer(folium.map.Layer):
    """A ⚠ marker (a sign in a black-ringed disc: not colour alone) on flagged areas and interventions, set
    above-right of the feature's representative point like a badge (the small map puts ranks on that point);
    the tooltip's text is set with ``textContent``."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
{{ this.data }}.forEach(function (flag) {
    var sign = document.createElement('span');
    sign.textContent = '!';
    var marker = L.marker([flag[0], flag[1]], {keyboard: false, title: flag[2],
        icon: L.divIcon({className: 'fp-flag', html: sign, iconSize: null})});
    marker.bindTooltip(function () { var t = document.createElement('span'); t.textContent = flag[2]; return t; });
    {{ this.get_name() }}.addLayer(marker);
});
{% endmacro %}
""")

    def __init__(self, layers: MapLayers) -> None:
        super().__init__(name=LAYER_NAMES["flags"], overlay=True, control=True, show=True)
        self._name = "FlagLayer"
        self.data = layers.flags


def legend_html() -> str:
    """The legend as escaped HTML, from the schema's colours and labels (a collapsible box)."""
    pool = ['<div class="fp-head">Poolflächen</div>']
    for status in schema.POOL_STATUS:
        pool.append(f'<div><i style="background:{schema.POOL_STATUS_COLORS[status]};'
                    f'border:1px solid {POOL_STYLE["color"]}"></i>'
                    f"{html.escape(schema.POOL_STATUS_LABELS[status])}</div>")
    itv = ['<div class="fp-head">Eingriffe</div>']
    for kind in schema.INTERVENTION_KINDS:
        color = schema.INTERVENTION_KIND_COLORS[kind]
        itv.append(f'<div><i style="border:2px solid {color};background:repeating-linear-gradient('
                   f'45deg,{color} 0 2px,transparent 2px 5px)"></i>{html.escape(kind)}</div>')
    more = (f'<div class="fp-wide"><i style="height:0;border-top:2px dashed {LINK_STYLE["color"]}"></i>'
            f'{html.escape("Buchung (Eingriff → Fläche)")}</div>'
            '<div><i style="border:1.5px solid #5d6d7e;background:#fff"></i>Gemeindegrenze</div>'
            '<div><i style="border:2px solid #000;border-radius:50%;background:#ffd400;width:13px;height:13px;'
            'font-style:normal;font-size:9px;line-height:9px;text-align:center;font-weight:700">!</i>'
            'Monitoring: Mängel oder nicht umgesetzt</div>')
    return (f'<details open><summary>Legende</summary><div class="fp-cols"><div>{"".join(pool)}</div>'
            f'<div>{"".join(itv)}</div></div>{more}</details>')


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Leaflet's default adds miles and feet)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class Legend(MacroElement):
    """A Leaflet control showing *legend* (escaped HTML; default :func:`legend_html`) in a corner."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create('div', 'fp-legend');
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, legend: str | None = None, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = legend if legend is not None else legend_html()
        self.position = position


# --- base maps --------------------------------------------------------------------------

@dataclass(frozen=True)
class BaseMap:
    """An external base map or overlay (left out when offline)."""

    name: str
    url: str
    """XYZ template, or for a WMS its endpoint (see :attr:`wms_layer`)."""
    attribution: str
    """HTML (from this module only)."""
    max_native_zoom: int
    wms_layer: str = ""
    image_format: str = "image/png"
    overlay: bool = False
    visible: bool = False
    min_zoom: int = 0


BASE_MAPS: tuple[BaseMap, ...] = (
    BaseMap("basemap.de", "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/"
            "default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png",
            '&copy; <a href="https://basemap.de">basemap.de</a> / BKG, CC BY 4.0', 18, visible=True),
    BaseMap("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende', 19),
    BaseMap("Luftbild Sachsen (DOP20)", "https://geodienste.sachsen.de/wms_geosn_dop-rgb/guest",
            "Luftbild: &copy; GeoSN, dl-de/by-2-0", 20, wms_layer="sn_dop_020", image_format="image/jpeg"),
    BaseMap("Flurstücke (ALKIS Sachsen)", "https://geodienste.sachsen.de/wms_geosn_alkis-adv/guest",
            "Flurstücke: &copy; GeoSN, dl-de/by-2-0", 20, wms_layer="adv_alkis_flurstuecke", overlay=True,
            min_zoom=14),
)
"""basemap.de (default), OpenStreetMap, the Saxon orthophoto; ALKIS parcels as overlay."""


def add_base_maps(m: folium.Map) -> None:
    """The :data:`BASE_MAPS` as Leaflet layers."""
    for base in BASE_MAPS:
        if base.wms_layer:
            folium.WmsTileLayer(base.url, layers=base.wms_layer, fmt=base.image_format, name=base.name,
                                attr=base.attribution, overlay=base.overlay, transparent=base.overlay,
                                show=base.visible, max_zoom=20,
                                min_zoom=base.min_zoom).add_to(m)
        else:
            folium.TileLayer(base.url, attr=base.attribution, name=base.name, max_zoom=20,
                             max_native_zoom=base.max_native_zoom, show=base.visible).add_to(m)


MAP_SIZE_PX = (560, 620)
"""Width and height the opening view must fit into (the map column at 1440 px wide)."""
LEGEND_PX = 170
"""Height of the open legend in the lower right corner: the opening view keeps the data above it."""


def opening_view(bounds: tuple[tuple[float, float], tuple[float, float]],
                 size_px: tuple[int, int] = MAP_SIZE_PX, *,
                 bottom_px: int = LEGEND_PX) -> tuple[tuple[float, float], int]:
    """Centre and the largest zoom (≤ 17) at which *bounds* fit into *size_px* in Web Mercator,
    above a band of *bottom_px* (the legend).

    Computed here rather than with Leaflet's ``fitBounds``, which runs before st_folium
    has sized its frame and so opens off-centre.
    """
    (south, west), (north, east) = bounds
    corners = gpd.GeoSeries([shapely.Point(west, south), shapely.Point(east, north)], crs=schema.WEB_CRS)
    xs, ys = shapely.get_coordinates(corners.to_crs("EPSG:3857").values).T
    metres_per_px_at_zoom_0 = 2 * np.pi * 6378137.0 / 256
    span = max((xs[1] - xs[0]) / size_px[0], (ys[1] - ys[0]) / (size_px[1] - bottom_px), 1e-6)
    zoom = int(np.clip(np.floor(np.log2(metres_per_px_at_zoom_0 / span)), 1, 17))
    shift = bottom_px / 2 * metres_per_px_at_zoom_0 / 2**zoom
    centre = gpd.GeoSeries([shapely.Point(xs.mean(), ys.mean() - shift)], crs="EPSG:3857")
    x, y = point_xy(centre.to_crs(schema.WEB_CRS).iloc[0])
    return (round(y, COORD_DECIMALS), round(x, COORD_DECIMALS)), zoom


def build_map(layers: MapLayers, *, offline: bool) -> folium.Map:
    """The map of prepared *layers*, opening on their extent; external base maps only when not *offline*."""
    centre, zoom = opening_view(layers.bounds)
    m = LocalMap(location=list(centre), zoom_start=zoom, tiles=None, max_zoom=20)
    MapSupport().add_to(m)
    MetricScale().add_to(m)
    if not offline:
        add_base_maps(m)
    BoundaryLayer(layers, offline=offline).add_to(m)
    GeoJsonLayer(layers.pool_areas, name=LAYER_NAMES[schema.POOL_AREAS], base_style=POOL_STYLE,
                 style_key="status", styles={s: {"fillColor": c} for s, c in schema.POOL_STATUS_COLORS.items()},
                 tooltip=POOL_TOOLTIP, spots=True).add_to(m)
    GeoJsonLayer(layers.interventions, name=LAYER_NAMES[schema.INTERVENTIONS], base_style=INTERVENTION_STYLE,
                 style_key="kind", tooltip=INTERVENTION_TOOLTIP,
                 styles={k: {"color": c, "fillColor": f"url(#{hatch_id(k)})"}
                         for k, c in schema.INTERVENTION_KIND_COLORS.items()},
                 hatches=[(hatch_id(k), c) for k, c in schema.INTERVENTION_KIND_COLORS.items()],
                 spots=True).add_to(m)
    GeoJsonLayer(layers.links, name=LAYER_NAMES["links"], base_style=LINK_STYLE, interactive=False).add_to(m)
    FlagLayer(layers).add_to(m)
    Legend().add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


def selection_layer(view: PoolView, selection: Selection | None) -> folium.FeatureGroup | None:
    """An outline of the selected feature, for ``st_folium(feature_group_to_add=…)``.

    None when nothing (known) is selected.
    """
    if selection is None:
        return None
    frame = view.pool_areas if selection.layer == schema.POOL_AREAS else view.interventions
    rows = frame[frame[schema.ID_FIELD[selection.layer]] == selection.feature_id]
    if rows.empty:
        return None
    group = folium.FeatureGroup(name=LAYER_NAMES["selection"], control=False)
    geometry = web_geometries(rows.geometry, SIMPLIFY_M[selection.layer])
    GeoJsonLayer(feature_collection(geometry, pd.DataFrame(index=rows.index)), name=LAYER_NAMES["selection"],
                 base_style=SELECTION_STYLE, interactive=False, control=False).add_to(group)
    return group
