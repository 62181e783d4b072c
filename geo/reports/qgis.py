"""GeoPackages for GIS staff: GeoPackage 1.2 with the app's styling and value lists for QGIS.

QGIS 3.22 (Debian bookworm, GDAL 3.6) warns on GeoPackage 1.4, which GDAL 3.12 writes by
default, so every file here is written as 1.2. Each layer gets a row in the ``layer_styles``
table that QGIS reads on opening (``useAsDefault``): a QML with the status colours of
:data:`geo.schema.POOL_STATUS_COLORS` (pool areas), hatching in the kind colours (interventions),
outlines (boundaries), German field aliases, required fields and a value list (``ValueMap``,
a drop-down in QGIS's forms) for every enum field of :mod:`geo.schema`.

:func:`template` is an empty GeoPackage per municipality for capturing new data in QGIS: the
layers with the schema's fields, its value lists and styles, the municipality's AGS as default
and its boundary for orientation. Filled in, it goes through the upload as it is.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import schema

GPKG_VERSION = "1.2"
GEOMETRY_COLUMN = "geom"
STYLE_NAME = "Flächenpool"
BOUNDARY_LAYERS = (schema.BOUNDARY, "boundaries")
TEMPLATE_LAYERS = (schema.POOL_AREAS, schema.INTERVENTIONS)
OUTLINE = "#333333"


def _rgba(color: str, alpha: int = 255) -> str:
    """``#4dac26`` → ``77,172,38,255`` (QGIS's colour notation)."""
    value = color.lstrip("#")
    return ",".join(str(int(value[i:i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _props(parent: ET.Element, values: Mapping[str, str]) -> None:
    """Symbol layer properties in both notations: ``<Option>`` (QGIS ≥ 3.26) and ``<prop>`` (3.22)."""
    options = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(options, "Option", name=key, value=value, type="QString")
    for key, value in values.items():
        ET.SubElement(parent, "prop", k=key, v=value)


def _fill(symbols: ET.Element, name: str, fill: str, *, style: str = "solid", outline: str = OUTLINE,
          width: str = "0.26") -> None:
    symbol = ET.SubElement(symbols, "symbol", type="fill", name=name, alpha="1", clip_to_extent="1",
                           force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "pass": "0", "locked": "0"})
    _props(layer, {"color": fill, "style": style, "outline_color": outline, "outline_style": "solid",
                   "outline_width": width, "outline_width_unit": "MM", "joinstyle": "bevel"})


def _categorized(root: ET.Element, field: str, colors: Mapping[str, str], *, hatched: bool) -> None:
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=field, symbollevels="0",
                             enableorderby="0", forceraster="0")
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, color) in enumerate(colors.items()):
        ET.SubElement(categories, "category", render="true", symbol=str(i), value=value, label=value)
        if hatched:
            _fill(symbols, str(i), _rgba(color), style="b_diagonal", outline=_rgba(color), width="0.5")
        else:
            _fill(symbols, str(i), _rgba(color, 200))


def _single(root: ET.Element, fill: str, style: str, outline: str, width: str) -> None:
    renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0",
                             forceraster="0")
    _fill(ET.SubElement(renderer, "symbols"), "0", fill, style=style, outline=outline, width=width)


def _fields(root: ET.Element, layer: str, columns: list[str], defaults: Mapping[str, str]) -> None:
    """Aliases, value lists, required fields and default values of *columns*."""
    fields = {f.name: f for f in schema.LAYER_FIELDS.get(layer, ())}
    configuration = ET.SubElement(root, "fieldConfiguration")
    aliases = ET.SubElement(root, "aliases")
    constraints = ET.SubElement(root, "constraints")
    default_values = ET.SubElement(root, "defaults")
    for index, column in enumerate(columns):
        info = fields.get(column)
        ET.SubElement(aliases, "alias", field=column, index=str(index), name=schema.label(column, layer))
        entry = ET.SubElement(configuration, "field", name=column, configurationFlags="None")
        widget = ET.SubElement(entry, "editWidget", type="ValueMap" if info and info.choices else "TextEdit")
        config = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
        if info and info.choices:
            values = ET.SubElement(config, "Option", name="map", type="List")
            for choice in info.choices:
                item = ET.SubElement(values, "Option", type="Map")
                ET.SubElement(item, "Option", name=choice, value=choice, type="QString")
        required = bool(info and info.required)
        ET.SubElement(constraints, "constraint", field=column, constraints="1" if required else "0",
                      notnull_strength="1" if required else "0", unique_strength="0", exp_strength="0")
        if column in defaults:
            quoted = defaults[column].replace("'", "''")
            ET.SubElement(default_values, "default", field=column, expression=f"'{quoted}'", applyOnUpdate="0")


def qml(layer: str, columns: list[str], *, defaults: Mapping[str, str] | None = None) -> str:
    """The QGIS style (QML) of *layer* with fields *columns*; *defaults* fills fields of new objects."""
    root = ET.Element("qgis", version="3.22.0", styleCategories="AllStyleCategories")
    if layer == schema.POOL_AREAS:
        _categorized(root, "status", schema.POOL_STATUS_COLORS, hatched=False)
    elif layer == schema.INTERVENTIONS:
        _categorized(root, "kind", schema.INTERVENTION_KIND_COLORS, hatched=True)
    elif layer in BOUNDARY_LAYERS:
        _single(root, "0,0,0,0", "no", _rgba(OUTLINE), "0.6")
    _fields(root, schema.BOUNDARY if layer in BOUNDARY_LAYERS else layer, columns, defaults or {})
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def _styles(layers: Mapping[str, pd.DataFrame], defaults: Mapping[str, str]) -> pd.DataFrame:
    """The ``layer_styles`` rows QGIS reads (one default style per layer)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rows = [{"f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
             "f_geometry_column": GEOMETRY_COLUMN if isinstance(frame, gpd.GeoDataFrame) else "",
             "styleName": STYLE_NAME, "styleQML": qml(name, [c for c in frame.columns if c != "geometry"],
                                                      defaults=defaults),
             "styleSLD": "", "useAsDefault": True, "description": f"{schema.LAYER_LABELS.get(name, name)} "
             "im Stil der App Flächenpool", "owner": "", "ui": "", "update_time": now}
            for name, frame in layers.items()]
    return pd.DataFrame(rows)


def write(path: Path, layers: Mapping[str, pd.DataFrame], *, description: str = "",
          defaults: Mapping[str, str] | None = None, geometry_types: Mapping[str, str] | None = None) -> None:
    """Write *layers* (GeoDataFrames in EPSG:25833, or plain frames as attribute tables) as a new GeoPackage 1.2
    at *path* with one default style per layer; dates are written as ISO text."""
    first = True
    for name, frame in layers.items():
        options: dict[str, object] = {"layer_options": {"DESCRIPTION": schema.LAYER_LABELS.get(name, name)}}
        if first:
            options["dataset_options"] = {"VERSION": GPKG_VERSION}
            if description:
                options["dataset_metadata"] = {"DESCRIPTION": description}
        if isinstance(frame, gpd.GeoDataFrame):
            out: pd.DataFrame = gpd.GeoDataFrame(schema.dates_as_text(frame), geometry=frame.geometry.name,
                                                 crs=frame.crs)
            options["layer_options"] = {**options["layer_options"], "GEOMETRY_NAME": GEOMETRY_COLUMN}  # type: ignore[dict-item]
            options["promote_to_multi"] = True
            if geometry_types and name in geometry_types:
                options["geometry_type"] = geometry_types[name]
            elif frame.empty:
                options["geometry_type"] = "MultiPolygon"  # every layer of the app holds areas
        else:
            out = schema.dates_as_text(frame)
        pyogrio.write_dataframe(out, path, layer=name, driver="GPKG", append=not first, **options)  # type: ignore[arg-type]
        first = False
    pyogrio.write_dataframe(_styles(layers, defaults or {}), path, layer="layer_styles", driver="GPKG",
                            append=True, layer_options={"FID": "id"})


def geopackage(layers: Mapping[str, pd.DataFrame], *, description: str = "",
               defaults: Mapping[str, str] | None = None, geometry_types: Mapping[str, str] | None = None) -> bytes:
    """:func:`write` into a temporary folder; returns the file's bytes."""
    with tempfile.TemporaryDirectory(prefix="flaechenpool-gpkg-") as folder:
        path = Path(folder) / "flaechenpool.gpkg"
        write(path, layers, description=description, defaults=defaults, geometry_types=geometry_types)
        return path.read_bytes()


def _empty(layer: str) -> gpd.GeoDataFrame:
    dtypes = {"number": "float64"}
    frame = pd.DataFrame({f.name: pd.Series(dtype=dtypes.get(f.type, "object")) for f in schema.LAYER_FIELDS[layer]})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=schema.CRS), crs=schema.CRS)


def template(ags: str, boundary: gpd.GeoDataFrame) -> bytes:
    """An empty GeoPackage for *ags* (AGS or slug): pool areas and interventions with the schema's fields, value
    lists and styles (new objects get the AGS), plus the municipality's boundary for orientation."""
    party = schema.municipality(ags)
    layers: dict[str, pd.DataFrame] = {layer: _empty(layer) for layer in TEMPLATE_LAYERS}
    outline = boundary[boundary["ags"] == party.ags]
    layers[schema.BOUNDARY] = gpd.GeoDataFrame(outline[["ags", "name", "geometry"]], crs=schema.CRS)
    description = (f"Vorlage Flächenpool für {party.name} (AGS {party.ags}): Poolflächen und Eingriffe erfassen "
                   "(ETRS89 / UTM 33N, EPSG:25833) und die Datei auf der Seite „Daten hochladen“ oder mit "
                   "„python -m geo check/publish“ hochladen; die Gemeindegrenze dient der Orientierung.")
    return geopackage(layers, description=description, defaults={"ags": party.ags},
                      geometry_types={layer: "MultiPolygon" for layer in TEMPLATE_LAYERS})
