"""A small static map of a change (matplotlib, no tiles, no network): what is added,
changed and removed, on the municipality's boundary and its other features."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo import schema
from geo.map.webmap import point_xy
from geo.upload.diff import LayerDiff

COLORS = {"unchanged": "#d9d9d9", "added": "#1a9850", "changed": "#fdae61", "before": "#2c7bb6",
          "removed": "#d73027", "boundary": "#636363"}
MAX_LABELS = 25


def _ids(frame: gpd.GeoDataFrame, layer: str, ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    return frame[frame[schema.ID_FIELD[layer]].astype(str).isin(ids)]


def change_map_png(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, change: LayerDiff,
                   boundary: gpd.GeoDataFrame | None = None) -> bytes:
    """PNG of the change, zoomed to the touched features (or the boundary if none)."""
    layer = change.layer
    fig = Figure(figsize=(8, 5.5), dpi=110)
    ax = fig.add_subplot()
    if boundary is not None and len(boundary):
        boundary.boundary.plot(ax=ax, color=COLORS["boundary"], linewidth=0.8)
    touched = set(change.added) | set(change.changed)
    rest = new[~new[schema.ID_FIELD[layer]].astype(str).isin(touched)]
    if len(rest):
        rest.plot(ax=ax, color=COLORS["unchanged"], edgecolor="#969696", linewidth=0.3)
    parts = {
        "removed": _ids(old, layer, change.removed),
        "before": _ids(old, layer, change.changed),
        "changed": _ids(new, layer, change.changed),
        "added": _ids(new, layer, change.added),
    }
    for kind, frame in parts.items():
        if not len(frame):
            continue
        if kind == "before":
            frame.boundary.plot(ax=ax, color=COLORS[kind], linewidth=1.2, linestyle="--")
        else:
            frame.plot(ax=ax, color=COLORS[kind], alpha=0.75, edgecolor="black", linewidth=0.5)
    focus = [f for f in parts.values() if len(f)]
    if focus:
        bounds = np.array([f.total_bounds for f in focus])
        (minx, miny), (maxx, maxy) = bounds[:, :2].min(axis=0), bounds[:, 2:].max(axis=0)
        pad = max(300.0, 0.15 * max(maxx - minx, maxy - miny))
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        labelled = [f for k, f in parts.items() if k != "before" and len(f)]
        for frame in labelled:
            for ident, point in zip(frame[schema.ID_FIELD[layer]].head(MAX_LABELS),
                                    frame.geometry.head(MAX_LABELS).representative_point(), strict=True):
                ax.annotate(str(ident), point_xy(point), fontsize=7, ha="center", va="bottom",
                            xytext=(0, 6), textcoords="offset points")
    legend = [Patch(facecolor=COLORS["added"], label="hinzugefügt"),
              Patch(facecolor=COLORS["changed"], label="geändert (neu)"),
              Patch(facecolor="none", edgecolor=COLORS["before"], linestyle="--", label="geändert (vorher)"),
              Patch(facecolor=COLORS["removed"], label="entfernt"),
              Patch(facecolor=COLORS["unchanged"], label="unverändert")]
    ax.legend(handles=legend, loc="lower left", fontsize=7, framealpha=0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
