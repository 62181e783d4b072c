"""Large synthetic pools of the project's schema inside the partners' real boundaries, for the benchmarks.

``pool(n)`` gives *n* pool areas (polygons of 25 vertices on a jittered grid inside the municipalities, so
none overlap), ``n // 4`` interventions and one booking for every third pool area; attributes are drawn
from the demo pool (fixed seed, the same *n* always gives the same pool). ``store(n, folder)`` writes it
as a GeoPackage store (through :func:`geo.demo.write`, the demo's history and chain included);
``postgis_store`` copies such a folder into a PostGIS database. Never committed: benchmarks write into
temporary folders.

Run ``.venv/bin/python benchmarks/generate.py 50000 /tmp/pool50k [--database-url postgresql://…]``.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from geo import demo, schema  # noqa: E402
from geo.accounting import ledger, valuation  # noqa: E402
from geo.store import empty_monitoring  # noqa: E402
from geo.store.gpkg import GeoPackageStore  # noqa: E402
from geo.store.postgis import PostGISStore  # noqa: E402

SEED = 20261129
SIZES = (10_000, 50_000, 200_000)
VERTICES = 25  # per polygon, the closing vertex included
BOUNDARIES = REPO / "data" / demo.BOUNDARY_FILE
INSET_M = 60.0  # areas keep this distance from the municipal border, as in the demo


def _cells(rng: np.random.Generator, boundaries: gpd.GeoDataFrame, count: int) -> tuple[np.ndarray, np.ndarray, float]:
    """*count* cell centres inside the boundaries (shuffled), their AGS, and the cell size in metres."""
    inner = shapely.buffer(boundaries.geometry.to_numpy(), -INSET_M)
    side = float(np.sqrt(shapely.area(inner).sum() / count))
    while True:
        minx, miny, maxx, maxy = shapely.total_bounds(inner)
        grid = np.meshgrid(np.arange(minx + side / 2, maxx, side), np.arange(miny + side / 2, maxy, side))
        xs, ys = grid[0].ravel(), grid[1].ravel()
        owner = np.full(len(xs), -1)
        for i, outline in enumerate(shapely.buffer(inner, -side / 2)):
            shapely.prepare(outline)
            owner[(owner < 0) & shapely.contains_xy(outline, xs, ys)] = i
        inside = np.flatnonzero(owner >= 0)
        if len(inside) >= count:
            chosen = rng.permutation(inside)[:count]
            return np.c_[xs[chosen], ys[chosen]], boundaries["ags"].to_numpy()[owner[chosen]], side
        side *= 0.95


def _polygons(rng: np.random.Generator, centres: np.ndarray, side: float) -> np.ndarray:
    """A star-shaped polygon of :data:`VERTICES` vertices within the cell around each centre."""
    angles = np.linspace(0.0, 2 * np.pi, VERTICES)[:-1]
    radii = side * rng.uniform(0.25, 0.45, size=(len(centres), VERTICES - 1))
    ring = np.stack([centres[:, :1] + radii * np.cos(angles), centres[:, 1:] + radii * np.sin(angles)], axis=-1)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    return np.asarray(shapely.polygons(np.round(ring, 2)))


def _from_templates(rng: np.random.Generator, templates: gpd.GeoDataFrame, geometry: np.ndarray, ags: np.ndarray,
                    key: str, points: str) -> gpd.GeoDataFrame:
    """Rows drawn from *templates* with new ids, *geometry* and *ags*; *points* left to the valuation."""
    drawn = templates.iloc[rng.integers(0, len(templates), len(geometry))].reset_index(drop=True)
    prefixes = pd.Series(ags).map({m.ags: demo.PREFIX[m.slug] for m in schema.MUNICIPALITIES})
    drawn[key] = prefixes + "-G" + pd.Series(np.arange(len(geometry))).map("{:06d}".format)
    drawn["ags"] = ags
    drawn[points] = np.nan
    return gpd.GeoDataFrame(drawn, geometry=geometry, crs=schema.CRS)


def _ledger(rng: np.random.Generator, pool: gpd.GeoDataFrame, interventions: gpd.GeoDataFrame) -> pd.DataFrame:
    """One booking for every third pool area (of those worth 2 WP or more), to an intervention in procedure or
    approved of its municipality."""
    open_itv = interventions[interventions["status"] != "geplant"]
    worth = np.flatnonzero(pool["value_points"].to_numpy(dtype=float) >= 2)
    booked = rng.permutation(worth)[: len(pool) // 3]
    targets = []
    by_ags = {ags: group["intervention_id"].to_numpy() for ags, group in open_itv.groupby("ags")}
    for ags in pool["ags"].to_numpy()[booked]:
        ids = by_ags.get(ags, open_itv["intervention_id"].to_numpy())
        targets.append(ids[rng.integers(0, len(ids))])
    status = interventions.set_index("intervention_id")["status"]
    kinds = np.where(status.loc[targets].to_numpy() == "im Verfahren", "reserviert", "zugeordnet")
    days = pd.to_datetime("2026-01-05") + pd.to_timedelta(rng.integers(0, 290, len(booked)), unit="D")
    points = np.floor(pool["value_points"].to_numpy()[booked] * rng.uniform(0.3, 1.0, len(booked)))
    order = np.argsort(days.to_numpy(), kind="stable")
    day_text = days.strftime("%Y-%m-%d").to_numpy()[order]
    return pd.DataFrame({
        "allocation_id": [f"B-2026-{i:06d}" for i in range(1, len(booked) + 1)],
        "intervention_id": np.asarray(targets, dtype=object)[order],
        "pool_id": pool["pool_id"].to_numpy()[booked][order],
        "kind": kinds[order], "points": np.maximum(points[order], 1.0), "date": day_text,
        "booked_by": pd.Series(pool["ags"].to_numpy()[booked][order]).map(
            {m.ags: f"{m.slug}.gis" for m in schema.MUNICIPALITIES}).to_numpy(),
        "notes": "", "reverses": None, "created_at": [f"{day}T09:00:00+01:00" for day in day_text],
    })


def pool(n: int, seed: int = SEED) -> demo.DemoData:
    """*n* pool areas, ``n // 4`` interventions and ``n // 3`` bookings (deterministic for *n* and *seed*)."""
    rng = np.random.default_rng([seed, n])
    templates = GeoPackageStore(REPO / "data").read_all()
    boundaries = demo.load_boundaries(BOUNDARIES)[["ags", "name", "geometry"]]
    n_itv = n // 4
    centres, ags, side = _cells(rng, boundaries, n + n_itv)
    shapes = _polygons(rng, centres, side)
    areas = _from_templates(rng, templates.pool_areas.assign(status="verfügbar"), shapes[:n], ags[:n],
                            "pool_id", "value_points")
    interventions = _from_templates(rng, templates.interventions, shapes[n:], ags[n:], "intervention_id",
                                    "demand_points")
    tables = valuation.read_tables(GeoPackageStore(REPO / "data"))
    areas["value_points"] = valuation.pool_gain(areas, tables, on=demo.REFERENCE_DATE)
    interventions["demand_points"] = valuation.intervention_demand(interventions, tables)
    entries = _ledger(rng, areas, interventions)
    booked = entries.groupby("intervention_id")["points"].sum()
    demand = interventions["intervention_id"].map(booked).fillna(0.0) * rng.uniform(1.0, 1.5, len(interventions))
    interventions["demand_points"] = np.maximum(interventions["demand_points"], np.round(demand))
    areas["status"] = ledger.enrich_pool(areas, entries)["status"]
    unbooked = ~areas["pool_id"].isin(entries["pool_id"])
    withheld = unbooked & (rng.random(n) < 0.1)
    areas.loc[withheld, "status"] = rng.choice(["geplant", "gesperrt"], int(withheld.sum()))
    return demo.DemoData(boundaries=boundaries, pool_areas=areas, interventions=interventions, allocations=entries,
                         natural_regions=demo.natural_regions(boundaries), monitoring=empty_monitoring(), files={})


def store(n: int, folder: Path, seed: int = SEED) -> GeoPackageStore:
    """:func:`pool` written as a GeoPackage store into *folder*."""
    demo.write(pool(n, seed), folder, BOUNDARIES)
    return GeoPackageStore(folder)


def postgis_store(folder: Path, url: str) -> PostGISStore:
    """The GeoPackage store in *folder* copied into the PostGIS database at *url* (replacing its content)."""
    source = GeoPackageStore(folder)
    target = PostGISStore(url)
    target.replace_all(source.read_all(), valuation=source.read_valuation_sources())
    return target


def add_pool_arguments(parser: argparse.ArgumentParser) -> None:
    """``--pool demo|10000|…`` and ``--data DIR`` (a pool generated before) for a benchmark script."""
    parser.add_argument("--pool", default="demo", help="demo (default) or a number of pool areas to generate")
    parser.add_argument("--data", type=Path, help="a folder written by this module before (skips generating)")


@contextlib.contextmanager
def pool_folder(args: argparse.Namespace) -> Iterator[Path]:
    """The store folder the arguments of :func:`add_pool_arguments` name: *data*, a temporary copy of the demo,
    or a pool generated into a temporary folder (removed afterwards)."""
    if args.data:
        yield args.data
        return
    with tempfile.TemporaryDirectory(prefix="flaechenpool-bench-") as tmp:
        folder = Path(tmp) / "data"
        if args.pool == "demo":
            shutil.copytree(REPO / "data", folder)
        else:
            store(int(args.pool), folder)
        yield folder


def label(args: argparse.Namespace) -> str:
    """``demo`` or ``50.000 areas`` for the output."""
    if args.data:
        return f"{len(GeoPackageStore(args.data).read_layer(schema.POOL_AREAS)):,} areas ({args.data})"
    return "demo" if args.pool == "demo" else f"{int(args.pool):,} areas"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A large synthetic pool for the benchmarks.")
    parser.add_argument("n", type=int, help="number of pool areas (e.g. 10000, 50000, 200000)")
    parser.add_argument("out", type=Path, help="folder for the GeoPackage store (never inside the repository)")
    parser.add_argument("--database-url", help="also copy the pool into this PostGIS database")
    args = parser.parse_args(argv)
    written = store(args.n, args.out)
    data = written.read_all()
    print(f"{len(data.pool_areas)} Poolflächen, {len(data.interventions)} Eingriffe, {len(data.allocations)} "
          f"Buchungen → {args.out}")
    if args.database_url:
        postgis_store(args.out, args.database_url).close()
        print(f"→ {args.database_url.rpartition('@')[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
