"""Reading uploaded files safely, from bytes, without touching the disk.

Accepted: a GeoPackage, a GeoJSON file, a zipped Shapefile, or a Shapefile's parts
(``.shp``, ``.shx``, ``.dbf``, ``.prj``, ``.cpg``) uploaded together. Everything is
checked before it is opened: the size limit, the file type by its first bytes, and
for zip files every member's name, count, size and compression ratio (path traversal,
zip bombs). Shapefile parts are repacked into a flat in-memory zip; GDAL reads all of
it through its in-memory file system, so no uploaded byte is ever written to a folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import geopandas as gpd
import pyogrio
import pyogrio.errors
import shapely

from geo import fmt
from geo.errors import DataError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 50
MAX_ZIP_RATIO = 100
MAX_VERTICES = 2_000_000
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class Source:
    """An upload checked and ready for GDAL: one buffer plus what it is."""

    name: str
    kind: str  # "GeoPackage", "GeoJSON", "Shapefile"
    data: bytes
    checksum: str
    layers: tuple[str, ...]


def _mib(n: int) -> str:
    return f"{fmt.number(n / 1024 / 1024, 1)} MB"


def _check_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise DataError(f"„{name}“ ist keine lesbare ZIP-Datei (beschädigt oder unvollständig).") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataError(f"„{name}“ enthält {len(members)} Dateien; erlaubt sind höchstens {MAX_ZIP_MEMBERS}.")
    for info in members:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise DataError(f"„{name}“ enthält den unzulässigen Pfad „{info.filename}“ (außerhalb des Archivs). "
                            "Die Datei wird nicht entpackt.")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise DataError(f"„{name}“ enthält einen symbolischen Link („{info.filename}“); er wird nicht entpackt.")
        if info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
            raise DataError(f"„{name}“: „{info.filename}“ ist auffällig stark komprimiert "
                            f"({_mib(info.compress_size)} → {_mib(info.file_size)}); mögliche ZIP-Bombe, abgelehnt.")
    total = sum(info.file_size for info in members)
    if total > MAX_UNZIPPED_BYTES:
        raise DataError(f"„{name}“ wäre entpackt {_mib(total)} groß; erlaubt sind {_mib(MAX_UNZIPPED_BYTES)}.")
    return archive


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with archive.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DataError(f"„{name}“: „{info.filename}“ ist beschädigt ({exc}).") from exc
    if len(data) > info.file_size:
        raise DataError(f"„{name}“: „{info.filename}“ ist größer als angegeben; abgelehnt.")
    return data


def _shapefile_zip(parts: dict[str, bytes], name: str) -> bytes:
    """Flat in-memory zip of one Shapefile's parts (keys: lower-case suffix)."""
    missing = [s for s in (".shp", ".shx", ".dbf") if s not in parts]
    if missing:
        raise DataError(f"Zum Shapefile „{name}“ fehlen Teile: {', '.join(missing)}. "
                        "Bitte .shp, .shx, .dbf und .prj zusammen hochladen.")
    if ".prj" not in parts:
        raise DataError(f"Zum Shapefile „{name}“ fehlt die .prj-Datei: ohne Koordinatenbezugssystem kann es "
                        "nicht übernommen werden. Bitte die .prj-Datei mit hochladen.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for suffix, data in parts.items():
            out.writestr(f"upload{suffix}", data)
    return buffer.getvalue()


def _from_zip(data: bytes, name: str) -> tuple[str, bytes]:
    archive = _check_zip(data, name)
    infos = [i for i in archive.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")]
    by_suffix: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in infos:
        path = PurePosixPath(info.filename)
        if path.suffix.lower() in (".gpkg", ".geojson", ".json"):
            return path.name, _read_member(archive, info, name)
        by_suffix.setdefault(path.with_suffix("").as_posix(), {})[path.suffix.lower()] = info
    shapes = [stem for stem, parts in by_suffix.items() if ".shp" in parts]
    if not shapes:
        raise DataError(f"„{name}“ enthält weder ein Shapefile (.shp) noch ein GeoPackage oder GeoJSON.")
    if len(shapes) > 1:
        raise DataError(f"„{name}“ enthält {len(shapes)} Shapefiles ({', '.join(sorted(shapes))}); "
                        "bitte nur eines je Hochladen.")
    parts = {s: _read_member(archive, i, name) for s, i in by_suffix[shapes[0]].items() if s in SHAPEFILE_PARTS}
    return "Shapefile", _shapefile_zip(parts, name)


def _kind(name: str, data: bytes) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if data.startswith(_SQLITE_MAGIC):
        return "GeoPackage"
    if suffix == ".gpkg":
        raise DataError(f"„{name}“ ist kein GeoPackage (keine SQLite-Datenbank), obwohl die Endung .gpkg lautet. "
                        "Vielleicht eine umbenannte CSV- oder Textdatei?")
    if suffix in (".geojson", ".json"):
        try:
            parsed = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise DataError(f"„{name}“ ist nicht UTF-8-kodiert (Byte {exc.start + 1}); GeoJSON muss UTF-8 "
                            "sein.") from exc
        except json.JSONDecodeError as exc:
            raise DataError(f"„{name}“ ist kein gültiges JSON (Fehler in Zeile {exc.lineno}, Spalte {exc.colno}); "
                            "erwartet wird GeoJSON.") from exc
        if not isinstance(parsed, dict) or parsed.get("type") not in ("FeatureCollection", "Feature"):
            raise DataError(f"„{name}“ ist JSON, aber kein GeoJSON (erwartet: \"type\": \"FeatureCollection\").")
        return "GeoJSON"
    raise DataError(f"„{name}“: unbekanntes Format. Erlaubt sind GeoPackage (.gpkg), GeoJSON (.geojson) und "
                    "Shapefile (als .zip oder die Teile .shp, .shx, .dbf, .prj zusammen).")


def _layers(data: bytes, name: str) -> tuple[str, ...]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "non conformant file extension" of /vsimem
            found = pyogrio.list_layers(data)
    except pyogrio.errors.DataSourceError as exc:
        raise DataError(f"„{name}“ lässt sich nicht als Geodatensatz öffnen: {exc}") from exc
    spatial = tuple(str(layer) for layer, geom_type in found if geom_type is not None)
    if not spatial:
        raise DataError(f"„{name}“ enthält keine Ebene mit Geometrien.")
    return spatial


def open_upload(files: list[UploadedFile], *, max_bytes: int = MAX_UPLOAD_BYTES) -> Source:
    """Check an upload (one file, or a Shapefile's parts) and return it ready to read."""
    if not files:
        raise DataError("Es wurde keine Datei hochgeladen.")
    total = sum(len(f.data) for f in files)
    if total > max_bytes:
        raise DataError(f"Die Datei ist {_mib(total)} groß; erlaubt sind höchstens {_mib(max_bytes)}. "
                        "Bitte nur die Ebene einer Gemeinde hochladen oder als ZIP packen.")
    for f in files:
        if not f.data:
            raise DataError(f"„{f.name}“ ist leer (0 Byte).")
    checksum = hashlib.sha256(b"".join(f.data for f in sorted(files, key=lambda f: f.name))).hexdigest()
    suffixes = {PurePosixPath(f.name).suffix.lower(): f for f in files}
    if len(files) > 1 or ".shp" in suffixes:
        unknown = [f.name for f in files if PurePosixPath(f.name).suffix.lower() not in SHAPEFILE_PARTS]
        if unknown or len(suffixes) != len(files):
            raise DataError("Mehrere Dateien gehen nur als Teile eines Shapefiles (.shp, .shx, .dbf, .prj, .cpg) "
                            f"mit je einer Datei pro Endung; nicht erkannt: {', '.join(unknown) or 'doppelte Endung'}.")
        stem = PurePosixPath(suffixes.get(".shp", files[0]).name).stem
        name, kind, data = f"{stem}.shp", "Shapefile", _shapefile_zip({s: f.data for s, f in suffixes.items()}, stem)
    else:
        name, data = files[0].name, files[0].data
        if data.startswith(_ZIP_MAGIC) or PurePosixPath(name).suffix.lower() == ".zip":
            inner, data = _from_zip(data, name)
            kind = "Shapefile" if inner == "Shapefile" else _kind(inner, data)
        else:
            kind = _kind(name, data)
    return Source(name=name, kind=kind, data=data, checksum=checksum, layers=_layers(data, name))


def pick_layer(source: Source, wanted: str | None = None, target: str | None = None) -> str:
    """The layer of *source* to read: the one named *wanted*, else the one named like the *target*
    layer (a GeoPackage exported by the app), else the file's only one."""
    for name in (wanted, target):
        if name in source.layers:
            return name
    if wanted and not target:
        raise DataError(f"Die Ebene „{wanted}“ gibt es in „{source.name}“ nicht; sie enthält "
                        f"{', '.join(source.layers)}.")
    if len(source.layers) > 1:
        raise DataError(f"„{source.name}“ enthält mehrere Ebenen ({', '.join(source.layers)}); "
                        "bitte eine davon wählen.")
    return source.layers[0]


def read_source(source: Source, layer: str | None = None, *, max_vertices: int = MAX_VERTICES) -> gpd.GeoDataFrame:
    """The features of one layer, in the file's own CRS (None when the file names none)."""
    layer = layer or source.layers[0]
    if layer not in source.layers:
        raise DataError(f"Die Ebene „{layer}“ gibt es in „{source.name}“ nicht.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(source.data, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"„{source.name}“ ist beschädigt und lässt sich nicht lesen: {exc}") from exc
    if frame.empty:
        raise DataError(f"„{source.name}“ enthält keine Objekte.")
    vertices = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    if vertices > max_vertices:
        raise DataError(f"„{source.name}“ hat {fmt.number(vertices)} Stützpunkte; die App verarbeitet höchstens "
                        f"{fmt.number(max_vertices)}. Bitte die Geometrien vorher vereinfachen (z. B. QGIS "
                        "„Vereinfachen“, Toleranz 0,5 m) oder die Ebene aufteilen.")
    return frame
