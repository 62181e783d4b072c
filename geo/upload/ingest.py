"""Reading uploaded files safely, from bytes, without touching the disk.

Accepted: a GeoPackage, GeoJSON, KML (or KMZ), FlatGeobuf, CSV with a WKT column or x/y
columns, a zipped Shapefile, or a Shapefile's parts (``.shp``, ``.shx``, ``.dbf``, ``.prj``,
``.cpg``) uploaded together. Everything is checked before it is opened: the size limit, the
file type by its first bytes, and for zip files every member's name, count, size and
compression ratio (path traversal, zip bombs). Shapefile parts and CSV files are repacked
into a flat in-memory zip (GDAL recognises them by their member's suffix); GDAL reads all of
it through its in-memory file system, so no uploaded byte is ever written to a folder.

Every GDAL call opens the buffer under a new ``/vsimem`` path, so a name GDAL derives from
the path (an unnamed GeoJSON or KML layer is called ``pyogrio_<uuid>``) is different on every
open: layers are therefore read by their position in the file, never by such a name. GDAL's
and SQLite's English errors become German messages (the original stays in ``details``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import geopandas as gpd
import pyogrio
import pyogrio.errors
import shapely

from geo import fmt, schema
from geo.errors import DataError
from geo.upload import columns

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 50
MAX_ZIP_RATIO = 100
MAX_VERTICES = 2_000_000
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZIP_MAGIC = b"PK\x03\x04"
_FGB_MAGIC = b"fgb\x03"
NUL_MARK = "\ue000"
"""Put where a text had a NUL byte, which GDAL would cut the text off at; validation removes it with a Hinweis."""
FORMATS = ("GeoPackage (.gpkg), GeoJSON (.geojson), KML/KMZ, FlatGeobuf (.fgb), CSV mit WKT- oder x/y-Spalten "
           "und Shapefile (als .zip oder die Teile .shp, .shx, .dbf, .prj zusammen)")
# Normalised CSV headers GDAL may take the geometry from: a WKT column, or an x/y pair.
CSV_WKT = ("wkt", "geom", "geometry", "geometrie", "the_geom", "wkt_geom", "shape")
CSV_XY = (("x", "y"), ("rechtswert", "hochwert"), ("rw", "hw"), ("easting", "northing"), ("ost", "nord"),
          ("lon", "lat"), ("lng", "lat"), ("longitude", "latitude"), ("laenge", "breite"))
# GDAL's and SQLite's words for a broken file → what it means, in German.
_GDAL_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"disk image is malformed|file is not a database|database or disk is full|unable to open database|"
     r"disk I/O error|SQLITE_CORRUPT",
     "ist eine beschädigte oder unvollständige GeoPackage-Datei (die SQLite-Datenbank darin ist abgeschnitten "
     "oder defekt; oft bei abgebrochener Übertragung oder beim Kopieren aus einem geöffneten QGIS-Projekt). "
     "Bitte die Ebene neu exportieren und die vollständige Datei hochladen."),
    (r"not well-formed|XML parsing|mismatched tag|unclosed token|no element found",
     "ist kein gültiges XML (KML-Datei unvollständig oder beschädigt). Bitte neu exportieren."),
    (r"Failed to read GeoJSON|JSON parsing|GeoJSON object",
     "lässt sich nicht als Geodatensatz öffnen: das GeoJSON ist unvollständig oder hat nicht den erwarteten "
     "Aufbau (\"type\": \"FeatureCollection\" mit einer Liste \"features\")."),
    (r"not recognized as (being in )?a supported file format",
     f"lässt sich nicht als Geodatensatz öffnen: GDAL erkennt das Format nicht. Erlaubt sind {FORMATS}."),
    (r"Unexpected end|truncated|Premature end|unexpected EOF|corrupt|Failed to read|Short read",
     "ist unvollständig oder beschädigt und lässt sich nicht lesen. Bitte neu exportieren und die vollständige "
     "Datei hochladen."),
)


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class LayerInfo:
    """One spatial layer of an upload: its name as shown, its position in the file and its columns."""

    name: str
    position: int
    columns: tuple[str, ...]
    features: int = -1
    """Number of objects (-1: unknown); empty layers, e.g. of the app's template, are not chosen by default."""


@dataclass(frozen=True)
class Source:
    """An upload checked and ready for GDAL: one buffer plus what it is."""

    name: str
    kind: str  # "GeoPackage", "GeoJSON", "Shapefile", "KML", "CSV", "FlatGeobuf"
    data: bytes
    checksum: str
    layer_info: tuple[LayerInfo, ...]
    options: tuple[tuple[str, str], ...] = ()  # GDAL open options (a CSV's geometry columns)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(info.name for info in self.layer_info)

    def info(self, layer: str) -> LayerInfo:
        found = next((info for info in self.layer_info if info.name == layer), None)
        if found is None:
            raise DataError(f"Die Ebene „{layer}“ gibt es in „{self.name}“ nicht; sie enthält "
                            f"{', '.join(self.layers)}.")
        return found


def gdal_error(name: str, exc: Exception) -> DataError:
    """GDAL's (or SQLite's) English error about file *name* as a German message; the original in ``details``."""
    text = str(exc)
    german = next((g for pattern, g in _GDAL_PROBLEMS if re.search(pattern, text, re.IGNORECASE)),
                  "lässt sich nicht als Geodatensatz öffnen (beschädigt oder kein unterstütztes Format). Bitte in "
                  "QGIS öffnen und als GeoPackage neu speichern.")
    return DataError(f"„{name}“ {german}", details=text)


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


def _flat_zip(parts: dict[str, bytes]) -> bytes:
    """An in-memory zip of ``upload<suffix>`` members (GDAL picks the driver by the suffix)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for suffix, data in parts.items():
            out.writestr(f"upload{suffix}", data)
    return buffer.getvalue()


def _shapefile_zip(parts: dict[str, bytes], name: str) -> bytes:
    """Flat in-memory zip of one Shapefile's parts (keys: lower-case suffix)."""
    missing = [s for s in (".shp", ".shx", ".dbf") if s not in parts]
    if missing:
        raise DataError(f"Zum Shapefile „{name}“ fehlen Teile: {', '.join(missing)}. "
                        "Bitte .shp, .shx, .dbf und .prj zusammen hochladen.")
    if ".prj" not in parts:
        raise DataError(f"Zum Shapefile „{name}“ fehlt die .prj-Datei: ohne Koordinatenbezugssystem kann es "
                        "nicht übernommen werden. Bitte die .prj-Datei mit hochladen.")
    return _flat_zip(parts)


def _csv(data: bytes, name: str) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    """A CSV file as GDAL reads it (UTF-8, in a zip as ``upload.csv``) and the open options naming its
    geometry: a WKT column or an x/y pair."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Excel writes in Germany
    text = text.replace("\x00", NUL_MARK)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t|", key=first.count)
    header = next(csv.reader([first], delimiter=delimiter), [])
    by_norm = {columns.normalise(h): h for h in header}
    wkt = next((by_norm[n] for n in CSV_WKT if n in by_norm), None)
    options: tuple[tuple[str, str], ...]
    if wkt is not None:
        options = (("GEOM_POSSIBLE_NAMES", wkt), ("KEEP_GEOM_COLUMNS", "NO"))
    else:
        pair = next(((by_norm[x], by_norm[y]) for x, y in CSV_XY if x in by_norm and y in by_norm), None)
        if pair is None:
            raise DataError(f"„{name}“: die CSV-Datei hat keine Geometrie-Spalte (Spalten: "
                            f"{', '.join(header) or 'keine'}). Erwartet wird eine Spalte „WKT“ mit Flächen "
                            "(POLYGON …) oder ein Paar Koordinatenspalten wie „x“/„y“ oder „Rechtswert“/„Hochwert“.")
        options = (("X_POSSIBLE_NAMES", pair[0]), ("Y_POSSIBLE_NAMES", pair[1]), ("KEEP_GEOM_COLUMNS", "NO"))
    return _flat_zip({".csv": text.encode("utf-8")}), options


def _from_zip(data: bytes, name: str) -> tuple[str, bytes]:
    archive = _check_zip(data, name)
    infos = [i for i in archive.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")]
    by_suffix: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in infos:
        path = PurePosixPath(info.filename)
        if path.suffix.lower() in (".gpkg", ".geojson", ".json", ".kml", ".fgb", ".csv"):
            return path.name, _read_member(archive, info, name)
        by_suffix.setdefault(path.with_suffix("").as_posix(), {})[path.suffix.lower()] = info
    shapes = [stem for stem, parts in by_suffix.items() if ".shp" in parts]
    if not shapes:
        raise DataError(f"„{name}“ enthält keinen Geodatensatz; erwartet wird darin eines dieser Formate: "
                        f"{FORMATS}.")
    if len(shapes) > 1:
        raise DataError(f"„{name}“ enthält {len(shapes)} Shapefiles ({', '.join(sorted(shapes))}); "
                        "bitte nur eines je Hochladen.")
    parts = {s: _read_member(archive, i, name) for s, i in by_suffix[shapes[0]].items() if s in SHAPEFILE_PARTS}
    return "Shapefile", _shapefile_zip(parts, name)


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _mark_nul_gpkg(data: bytes) -> bytes:
    """The GeoPackage with every NUL byte in its text columns replaced by :data:`NUL_MARK` (in memory)."""
    con = sqlite3.connect(":memory:")
    try:
        con.deserialize(data)
        changed = False
        for (table,) in con.execute("SELECT table_name FROM gpkg_contents").fetchall():
            text_columns = [row[1] for row in con.execute(f"PRAGMA table_info({_quoted(table)})").fetchall()
                            if str(row[2]).upper().startswith("TEXT")]
            for column in text_columns:
                blob = f"CAST({_quoted(column)} AS BLOB)"
                rows = con.execute(f"SELECT rowid, {blob} FROM {_quoted(table)} WHERE instr({blob}, x'00') > 0"
                                   ).fetchall()
                if rows and not changed:  # the R-tree triggers call functions only GDAL has; this copy needs none
                    for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                        con.execute(f"DROP TRIGGER {_quoted(trigger)}")
                    changed = True
                for rowid, raw in rows:
                    value = bytes(raw).decode("utf-8", errors="replace").replace("\x00", NUL_MARK)
                    con.execute(f"UPDATE {_quoted(table)} SET {_quoted(column)} = ? WHERE rowid = ?", (value, rowid))
        con.commit()
        return con.serialize() if changed else data
    except sqlite3.DatabaseError:
        return data  # broken: GDAL's error (in German) follows when the file is opened
    finally:
        con.close()


def _kind(name: str, data: bytes) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if data.startswith(_SQLITE_MAGIC):
        return "GeoPackage"
    if data.startswith(_FGB_MAGIC):
        return "FlatGeobuf"
    if suffix in (".gpkg", ".fgb"):
        what = "GeoPackage (keine SQLite-Datenbank)" if suffix == ".gpkg" else "FlatGeobuf"
        raise DataError(f"„{name}“ ist kein {what}, obwohl die Endung {suffix} lautet. "
                        "Vielleicht eine umbenannte CSV- oder Textdatei?")
    if suffix == ".kml":
        if b"<kml" not in data[:4096]:
            raise DataError(f"„{name}“ ist keine KML-Datei (kein <kml>-Element am Anfang).")
        return "KML"
    if suffix in (".csv", ".txt"):
        return "CSV"
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
    raise DataError(f"„{name}“: unbekanntes Format ({suffix or 'ohne Endung'}). Erlaubt sind {FORMATS}.")


def _layers(data: bytes, name: str, options: tuple[tuple[str, str], ...]) -> tuple[LayerInfo, ...]:
    """The spatial layers, each looked at in its own open. Names made up by pyogrio (``pyogrio_<uuid>``) or by
    the repacking here (``upload``) are shown as the file's name."""
    stem = PurePosixPath(name).stem
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "non conformant file extension" of /vsimem
            count = len(pyogrio.list_layers(data))
            open_options: dict[str, Any] = dict(options)
            infos = [pyogrio.read_info(data, layer=i, **open_options) for i in range(count)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise gdal_error(name, exc) from exc
    made_up = re.compile(r"^(pyogrio_[0-9a-f]{32}|upload)$")
    spatial = tuple(LayerInfo(stem if made_up.match(str(info["layer_name"])) else str(info["layer_name"]),
                              i, tuple(str(f) for f in info["fields"]), int(info.get("features", -1)))
                    for i, info in enumerate(infos) if info["geometry_type"] is not None)
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
        if data.startswith(_ZIP_MAGIC) or PurePosixPath(name).suffix.lower() in (".zip", ".kmz"):
            inner, data = _from_zip(data, name)
            kind = "Shapefile" if inner == "Shapefile" else _kind(inner, data)
        else:
            kind = _kind(name, data)
    options: tuple[tuple[str, str], ...] = ()
    if kind == "CSV":
        data, options = _csv(data, name)
    elif kind == "GeoPackage":
        data = _mark_nul_gpkg(data)
    elif kind == "GeoJSON":
        data = re.sub(rb"(?<!\\)((?:\\\\)*)\\u0000", rb"\1\\ue000", data)
    return Source(name=name, kind=kind, data=data, checksum=checksum, layer_info=_layers(data, name, options),
                  options=options)


@dataclass(frozen=True)
class LayerChoice:
    """The layer of a file to read, and why (empty when the file has only one)."""

    layer: str
    reason: str = ""


def best_layer(source: Source) -> LayerChoice:
    """The layer whose columns the column guesser recognises best (the first on a tie), with the reason."""
    if len(source.layer_info) == 1:
        return LayerChoice(source.layers[0])
    filled = [info for info in source.layer_info if info.features != 0]
    if len(filled) == 1:
        return LayerChoice(filled[0].name, f"Ebene ‚{filled[0].name}‘ gewählt: die einzige mit Objekten.")
    scores = []
    for info in filled or source.layer_info:
        target = columns.detect_layer(list(info.columns)) or schema.POOL_AREAS
        scores.append((len(columns.guess_columns(list(info.columns), target)), info, target))
    found, best, target = max(scores, key=lambda s: s[0])
    others = "; ".join(f"‚{info.name}‘: {n} von {len(info.columns)}" for n, info, _ in scores if info is not best)
    return LayerChoice(best.name, f"Ebene ‚{best.name}‘ gewählt: {found} von {len(best.columns)} Feldern erkannt "
                                  f"(passt zu {schema.LAYER_LABELS[target]}; {others}).")


def pick_layer(source: Source, wanted: str | None = None, target: str | None = None) -> LayerChoice:
    """The layer of *source* to read: the one named *wanted*, else the one named like the *target*
    layer (a GeoPackage exported by the app), else the best fitting one (:func:`best_layer`)."""
    for name in (wanted, target):
        if name in source.layers:
            return LayerChoice(name)
    if wanted and not target:
        source.info(wanted)  # raises: no such layer
    return best_layer(source)


def read_source(source: Source, layer: str | None = None, *, max_vertices: int = MAX_VERTICES) -> gpd.GeoDataFrame:
    """The features of one layer, in the file's own CRS (None when the file names none)."""
    info = source.info(layer) if layer else source.layer_info[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            open_options: dict[str, Any] = dict(source.options)
            frame = pyogrio.read_dataframe(source.data, layer=info.position, **open_options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise gdal_error(source.name, exc) from exc
    if frame.empty:
        raise DataError(f"„{source.name}“ enthält keine Objekte.")
    vertices = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    if vertices > max_vertices:
        raise DataError(f"„{source.name}“ hat {fmt.number(vertices)} Stützpunkte; die App verarbeitet höchstens "
                        f"{fmt.number(max_vertices)}. Bitte die Geometrien vorher vereinfachen (z. B. QGIS "
                        "„Vereinfachen“, Toleranz 0,5 m) oder die Ebene aufteilen.")
    return frame
