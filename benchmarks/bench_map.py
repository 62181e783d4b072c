"""Map payload and server time per rerun, on the demo pool and on a pool scaled to ~3.000 areas.

Run: ``.venv/bin/python benchmarks/bench_map.py``. Prints medians (ms) and sizes (kB):
- payload: raw GeoJSON (all columns, full geometry, EPSG:4326) vs. the trimmed layers,
  and the whole HTML the map component embeds;
- server time per rerun: building the map cold (filter + GeoJSON + map + render) vs.
  with the GeoJSON cached (filter + map + render), as the page does per filter state.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import median_ms
from geo import schema
from geo.accounting import summary
from geo.map import mapfilter, webmap
from geo.store.gpkg import GeoPackageStore

REPO = Path(__file__).resolve().parent.parent
RUNS = 7


def scaled(view: summary.PoolView, factor: int) -> summary.PoolView:
    """*factor* copies of every pool area, each copy shifted 50 m and with its own id."""
    copies = []
    for i in range(factor):
        part = view.pool_areas.copy()
        part["pool_id"] = part["pool_id"] + f"-{i}"
        part["geometry"] = part.geometry.translate(50.0 * i, -50.0 * i)
        copies.append(part)
    pool = gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), geometry="geometry", crs=schema.CRS)
    return summary.PoolView(boundaries=view.boundaries, pool_areas=pool, interventions=view.interventions,
                            allocations=view.allocations, history=view.history)


def raw_geojson_bytes(view: summary.PoolView) -> int:
    frames = (view.boundaries, view.pool_areas, view.interventions)
    return sum(len(f.to_crs(schema.WEB_CRS).to_json(default=str).encode()) for f in frames)


def measure(name: str, view: summary.PoolView) -> None:
    flt = mapfilter.MapFilter()
    layers = webmap.prepare_layers(mapfilter.apply(view, flt))
    html = webmap.build_map(layers, offline=True).get_root().render()
    raw, trimmed = raw_geojson_bytes(view), layers.payload_bytes

    def cold() -> None:
        shown = mapfilter.apply(view, flt)
        webmap.build_map(webmap.prepare_layers(shown), offline=True).get_root().render()

    def cached() -> None:
        mapfilter.apply(view, flt)
        webmap.build_map(layers, offline=True).get_root().render()

    t_cold, t_cached = median_ms(cold), median_ms(cached)
    print(f"{name}: {len(view.pool_areas)} pool areas, {len(view.interventions)} interventions")
    print(f"  GeoJSON raw       {raw / 1024:9.0f} kB")
    print(f"  GeoJSON trimmed   {trimmed / 1024:9.0f} kB   ratio raw/trimmed {raw / trimmed:5.1f}")
    print(f"  embedded HTML     {len(html.encode()) / 1024:9.0f} kB")
    print(f"  rerun cold        {t_cold:9.1f} ms (median of {RUNS})")
    print(f"  rerun cached      {t_cached:9.1f} ms   ratio cold/cached {t_cold / t_cached:5.1f}")


def main() -> None:
    view = summary.pool_view(GeoPackageStore(REPO / "data").read_all())
    measure("demo pool", view)
    measure("scaled pool (x10)", scaled(view, 10))


if __name__ == "__main__":
    main()
