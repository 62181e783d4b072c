"""Upload files generated for the tests: last year's Brandis shapefile and friends.

Everything is built from the demo data in a temporary folder and returned as bytes,
the way a browser would send it.
"""

from __future__ import annotations

import io
import json
import sqlite3
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
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


# --- the corpus of issue 12: hostile, misplaced and legacy files, built from a pool layer ----------------

# A municipal office's Shapefile as old desktop GIS writes it: DBF names cut to 10 characters.
LEGACY_COLUMNS = {
    "pool_id": "FLAECHE_ID", "name": "BEZEICHNUNG", "status": "STATUS", "measure_type": "MASSNAHME",
    "biotope_before": "BIOTOP_VORHER", "biotope_after": "BIOTOP_NACHHER", "value_points": "WERTPUNKTE",
    "measure_start": "MASSN_BEGINN", "measure_end": "MASSN_ENDE", "owner": "EIGENTUEMER",
    "parcels": "FLURSTUECKE", "notes": "BEMERKUNG",
}


def _moved(frame: gpd.GeoDataFrame, dx: float = 0.0, dy: float = 0.0, *, swap: bool = False,
           scale: float = 1.0) -> gpd.GeoDataFrame:
    """*frame* with its coordinates shifted, swapped or scaled, the CRS label left as it is."""
    def move(xy):
        xy = xy[:, ::-1] if swap else xy
        return xy * scale + [dx, dy]
    return frame.set_geometry(shapely.transform(frame.geometry.values, move), crs=frame.crs)


def geojson(frame: gpd.GeoDataFrame, name: str, *, layer_name: str | None = None) -> UploadedFile:
    """RFC 7946 GeoJSON (EPSG:4326, no ``crs`` member), with or without a top-level ``name``."""
    web = frame.to_crs("EPSG:4326")
    table = schema.dates_as_text(web.drop(columns="geometry")).astype(object)
    props = table.where(table.notna(), None).to_dict(orient="records")
    features = [{"type": "Feature", "properties": p, "geometry": json.loads(g)}
                for p, g in zip(props, shapely.to_geojson(web.geometry.values), strict=True)]
    body = {"type": "FeatureCollection", **({"name": layer_name} if layer_name else {}), "features": features}
    return UploadedFile(name, json.dumps(body, ensure_ascii=False).encode())


def zone_prefixed_shapefile(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    """A Shapefile whose .prj says EPSG:25833 while its eastings carry the zone prefix 33 (EPSG:5650)."""
    return zipped(shapefile_parts(_moved(frame, 33_000_000), "zone", tmp), "flaechen_zone.zip")


def swapped_gpkg(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    """A GeoPackage in EPSG:4326 with latitude and longitude swapped."""
    return as_file(_moved(frame.to_crs("EPSG:4326"), swap=True), "vertauscht.gpkg", tmp)


def gk4_labelled_utm(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    """Gauß-Krüger 4 coordinates in a file that says EPSG:25833."""
    return as_file(frame.to_crs("EPSG:31468").set_crs(schema.CRS, allow_override=True), "gk4.gpkg", tmp)


def legacy_shapefile(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    """Zipped Shapefile in Windows-1252 (with .cpg), its column names cut to 10 characters by the driver."""
    legacy = gpd.GeoDataFrame(schema.dates_as_text(frame[[*LEGACY_COLUMNS, "geometry"]].rename(
        columns=LEGACY_COLUMNS)), geometry="geometry", crs=frame.crs)
    return zipped(shapefile_parts(legacy, "Ausgleich_alt", tmp, encoding="cp1252"), "Ausgleich_alt.zip")


def gpkg_with_nul(frame: gpd.GeoDataFrame, tmp: Path, pool_id: str, text: str) -> UploadedFile:
    """A GeoPackage whose name of *pool_id* holds a NUL byte (GDAL would read only what is before it)."""
    path = tmp / "nullbyte.gpkg"
    _write(frame, path, "GPKG")
    with sqlite3.connect(path) as con:
        table = con.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{trigger}"')
        con.execute(f'UPDATE "{table}" SET name = ? WHERE pool_id = ?', (text, pool_id))
    return UploadedFile(path.name, path.read_bytes())


def kml(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    path = tmp / "flaechen.kml"
    _write(frame.to_crs("EPSG:4326"), path, "KML")
    return UploadedFile(path.name, path.read_bytes())


def flatgeobuf(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    path = tmp / "flaechen.fgb"
    _write(frame, path, "FlatGeobuf")
    return UploadedFile(path.name, path.read_bytes())


def csv_wkt(frame: gpd.GeoDataFrame) -> UploadedFile:
    """A CSV as Excel writes it in Germany (semicolons, Windows-1252) with a WKT column, no CRS."""
    table = schema.dates_as_text(frame.drop(columns="geometry")).assign(WKT=shapely.to_wkt(frame.geometry.values))
    return UploadedFile("flaechen.csv", table.to_csv(sep=";", index=False).encode("cp1252"))


def csv_xy(frame: gpd.GeoDataFrame) -> UploadedFile:
    """A CSV with a point per area in Rechtswert/Hochwert columns, no CRS."""
    points = frame.geometry.representative_point()
    table = frame[["pool_id", "name"]].assign(Rechtswert=points.x.round(2), Hochwert=points.y.round(2))
    return UploadedFile("punkte.csv", table.to_csv(index=False).encode())


def two_layer_gpkg(frame: gpd.GeoDataFrame, tmp: Path) -> UploadedFile:
    """A GeoPackage with an unrelated first layer and the pool areas (own column names) second."""
    path = tmp / "projekt.gpkg"
    other = frame[["geometry"]].assign(stand="alt", gid=range(len(frame)))
    _write(other, path, "GPKG", layer="aaa_hilfslinien")
    _write(frame.rename(columns=BRANDIS_COLUMNS), path, "GPKG", layer="flaechen_2026", append=False)
    return UploadedFile(path.name, path.read_bytes())
