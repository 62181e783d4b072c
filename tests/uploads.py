"""Upload files generated for the tests: last year's Brandis shapefile and friends.

Everything is built from the demo data in a temporary folder and returned as bytes,
the way a browser would send it.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import Polygon, box

from geo import schema
from geo.store.gpkg import GeoPackageStore
from geo.upload.ingest import UploadedFile

BRANDIS = "14729070"
# Brandis's own column names (Shapefile: at most 10 characters).
BRANDIS_COLUMNS = {
    "pool_id": "FLAECHE_ID", "name": "FLURNAME", "status": "Status", "measure_type": "MASSNAHME",
    "biotope_before": "BT_VORHER", "biotope_after": "BT_ZIEL", "value_points": "WP", "measure_start": "BEGINN",
    "measure_end": "ENDE", "owner": "EIGENTUEM", "owner_type": "EIGENTART", "parcels": "FLST", "notes": "BEMERKUNG",
}
GROWN = "BRA-2017-010"  # not booked: enlarged by 25 m all round (its WP column is then 1 % off)
RENAMED = "BRA-2020-014"  # not booked: new local name
BOWTIE = "BRA-2019-025"  # not booked: drawn as a self-intersecting ring
NEW_ID = "BRA-2026-029"


def _write(frame: gpd.GeoDataFrame, path: Path, driver: str, **kw) -> None:
    """Write like a desktop GIS would, also what it warns about (no CRS, 10-character field names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(frame, path, driver=driver, **kw)


def as_file(frame: gpd.GeoDataFrame, name: str, tmp: Path, **kw) -> UploadedFile:
    """*frame* written as GeoPackage/GeoJSON (by suffix) and read back as bytes."""
    path = tmp / name
    driver = "GeoJSON" if name.endswith(".geojson") else "GPKG"
    _write(frame, path, driver, **kw)
    return UploadedFile(name, path.read_bytes())


def shapefile_parts(frame: gpd.GeoDataFrame, stem: str, tmp: Path, *, drop: tuple[str, ...] = (),
                    **kw) -> list[UploadedFile]:
    """*frame* as the parts of a Shapefile (``drop`` leaves parts out, e.g. ``(".prj",)``)."""
    folder = tmp / f"shp-{stem}"
    folder.mkdir(parents=True, exist_ok=True)
    _write(frame, folder / f"{stem}.shp", "ESRI Shapefile", **kw)
    return [UploadedFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.suffix not in drop]


def zipped(parts: list[UploadedFile], name: str, folder: str = "") -> UploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            archive.writestr(f"{folder}{part.name}", part.data)
    return UploadedFile(name, buffer.getvalue())


def brandis_last_year(store: GeoPackageStore) -> gpd.GeoDataFrame:
    """Brandis's pool layer as its GIS office keeps it: own column names, Gauss-Krüger 4 (EPSG:31468),
    German spelling without umlauts in the status, and a few areas changed since."""
    pool = store.read_layer(schema.POOL_AREAS, [BRANDIS]).drop(columns="ags")
    pool["status"] = pool["status"].replace({"verfügbar": "verfuegbar", "geplant": "in Planung"})
    pool.loc[pool["pool_id"] == GROWN, "geometry"] = pool.loc[pool["pool_id"] == GROWN].buffer(25.0)
    pool.loc[pool["pool_id"] == RENAMED, "name"] = "Am Lindenberg"
    bowtie = pool["pool_id"] == BOWTIE
    x, y = pool.loc[bowtie].geometry.iloc[0].centroid.coords[0]
    pool.loc[bowtie, "geometry"] = gpd.GeoSeries(
        [Polygon([(x - 100, y - 100), (x + 100, y + 100), (x + 100, y - 100), (x - 100, y + 100)])],
        index=pool.index[bowtie], crs=pool.crs)
    new = pool[pool["pool_id"] == GROWN].copy()
    new["pool_id"], new["name"], new["value_points"], new["notes"] = NEW_ID, "Neue Wiese am Park", None, "neu"
    boundary = store.read_layer(schema.BOUNDARY, [BRANDIS]).geometry.iloc[0]
    cx, cy = boundary.representative_point().coords[0]
    new["geometry"] = gpd.GeoSeries([box(cx - 60, cy - 60, cx + 60, cy + 60)], index=new.index, crs=new.crs)
    new["status"] = "in Planung"
    pool = gpd.GeoDataFrame(gpd.pd.concat([pool, new], ignore_index=True), geometry="geometry", crs=schema.CRS)
    pool = pool.rename(columns=BRANDIS_COLUMNS).to_crs("EPSG:31468")
    return pool[[*BRANDIS_COLUMNS.values(), "geometry"]]


def brandis_shapefile_zip(store: GeoPackageStore, tmp: Path) -> UploadedFile:
    parts = shapefile_parts(brandis_last_year(store), "Ausgleichsflaechen_Brandis_2025", tmp, encoding="UTF-8")
    return zipped(parts, "Ausgleichsflaechen_Brandis_2025.zip")
