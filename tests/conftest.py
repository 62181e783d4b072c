"""Shared fixtures: a private copy of the demo data, stores on both backends, tiny hand-built frames.

``any_store`` / ``any_empty_store`` run a test on the GeoPackage store and on the PostGIS store
(a fresh database per test, copied from a template holding the demo data). The PostGIS half
needs a server (see :mod:`tests.pgserver`); without one it is skipped with one line in the
summary, except under ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import schema
from geo.store import Store
from geo.store.gpkg import GeoPackageStore
from geo.store.postgis import PostGISStore
from tests import pgserver

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def copy_demo_data(target: Path) -> Path:
    """Copy the committed demo pool (GeoPackages, tables, boundaries, demo accounts) into *target*."""
    target.mkdir(parents=True, exist_ok=True)
    for path in [*DATA.glob("*.gpkg"), *DATA.glob("files.sqlite"), *DATA.glob("*.csv")]:
        shutil.copyfile(path, target / path.name)
    shutil.copytree(DATA / "valuation", target / "valuation")
    shutil.copytree(DATA / "versions", target / "versions")
    for name in ("municipalities_25833.geojson", "users.json", "contacts.csv", "handbuch.md"):
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


POSTGIS_SKIPPED: list[str] = []


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgis_databases() -> Iterator[pgserver.Databases]:
    """Fresh PostGIS databases on one server for the whole session (skipped, or failed in CI, without one)."""
    try:
        with pgserver.server() as url:
            databases = pgserver.Databases(url, DATA)
            try:
                yield databases
            finally:
                databases.close()
    except pgserver.Unavailable as exc:
        if in_ci():
            pytest.fail(f"CI=true but the PostGIS half cannot run: {exc}")
        POSTGIS_SKIPPED.append(str(exc))
        pytest.skip(f"PostGIS-Hälfte übersprungen: {exc}")


POSTGIS_FIXTURES = {"postgis_databases", "postgis_store", "postgis_empty_store"}


def _needs_postgis(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    on_postgis = callspec is not None and "postgis" in (callspec.params.get("any_store"),
                                                        callspec.params.get("any_empty_store"))
    return on_postgis or bool(POSTGIS_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostGIS server, leave the PostGIS half out (one summary line says so); under CI it fails instead."""
    reason = pgserver.unavailable_reason()
    if reason is None or in_ci():
        return
    left_out = [item for item in items if _needs_postgis(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not _needs_postgis(item)]
        POSTGIS_SKIPPED.append(f"{len(left_out)} Tests, {reason}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if POSTGIS_SKIPPED:
        terminalreporter.write_line(f"PostGIS-Hälfte übersprungen: {POSTGIS_SKIPPED[0]}", yellow=True, bold=True)


@contextlib.contextmanager
def _postgis_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                   template: str) -> Iterator[PostGISStore]:
    databases: pgserver.Databases = request.getfixturevalue("postgis_databases")
    with databases.fresh(template) as url:
        monkeypatch.setenv("FLAECHENPOOL_DATABASE_URL", url)
        store = PostGISStore(url)
        try:
            yield store
        finally:
            store.close()


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request: pytest.FixtureRequest, demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The demo pool in a GeoPackage folder, then in a fresh PostGIS database (open_store() opens it too)."""
    if request.param == "gpkg":
        monkeypatch.delenv("FLAECHENPOOL_DATABASE_URL", raising=False)
        yield GeoPackageStore(demo_dir)
        return
    with _postgis_store(request, monkeypatch, pgserver.Databases.DEMO) as store:
        yield store


@pytest.fixture
def postgis_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[PostGISStore]:
    """The demo pool in a fresh PostGIS database; its URL is in FLAECHENPOOL_DATABASE_URL."""
    with _postgis_store(request, monkeypatch, pgserver.Databases.DEMO) as store:
        yield store


@pytest.fixture
def postgis_empty_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[PostGISStore]:
    """A fresh PostGIS database with the schema and no data."""
    with _postgis_store(request, monkeypatch, pgserver.Databases.EMPTY) as store:
        yield store


@pytest.fixture(params=["gpkg", "postgis"])
def any_empty_store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                    ) -> Iterator[Store]:
    """An empty store on both backends."""
    if request.param == "gpkg":
        yield GeoPackageStore(tmp_path / "empty")
        return
    with _postgis_store(request, monkeypatch, pgserver.Databases.EMPTY) as store:
        yield store


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
