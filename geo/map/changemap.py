"""The interactive map of a change: what an upload (or a restore) adds, changes and removes.

Built from the main map's pieces (:mod:`geo.map.webmap`: local Leaflet, safe tooltips, hatch
patterns, offline switch). Each kind of change differs by colour *and* by fill pattern or
outline, so it reads without colour too: added solid, changed hatched, the former outline of a
changed feature dashed without fill, removed cross-hatched with a dashed outline. The map opens
on the touched features above the legend band, so the legend never covers a change.

Two steps like the main map: :func:`prepare` (GeoJSON text, cacheable) and :func:`build`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure

from geo import schema
from geo.map import webmap
from geo.upload.diff import LayerDiff

KINDS: dict[str, str] = {"unchanged": "unverändert", "removed": "entfernt", "before": "geändert (vorher)",
                         "changed": "geändert (neu)", "added": "hinzugefügt"}
"""Drawing order (bottom to top) and legend labels."""
COLORS = {"unchanged": "#bdbdbd", "added": "#1a9850", "changed": "#e66101", "before": "#2c7bb6",
          "removed": "#b2182b"}
STYLES: dict[str, dict[str, object]] = {
    "unchanged": {"color": "#757575", "weight": 1, "fillColor": COLORS["unchanged"], "fillOpacity": 0.5},
    "removed": {"color": COLORS["removed"], "weight": 2.5, "dashArray": "6 4", "fillColor": "url(#fp-change-removed)",
                "fillOpacity": 1.0},
    "before": {"color": COLORS["before"], "weight": 2.5, "dashArray": "4 4", "fill": False},
    "changed": {"color": COLORS["changed"], "weight": 2.5, "fillColor": "url(#fp-change-changed)",
                "fillOpacity": 1.0},
    "added": {"color": "#0b5a2c", "weight": 2.5, "fillColor": COLORS["added"], "fillOpacity": 0.75},
}
HATCHES = [("fp-change-changed", COLORS["changed"]), ("fp-change-removed", COLORS["removed"])]
TOOLTIP = (("id", "ID"), ("change", "Änderung"), ("name", "Name"))
SIZE_PX = (760, 520)
LEGEND_PX = 40
"""The legend is one line along the bottom edge; the opening view keeps the changes above it."""


@dataclass(frozen=True)
class ChangeLayers:
    """Script-safe GeoJSON per kind of change, the municipality's outline and where the map opens."""

    parts: dict[str, str]
    counts: dict[str, int]
    boundary: str
    bounds: tuple[tuple[float, float], tuple[float, float]]


def _ids(frame: gpd.GeoDataFrame, layer: str, ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    return frame[frame[schema.ID_FIELD[layer]].astype(str).isin(ids)]


def prepare(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, change: LayerDiff,
            boundary: gpd.GeoDataFrame | None = None) -> ChangeLayers:
    """GeoJSON of the change (EPSG:25833 frames in), opening on the touched features (or the boundary)."""
    layer, key = change.layer, schema.ID_FIELD[change.layer]
    touched = set(change.added) | set(change.changed)
    frames = {
        "unchanged": new[~new[key].astype(str).isin(touched)],
        "removed": _ids(old, layer, change.removed),
        "before": _ids(old, layer, change.changed),
        "changed": _ids(new, layer, change.changed),
        "added": _ids(new, layer, change.added),
    }
    tolerance = webmap.SIMPLIFY_M.get(layer, 1.0)
    parts = {}
    for kind, frame in frames.items():
        names = frame["name"] if "name" in frame.columns else pd.Series("", index=frame.index)
        props = pd.DataFrame({"id": frame[key].astype(str), "change": KINDS[kind],
                              "name": names.fillna("").astype(str)}, index=frame.index)
        parts[kind] = webmap.feature_collection(webmap.web_geometries(frame.geometry, tolerance), props)
    outline = boundary if boundary is not None else gpd.GeoDataFrame(geometry=[], crs=schema.CRS)
    boundary_json = webmap.feature_collection(webmap.web_geometries(outline.geometry, 5.0),
                                              pd.DataFrame(index=outline.index))
    focus = [f for k, f in frames.items() if k != "unchanged" and len(f)] or [outline, frames["unchanged"]]
    return ChangeLayers(parts, {k: len(f) for k, f in frames.items()}, boundary_json,
                        webmap.frame_bounds(*focus))


def legend_html(counts: dict[str, int]) -> str:
    """One line: a swatch per kind of change (with its pattern/outline) and its count."""
    swatches = {
        "added": f"background:{COLORS['added']};border:2px solid {STYLES['added']['color']}",
        "changed": (f"border:2px solid {COLORS['changed']};background:repeating-linear-gradient(45deg,"
                    f"{COLORS['changed']} 0 2px,transparent 2px 5px)"),
        "before": f"border:2px dashed {COLORS['before']};background:transparent",
        "removed": (f"border:2px dashed {COLORS['removed']};background:repeating-linear-gradient(45deg,"
                    f"{COLORS['removed']} 0 2px,transparent 2px 5px)"),
        "unchanged": f"background:{COLORS['unchanged']};border:1px solid #757575",
    }
    items = "".join(f'<span class="fp-item"><i style="{swatches[k]}"></i>{html.escape(KINDS[k])} '
                    f"({counts.get(k, 0)})</span>" for k in ("added", "changed", "before", "removed", "unchanged"))
    return f'<div class="fp-change-legend">{items}</div>'


_CSS = """
.fp-change-legend { background: rgba(255, 255, 255, 0.95); padding: 4px 8px; border-radius: 4px;
    box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font-size: 12px; line-height: 18px; color: #222; }
.fp-change-legend .fp-item { margin-right: 12px; white-space: nowrap; }
.fp-change-legend i { display: inline-block; width: 16px; height: 12px; margin-right: 4px; vertical-align: -1px;
    box-sizing: border-box; }
"""


def build(layers: ChangeLayers, *, offline: bool) -> folium.Map:
    """The map of prepared *layers*: each kind of change a layer of its own, the legend along the bottom."""
    centre, zoom = webmap.opening_view(layers.bounds, SIZE_PX, bottom_px=LEGEND_PX)
    m = webmap.LocalMap(location=list(centre), zoom_start=zoom, tiles=None, max_zoom=20)
    webmap.MapSupport().add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure), "a Folium map's root is its Figure"
    root.header.add_child(folium.Element(f"<style>{_CSS}</style>"))
    webmap.MetricScale().add_to(m)
    if not offline:
        webmap.add_base_maps(m)
    webmap.GeoJsonLayer(layers.boundary, name="Gemeindegrenze", base_style=webmap.boundary_style(offline=offline),
                        interactive=False).add_to(m)
    for kind, label in KINDS.items():
        if layers.counts[kind]:
            webmap.GeoJsonLayer(layers.parts[kind], name=label, base_style=STYLES[kind], tooltip=TOOLTIP,
                                hatches=HATCHES if kind in ("changed", "removed") else None,
                                spots=kind != "unchanged").add_to(m)
    webmap.Legend(legend_html(layers.counts), position="bottomleft").add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m

