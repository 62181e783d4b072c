"""A static map of the pool areas and municipal boundaries (matplotlib, no tile server).

Shared by the slides and the PDF. Pool areas are drawn in the map legend's status
colours with a dark outline, so that even small areas stay visible; the BKG
attribution of the boundaries is printed on the image.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo import schema
from geo.accounting import summary

EDGE = "#333333"
CONTEXT_FILL = "#f2f2f2"
SELECTED_FILL = "#fbfbf7"
FONT = "DejaVu Sans"
LEFT, RIGHT, TOP, BOTTOM = 0.01, 0.82, 0.99, 0.05
"""Plot area within the image; the legend sits right of it, the attribution below."""
MIN_HEIGHT_SHARE = 0.4
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
    fig.text(0.01, 0.01, f"{schema.BOUNDARY_ATTRIBUTION} {schema.DEMO_NOTICE}", fontsize=7, family=FONT,
             color="#444444")
    fig.subplots_adjust(left=LEFT, right=RIGHT, top=TOP, bottom=BOTTOM)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
