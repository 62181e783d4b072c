"""Vector tiles of the map (issue 20): index build, tile generation per zoom and bytes per view.

Run: ``.venv/bin/python benchmarks/bench_tiles.py [areas …]`` (default: the demo pool and 10.000 and
200.000 synthetic areas). Prints, per pool and zoom, the median time to make one tile (GeoPackage
path: STRtree + clip + simplify + mapbox-vector-tile; for the demo also PostGIS' ``ST_AsMVT`` in a
throwaway cluster, as ``bench_store.py``) and the bytes and summed server time of one
1440×900 view (the tiles the browser asks for); for the demo also the GeoJSON the Folium map embeds.

The synthetic pools follow the issue's recipe: polygons of 25 vertices (30–150 m across) inside
the partners' real boundaries, interventions a quarter of the areas, a third of the areas booked
(status ``zugeordnet``, each for an intervention of its own municipality), fixed seed. They live in
memory only. ``benchmarks/generate.py`` (written in parallel) makes such pools as files; this
script keeps its own small generator until both meet.
"""

from __future__ import annotations

import functools
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_store import _postgis as postgis_demo
from benchmarks.timing import median_seconds
from geo import schema
from geo.accounting import summary
from geo.map import tiles, webmap
from geo.store.gpkg import GeoPackageStore

REPO = Path(__file__).resolve().parent.parent
VIEW_PX = (1440 - 600, 640)
"""The map's box on a desktop (the map column), in CSS pixels; MapLibre asks for 512 px tiles."""
ZOOMS = (9, 10, 11, 12, 13, 14, 15)
CENTRE = (12.62, 51.36)
"""Brandis/Machern/Bennewitz, where the partnership is densest."""
VERTICES = 25


def synthetic(base: summary.PoolView, areas: int, seed: int = 20) -> summary.PoolView:
    """*areas* pool areas and areas/4 interventions inside *base*'s boundaries (see the module docstring)."""
    rng = np.random.default_rng(seed)
    region = shapely.union_all(base.boundaries.geometry.to_numpy())
    n = areas + areas // 4
    minx, miny, maxx, maxy = region.bounds
    centres = np.empty((0, 2))
    while len(centres) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n, 2))
        centres = np.vstack([centres, xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]])[:n]
    angles = np.linspace(0, 2 * np.pi, VERTICES, endpoint=False)
    radius = rng.uniform(15, 75, size=(n, 1)) * rng.uniform(0.7, 1.0, size=(n, VERTICES))
    rings = np.stack([centres[:, :1] + radius * np.cos(angles), centres[:, 1:] + radius * np.sin(angles)], axis=2)
    polygons = np.asarray(shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1)), dtype=object)
    ags = base.boundaries["ags"].to_numpy()[
        base.boundaries.geometry.sindex.nearest(shapely.points(centres), return_all=False)[1]]
    status = np.where(rng.random(areas) < 1 / 3, "zugeordnet",
                      rng.choice(["geplant", "verfügbar", "reserviert", "gesperrt"], size=areas))
    pool = gpd.GeoDataFrame({"pool_id": [f"SYN-{i:06d}" for i in range(areas)], "ags": ags[:areas],
                             "status": status, "free_points": 0.0}, geometry=polygons[:areas], crs=schema.CRS)
    kinds = rng.choice(list(schema.INTERVENTION_KINDS), size=n - areas)
    itv = gpd.GeoDataFrame({"intervention_id": [f"EIN-{i:06d}" for i in range(n - areas)], "ags": ags[areas:],
                            "kind": kinds, "status": "genehmigt"}, geometry=polygons[areas:], crs=schema.CRS)
    # Each booked area books for a random intervention of its own municipality.
    booked = np.flatnonzero(status == "zugeordnet")
    order = np.argsort(itv["ags"].to_numpy(), kind="stable")
    towns, first, per_town = np.unique(itv["ags"].to_numpy()[order], return_index=True, return_counts=True)
    town = np.searchsorted(towns, pool["ags"].to_numpy()[booked])
    partner = order[first[town] + (rng.random(len(booked)) * per_town[town]).astype(int)]
    allocations = pd.DataFrame({"allocation_id": [f"B-{i:07d}" for i in range(len(booked))],
                                "intervention_id": itv["intervention_id"].to_numpy()[partner],
                                "pool_id": pool["pool_id"].to_numpy()[booked], "kind": "zugeordnet", "points": 1.0,
                                "reverses": None})
    return summary.PoolView(boundaries=base.boundaries, pool_areas=pool, interventions=itv,
                            allocations=allocations, history=base.history)


def tile_of(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2**z
    return (lon + 180) / 360 * n, (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n


def view_tiles(z: int) -> list[tuple[int, int]]:
    """The 512 px tiles a VIEW_PX map centred on CENTRE needs at zoom *z*."""
    cx, cy = tile_of(*CENTRE, z)
    half_w, half_h = VIEW_PX[0] / 2 / 512, VIEW_PX[1] / 2 / 512
    return [(x, y) for x in range(math.floor(cx - half_w), math.floor(cx + half_w) + 1)
            for y in range(math.floor(cy - half_h), math.floor(cy + half_h) + 1)]


def measure(name: str, view: summary.PoolView, store: object = None) -> None:
    """Index build, then per zoom: tiles per view, median time per tile, summed time and bytes per view.

    With a *store* that encodes its own layers (PostGIS), that store makes the tiles.
    """
    print(f"{name}: {len(view.pool_areas)} pool areas, {len(view.interventions)} interventions")
    build = median_seconds(lambda: tiles.TileIndex.of(view), runs=1 if len(view.pool_areas) > 20_000 else 3)
    index = tiles.TileIndex.of(view)
    print(f"  index (per data version)            {build:7.2f} s")
    print("  zoom  tiles/view  median ms/tile  server ms/view  kB/view  kind")
    for z in ZOOMS:
        wanted = view_tiles(z)
        per_tile = [median_seconds(functools.partial(tiles.render, index, z, x, y, store), runs=3) for x, y in wanted]
        body = [tiles.render(index, z, x, y, store) for x, y in wanted]
        kind = "clusters" if any(tiles.CLUSTERS.encode() in b for b in body) else "shapes"
        print(f"  {z:4d}  {len(wanted):10d}  {np.median(per_tile) * 1000:14.1f}  {sum(per_tile) * 1000:14.1f}"
              f"  {sum(map(len, body)) / 1024:7.0f}  {kind}")


def main() -> None:
    demo = summary.pool_view(GeoPackageStore(REPO / "data").read_all())
    measure("demo pool, GeoPackage (shapely + mapbox-vector-tile)", demo)
    print(f"  (the Folium map of the demo embeds {webmap.prepare_layers(demo).payload_bytes / 1024:,.0f} kB"
          " of GeoJSON in every view)")
    with postgis_demo(REPO / "data") as store:  # the demo in a throwaway PostGIS database (as bench_store.py)
        if store is not None:
            measure("demo pool, PostGIS (ST_AsMVT)", summary.pool_view(store.read_all()), store)
    for areas in [int(a) for a in sys.argv[1:]] or [10_000, 200_000]:
        measure(f"synthetic pool ({areas:,})", synthetic(demo, areas))


if __name__ == "__main__":
    main()
