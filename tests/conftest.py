"""Shared fixtures: a private copy of the demo data, tiny hand-built frames."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import schema
from geo.store.gpkg import GeoPackageStore

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def copy_demo_data(target: Path) -> Path:
    """Copy the committed demo pool (GeoPackages, tables, boundaries, demo accounts) into *target*."""
    target.mkdir(parents=True, exist_ok=True)
    for path in DATA.glob("*.gpkg"):
        shutil.copyfile(path, target / path.name)
    shutil.copytree(DATA / "valuation", target / "valuation")
    shutil.copytree(DATA / "versions", target / "versions")
    for name in ("municipalities_25833.geojson", "users.json"):
        shutil.copyfile(DATA / name, target / name)
    return target


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the demo data; the app (FLAECHENPOOL_DATA) points at it."""
    target = copy_demo_data(tmp_path / "data")
    monkeypatch.setenv("FLAECHENPOOL_DATA", str(target))
    return target


@pytest.fixture
def demo_store(demo_dir: Path) -> GeoPackageStore:
    return GeoPackageStore(demo_dir)


WURZEN, MACHERN, LEIPZIG = "14729410", "14729250", "14713000"


def square(x: float, y: float, side: float):
    """A square polygon in EPSG:25833 with its lower-left corner at (x, y)."""
    return box(x, y, x + side, y + side)


def pool_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Pool areas with defaults for every schema field; rows give what matters."""
    base = {"name": "Testfläche", "ags": WURZEN, "status": "verfügbar", "measure_type": "Aufforstung",
            "biotope_before": "AIN", "biotope_after": "WLB", "measure_start": None, "measure_end": None,
            "owner": "", "parcels": "", "notes": ""}
    return gpd.GeoDataFrame([{**base, **r} for r in rows], geometry="geometry", crs=schema.CRS)


def intervention_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    base = {"name": "Testeingriff", "ags": WURZEN, "kind": "B-Plan", "status": "genehmigt",
            "biotope_before": "GMF", "biotope_after": "XVS", "approval_date": None}
    return gpd.GeoDataFrame([{**base, **r} for r in rows], geometry="geometry", crs=schema.CRS)
