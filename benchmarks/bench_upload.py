"""Upload pipeline timings: last year's Brandis shapefile, a large layer, and a too-fine layer refused.

Run: .venv/bin/python benchmarks/bench_upload.py   (medians of 5 runs, on a temporary copy of the demo data)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import median_seconds
from geo import schema
from geo.accounting import valuation
from geo.errors import DataError
from geo.store.gpkg import GeoPackageStore
from geo.upload import columns, diff, ingest, validate
from tests.conftest import copy_demo_data
from tests.uploads import BRANDIS, as_file, brandis_shapefile_zip

RUNS = 5


def pipeline(store: GeoPackageStore, files: list[ingest.UploadedFile], ags: str, values: dict) -> None:
    source = ingest.open_upload(files)
    raw = ingest.read_source(source)
    layer = columns.detect_layer(list(raw.columns)) or schema.POOL_AREAS
    chosen = columns.Mapping(layer, columns.guess_columns(list(raw.columns), layer), values)
    ctx = validate.context_for(ags, layer, stored=store.read_layer(layer), boundaries=store.read_layer(schema.BOUNDARY),
                               tables=valuation.read_tables(store))
    report = validate.validate(columns.apply(raw, chosen), layer, ctx, repair=True, recompute_points=True)
    assert report.frame is not None, "the benchmark's upload is readable"
    diff.diff_layer(store.read_layer(layer, [ags]), report.frame, layer, allocations=store.read_allocations())


def large_layer(store: GeoPackageStore, n: int, vertices: int):
    """*n* square-ish polygons with *vertices* vertices each, inside Brandis, as Brandis's pool areas."""
    pool = store.read_layer(schema.POOL_AREAS, [BRANDIS])
    minx, miny, maxx, maxy = store.read_layer(schema.BOUNDARY, [BRANDIS]).total_bounds
    side = int(np.ceil(np.sqrt(n)))
    step = min(maxx - minx, maxy - miny) / side
    angles = np.linspace(0, 2 * np.pi, vertices)
    rows = pool.iloc[np.arange(n) % len(pool)].reset_index(drop=True)
    rows["pool_id"] = [f"BRA-2026-{i:05d}" for i in range(n)]
    centres = [(minx + (i % side + 0.5) * step, miny + (i // side + 0.5) * step) for i in range(n)]
    rows["geometry"] = gpd.GeoSeries(
        [shapely.Polygon(np.c_[x + np.cos(angles) * step * 0.4, y + np.sin(angles) * step * 0.4]) for x, y in centres],
        index=rows.index, crs=rows.crs)
    rows["value_points"] = None
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        store = GeoPackageStore(copy_demo_data(tmp / "data"))
        shapefile = brandis_shapefile_zip(store, tmp)
        values = {"status": {"verfuegbar": "verfügbar", "in Planung": "geplant"}}
        print(f"Brandis shapefile ({len(shapefile.data) / 1024:.0f} KB zip, 29 areas, EPSG:31468): "
              f"check+read+validate+diff median "
              f"{median_seconds(lambda: pipeline(store, [shapefile], BRANDIS, values)):.2f} s")
        big = large_layer(store, 3000, 100)
        big_file = as_file(big, "gross.gpkg", tmp)
        print(f"3.000 areas × 100 vertices ({len(big_file.data) / 1e6:.1f} MB GeoPackage): "
              f"median {median_seconds(lambda: pipeline(store, [big_file], BRANDIS, {})):.2f} s")
        fine = large_layer(store, 300, 10_000)
        fine_file = as_file(fine, "fein.gpkg", tmp)

        def refuse() -> None:
            try:
                ingest.read_source(ingest.open_upload([fine_file]))
            except DataError:
                return
            raise AssertionError("a 3-million-vertex layer was accepted")

        print(f"300 areas × 10.000 vertices = 3 Mio. vertices ({len(fine_file.data) / 1e6:.1f} MB): refused after "
              f"median {median_seconds(refuse):.2f} s")


if __name__ == "__main__":
    main()
