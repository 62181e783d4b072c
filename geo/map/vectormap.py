"""What the WebGL map (``ui/vectormap.js``) gets besides its tiles: styles, legend, labels, view, base maps.

Plain data, no Streamlit: :func:`component_data` is JSON for the component. The features come
as vector tiles (:mod:`geo.map.tiles`); this module only says how to draw them, where to look
(the filtered pool, a search result or the selected feature) and what is selected.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import shapely

from geo import schema
from geo.accounting.summary import PoolView
from geo.map import mapfilter, tiles, webmap
from geo.map.mapfilter import Selection

SELECTION_MAX_ZOOM = 14
"""Zoom to the selected feature, but not closer than this."""
OVERVIEW_MAX_ZOOM = 15
ID_LABEL_ZOOM = 14
"""From this zoom on, areas and interventions carry their id as a label."""
MAX_ID_LABELS = 150
LOCALE: dict[str, str] = {
    "Map.Title": "Karte der Poolflächen und Eingriffe", "Marker.Title": "Beschriftung",
    "NavigationControl.ZoomIn": "Vergrößern", "NavigationControl.ZoomOut": "Verkleinern",
    "NavigationControl.ResetBearing": "Nach Norden ausrichten", "Popup.Close": "Schließen",
    "AttributionControl.ToggleAttribution": "Quellenangaben ein- oder ausblenden",
    "CooperativeGesturesHandler.MobileHelpText": "Mit zwei Fingern verschieben",
}
"""MapLibre's own texts (buttons, labels for screen readers) in German."""
LEGEND_OPEN_MIN_PX = 480
"""The legend starts collapsed on narrower maps (phones), so it does not cover the map."""


@dataclass(frozen=True)
class View:
    """Where the map looks: bounds ``[[west, south], [east, north]]`` and a key that changes when it should move."""

    bounds: list[list[float]]
    max_zoom: int
    key: str
    margin: float = 0.03
    """Room around the bounds, as a share of the map's smaller side (more for one feature: its neighbourhood)."""


def _bounds(frames: list[gpd.GeoDataFrame]) -> list[list[float]]:
    """``[[west, south], [east, north]]`` around *frames* (EPSG:25833): their common bounding box,
    densified and reprojected (not every geometry: a pool of 10⁵ areas takes as long as one)."""
    if not any(len(f) for f in frames):
        (south, west), (north, east) = webmap.frame_bounds()
        return [[west, south], [east, north]]
    corners = np.array([f.total_bounds for f in frames if len(f)])
    box = shapely.box(*corners[:, :2].min(axis=0), *corners[:, 2:].max(axis=0))
    outline = gpd.GeoSeries([shapely.segmentize(box, 250.0)], crs=schema.CRS).to_crs(schema.WEB_CRS)
    west, south, east, north = (round(float(v), webmap.COORD_DECIMALS) for v in outline.total_bounds)
    return [[west, south], [east, north]]


def view_for(shown: PoolView, selection: Selection | None, filter_params: dict[str, str]) -> View:
    """The selected feature if it is shown; else what a search found; else the shown municipalities."""
    if selection is not None:
        frame = shown.pool_areas if selection.layer == schema.POOL_AREAS else shown.interventions
        rows = frame[frame[schema.ID_FIELD[selection.layer]] == selection.feature_id]
        if len(rows):
            return View(_bounds([rows]), SELECTION_MAX_ZOOM, f"{selection.layer}:{selection.feature_id}", 0.2)
    key = f"filter:{urlencode(sorted(filter_params.items()))}"
    found = [frame for frame in (shown.pool_areas, shown.interventions) if len(frame)]
    if mapfilter.P_TEXT in filter_params and found:
        return View(_bounds(found), SELECTION_MAX_ZOOM, key, 0.2)
    return View(_bounds([shown.boundaries, *found]), OVERVIEW_MAX_ZOOM, key)


def legend() -> list[dict[str, object]]:
    """Legend groups: title, entries (label, colour, shape: fill / hatch / disc / ring / line / dash) and
    whether the group spans the legend's two columns."""
    pool = [{"label": schema.POOL_STATUS_LABELS[s], "color": schema.POOL_STATUS_COLORS[s], "shape": "fill"}
            for s in schema.POOL_STATUS]
    itv = [{"label": k, "color": c, "shape": "hatch"} for k, c in schema.INTERVENTION_KIND_COLORS.items()]
    more = [{"label": "Buchung (Eingriff → Fläche)", "color": webmap.LINK_STYLE["color"], "shape": "dash"},
            {"label": "Gemeindegrenze", "color": "#5d6d7e", "shape": "line"},
            {"label": "kleine Poolfläche / Gruppe", "color": schema.POOL_STATUS_COLORS["verfügbar"], "shape": "disc"},
            {"label": "kleiner Eingriff / Gruppe", "color": schema.INTERVENTION_KIND_COLORS["B-Plan"],
             "shape": "ring"},
            {"label": "Monitoring-Hinweis (Mängel, nicht umgesetzt)", "color": "#ffd400", "shape": "flag"}]
    return [{"title": "Poolflächen", "entries": pool, "wide": False},
            {"title": "Eingriffe", "entries": itv, "wide": False}, {"title": "Weitere", "entries": more, "wide": True}]


def _plain(attribution: str) -> str:
    """Attribution HTML of :data:`geo.map.webmap.BASE_MAPS` as text (the component writes text only)."""
    return html.unescape(re.sub(r"<[^>]+>", "", attribution))


def base_maps(*, offline: bool) -> list[dict[str, object]]:
    """The external base maps as MapLibre raster sources (none when *offline*)."""
    if offline:
        return []
    out = []
    for i, base in enumerate(webmap.BASE_MAPS):
        url = base.url
        if base.wms_layer:
            url += "?" + urlencode({"service": "WMS", "request": "GetMap", "version": "1.3.0",
                                    "layers": base.wms_layer, "styles": "", "format": base.image_format,
                                    "transparent": str(base.overlay).lower(), "crs": "EPSG:3857",
                                    "width": 256, "height": 256}) + "&bbox={bbox-epsg-3857}"
        out.append({"id": f"base-{i}", "name": base.name, "url": url, "attribution": _plain(base.attribution),
                    "maxzoom": base.max_native_zoom, "minzoom": base.min_zoom, "overlay": base.overlay,
                    "visible": base.visible})
    return out


def labels(boundaries: gpd.GeoDataFrame) -> list[list[object]]:
    """``[[lng, lat, name], …]`` of the municipalities."""
    points = webmap.web_geometries(boundaries.geometry.representative_point(), 0.0)
    return [[x, y, str(name)] for (x, y), name in zip(map(webmap.point_xy, points), boundaries["name"], strict=True)]


def component_data(shown: PoolView, selection: Selection | None, filter_params: dict[str, str], *,
                   tile_url: str, assets: str, offline: bool, height: int) -> dict[str, object]:
    """Everything the component needs (JSON); *tile_url* is the template of :mod:`ui.tileroute`."""
    offline_style = webmap.boundary_style(offline=True)
    online_style = webmap.boundary_style(offline=False)
    fit = view_for(shown, selection, filter_params)
    return {
        "tiles": tile_url, "assets": assets, "maxzoom": tiles.MAX_ZOOM, "height": height,
        "attribution": schema.BOUNDARY_ATTRIBUTION, "basemaps": base_maps(offline=offline),
        "labels": labels(shown.boundaries), "flags": json.loads(webmap.flag_markers(shown)), "legend": legend(),
        "legend_open_min_px": LEGEND_OPEN_MIN_PX,
        "id_label_zoom": ID_LABEL_ZOOM, "max_id_labels": MAX_ID_LABELS, "locale": LOCALE,
        "fit": {"bounds": fit.bounds, "max_zoom": fit.max_zoom, "key": fit.key, "margin": fit.margin},
        "selected": None if selection is None else {"layer": selection.layer, "id": selection.feature_id},
        "style": {
            "status": dict(schema.POOL_STATUS_COLORS), "kinds": dict(schema.INTERVENTION_KIND_COLORS),
            "background": webmap.BACKGROUND, "pool_line": webmap.POOL_STYLE["color"],
            "pool_fill_opacity": webmap.POOL_STYLE["fillOpacity"], "link": webmap.LINK_STYLE["color"],
            "selection": webmap.SELECTION_STYLE["color"], "boundary_line": offline_style["color"],
            "boundary_fill_opacity": (offline_style if offline else online_style)["fillOpacity"],
        },
    }

