"""Upload pipeline timings: last year's Brandis shapefile, a large layer, and a too-fine layer refused;
with ``--pool``, one municipality's pool areas (nearest 22.000) uploaded again with a few edits.

Run: .venv/bin/python benchmarks/bench_upload.py [--pool demo|10000|50000|200000] [--data DIR]
(medians of 5 runs; the demo cases on a temporary copy of the demo data). The reference for the
municipal upload is reading the same file bare (``pyogrio.read_dataframe(use_arrow=True)``) in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import generate
from benchmarks.timing import median_seconds
from geo import schema
from geo.accounting import valuation
from geo.errors import DataError
from geo.store.gpkg import GeoPackageStore
from geo.upload import columns, diff, ingest, validate
from tests.conftest import copy_demo_data
from tests.uploads import BRANDIS, as_file, brandis_shapefile_zip

RUNS = 5
LAYER_SIZE = 22_000  # "one municipality's layer (~22k features at 200k)" of issue 20


def pipeline(store: GeoPackageStore, files: list[ingest.UploadedFile], ags: str, values: dict, *,
             recompute: bool = True) -> None:
    source = ingest.open_upload(files)
    raw = ingest.read_source(source)
    layer = columns.detect_layer(list(raw.columns)) or schema.POOL_AREAS
    chosen = columns.Mapping(layer, columns.guess_columns(list(raw.columns), layer), values)
    ctx = validate.context_for(ags, layer, stored=store.read_layer(layer), boundaries=store.read_layer(schema.BOUNDARY),
                               tables=valuation.read_tables(store))
    report = validate.validate(columns.apply(raw, chosen), layer, ctx, repair=True, recompute_points=recompute)
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


def edited(layer: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """*layer* as a municipality would upload it again: 2 % renamed, 1 % moved by 5 m, 50 new areas."""
    out = layer.copy()
    renamed = rng.random(len(out)) < 0.02
    out.loc[renamed, "name"] = out.loc[renamed, "name"] + " (neu vermessen)"
    moved = rng.random(len(out)) < 0.01
    out.loc[moved, "geometry"] = out.loc[moved].geometry.translate(5.0, 0.0)
    new = out.iloc[:50].copy()
    new["pool_id"] = [f"{i}-NEU" for i in new["pool_id"]]
    new["geometry"] = new.geometry.translate(0.0, 0.0).scale(0.3, 0.3)
    new["value_points"] = None
    return gpd.GeoDataFrame(pd.concat([out, new], ignore_index=True), crs=layer.crs)


def municipal_upload(args: argparse.Namespace) -> None:
    """A municipality's pool areas (the layer nearest :data:`LAYER_SIZE`) uploaded again: check + read + validate
    + diff, diff alone, bare read."""
    with generate.pool_folder(args) as folder, tempfile.TemporaryDirectory() as tmp_name:
        store = GeoPackageStore(folder)
        pool = store.read_layer(schema.POOL_AREAS)
        counts = pool["ags"].value_counts()
        ags = str((counts - LAYER_SIZE).abs().idxmin())  # the municipality whose layer is nearest the size
        stored = store.read_layer(schema.POOL_AREAS, [ags])
        upload = as_file(edited(stored, np.random.default_rng(7)), "flaechen.gpkg", Path(tmp_name))
        path = Path(tmp_name) / "flaechen.gpkg"
        bare = median_seconds(lambda: pyogrio.read_dataframe(path, use_arrow=True))
        whole = median_seconds(lambda: pipeline(store, [upload], ags, {}, recompute=False))
        source = ingest.open_upload([upload])
        raw = ingest.read_source(source)
        chosen = columns.Mapping(schema.POOL_AREAS, columns.guess_columns(list(raw.columns), schema.POOL_AREAS), {})
        ctx = validate.context_for(ags, schema.POOL_AREAS, stored=stored, boundaries=store.read_layer(schema.BOUNDARY),
                                   tables=valuation.read_tables(store))
        report = validate.validate(columns.apply(raw, chosen), schema.POOL_AREAS, ctx, repair=True)
        assert report.frame is not None, "the benchmark's upload is readable"
        frame, allocations = report.frame, store.read_allocations()
        alone = median_seconds(lambda: diff.diff_layer(stored, frame, schema.POOL_AREAS, allocations=allocations))
        change = diff.diff_layer(stored, frame, schema.POOL_AREAS, allocations=allocations)
    print(f"{generate.label(args)}: {schema.AGS_NAMES[ags]}'s {len(stored):,} pool areas uploaded again "
          f"({len(upload.data) / 1e6:.1f} MB GeoPackage; {change.counts})")
    print(f"  reference, bare pyogrio read of the file: {bare:6.2f} s")
    print(f"  check + read + validate + diff:           {whole:6.2f} s   ratio {whole / bare:5.1f}x")
    print(f"  diff alone:                               {alone:6.2f} s   ratio {alone / bare:5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description="Upload pipeline benchmarks.")
    generate.add_pool_arguments(parser)
    args = parser.parse_args()
    municipal_upload(args)
    if args.pool != "demo" or args.data:
        return
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
