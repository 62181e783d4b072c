"""A static map of the pool areas and municipal boundaries (matplotlib, no tile server).

Shared by the slides, the PDF, the fact sheet and the presentation. Pool areas are drawn in
the map legend's status colours with a dark outline, so that even small areas stay visible; a
scale bar and a north arrow sit in the map, the BKG attribution of the boundaries below it.
The map is drawn in EPSG:25833 (metres, grid north ≈ true north in the region).
"""

from __future__ import annotations

import io
import math

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from geo import schema
from geo.accounting import summary

EDGE = "#333333"
CONTEXT_FILL = "#f2f2f2"
SELECTED_FILL = "#fbfbf7"
FONT = "DejaVu Sans"
LEFT, RIGHT, TOP, BOTTOM = 0.01, 0.82, 0.99, 0.05
"""Plot area within the image; the legend sits right of it, the attribution below."""
MIN_HEIGHT_SHARE = 0.4
SCALE_SHARE = 0.22
"""The scale bar spans about this share of the map's width (rounded down to 1, 2 or 5 × 10ⁿ m)."""
SMALL_M2 = 30_000.0
"""Areas below 3 ha also get a dot at their centre, or they vanish at municipal scale."""


def render(view: summary.PoolView, context: summary.PoolView | None = None, *, width_in: float = 11.0,
           height_in: float = 6.2, dpi: int = 150) -> bytes:
    """PNG of *view*'s pool areas and boundaries; *context* adds the other partners in grey.

    Areas below :data:`SMALL_M2` are also marked by a dot.

    The frame follows *view*'s boundaries (or its pool areas when it has none); the image
    is *width_in* wide and as high as the frame needs, at most *height_in*.
    """
    # A figure of its own, not pyplot's global registry: safe for many sessions in one server.
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    frame = view.boundaries if len(view.boundaries) else view.pool_areas
    if context is not None and len(context.boundaries):
        others = context.boundaries[~context.boundaries["ags"].isin(view.boundaries["ags"])]
        if len(others):
            others.plot(ax=ax, facecolor=CONTEXT_FILL, edgecolor="#b0b0b0", linewidth=0.6)
    if len(view.boundaries):
        view.boundaries.plot(ax=ax, facecolor=SELECTED_FILL, edgecolor=EDGE, linewidth=1.2)
    pool = view.pool_areas
    shown = [s for s in schema.POOL_STATUS if (pool["status"] == s).any()]
    small = pool.geometry.area < SMALL_M2
    for status in shown:
        color = schema.POOL_STATUS_COLORS[status]
        pool[pool["status"] == status].plot(ax=ax, facecolor=color, edgecolor=EDGE, linewidth=0.4)
        dots = pool[(pool["status"] == status) & small].geometry.representative_point()
        if len(dots):
            dots.plot(ax=ax, color=color, edgecolor=EDGE, linewidth=0.5, markersize=14)
    if len(frame):
        minx, miny, maxx, maxy = frame.total_bounds
        pad = 0.03 * max(maxx - minx, maxy - miny, 1.0)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        # A wide frame gets a lower image instead of white bands above and below it.
        aspect = (maxy - miny + 2 * pad) / (maxx - minx + 2 * pad)
        fig.set_size_inches(width_in, min(height_in, max(MIN_HEIGHT_SHARE * width_in,
                                                         width_in * (RIGHT - LEFT) * aspect / (TOP - BOTTOM))))
    ax.set_aspect("equal")
    if len(frame):
        _scale_bar(ax)
        _north_arrow(ax)
    for _, row in view.boundaries.iterrows():
        point = row.geometry.representative_point()
        ax.annotate(row["name"], (point.x, point.y), ha="center", va="center", fontsize=10, family=FONT,
                    color="#222222", bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                                           "alpha": 0.75})
    handles = [Patch(facecolor=schema.POOL_STATUS_COLORS[s], edgecolor=EDGE,
                     label=schema.POOL_STATUS_LABELS[s]) for s in shown]
    if handles:
        ax.legend(handles=handles, title="Poolflächen nach Status", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False, prop={"family": FONT, "size": 10}, title_fontproperties={"family": FONT,
                                                                                       "size": 10})
    # A narrow image (the fact sheet's) breaks the attribution into lines instead of cutting it off.
    fig.text(0.01, 0.01, f"{schema.BOUNDARY_ATTRIBUTION} {schema.DEMO_NOTICE}", fontsize=7, family=FONT,
             color="#444444", wrap=True)
    fig.subplots_adjust(left=LEFT, right=RIGHT, top=TOP, bottom=BOTTOM)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def scale_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ m) of at most :data:`SCALE_SHARE` of *span_m*."""
    target = max(span_m * SCALE_SHARE, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def scale_label(length_m: float) -> str:
    """``"5 km"``, ``"500 m"``."""
    return f"{length_m / 1000:g}\u00a0km".replace(".", ",") if length_m >= 1000 else f"{length_m:g}\u00a0m"


def _scale_bar(ax: Axes) -> None:
    """A two-part black/white scale bar with its length, in the map's lower left corner."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    length = scale_length(x1 - x0)
    left, bottom, height = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.012 * (y1 - y0)
    for i, color in enumerate((EDGE, "white")):
        ax.add_patch(Rectangle((left + i * length / 2, bottom), length / 2, height, facecolor=color,
                               edgecolor=EDGE, linewidth=0.8, zorder=5))
    ax.annotate(scale_label(length), (left + length / 2, bottom + 1.6 * height), ha="center", va="bottom",
                fontsize=9, family=FONT, color="#222222", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})


def _north_arrow(ax: Axes) -> None:
    """An arrow with "N" in the map's upper left corner (north is up in EPSG:25833)."""
    ax.annotate("N", xy=(0.04, 0.97), xytext=(0.04, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=12, fontweight="bold", family=FONT, color="#222222", zorder=5,
                arrowprops={"arrowstyle": "-|>", "color": "#222222", "linewidth": 1.5, "mutation_scale": 16})

