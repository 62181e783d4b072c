"""OGC API – Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS) over the pool's frames.

Pure: JSON documents built from frames, no HTTP and no store. :mod:`ui.ogc` serves them at
``/ogc`` next to the pages (``serve.py``), reads the store and decides who may see private owners.

What QGIS's and GDAL's clients need (../shared/ENGINEERING.md, "OGC API – Features for QGIS"):
a landing page with ``service-desc`` and ``data`` links, an OpenAPI document declaring ``limit``
(default and maximum) under ``components.parameters``, ``/conformance``, ``/collections/{id}``,
``next`` links, ``numberMatched`` and feature ids. Coordinates are served in the storage CRS
EPSG:25833, CRS84 (the default) or EPSG:4326 (latitude first, as that CRS defines its axes).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box, mapping

from geo import schema

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_25833 = "http://www.opengis.net/def/crs/EPSG/0/25833"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
CRS_CODES: dict[str, str] = {CRS84: "OGC:CRS84", EPSG_25833: schema.CRS, EPSG_4326: schema.WEB_CRS}
"""Served CRSs: OGC URI → the code pyproj knows."""
LAT_FIRST = frozenset({EPSG_4326})
"""CRSs whose first axis is latitude (coordinates and bbox are swapped against pyproj's x/y)."""
STORAGE_CRS = EPSG_25833
LIMIT_DEFAULT = 1000
LIMIT_MAX = 10_000
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
GEOJSON = "application/geo+json"
JSON = "application/json"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
TITLE = "Flächenpool Leipzig & Wurzener Land"


class OgcError(Exception):
    """A request the API refuses: HTTP status, OGC exception code and a German description."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def document(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.description}


@dataclass(frozen=True)
class Collection:
    """One served collection: its frame's id field, the property filters it accepts, geometry or not."""

    id: str
    title: str
    description: str
    id_field: str
    filters: tuple[str, ...]
    spatial: bool = True


COLLECTIONS: dict[str, Collection] = {c.id: c for c in (
    Collection(schema.POOL_AREAS, "Poolflächen", "Kompensationsflächen des Pools mit Status, Maßnahmentyp und "
               "Wertpunkten. Namen privater Eigentümer nur für Berechtigte.", "pool_id",
               ("ags", "status", "measure_type", "owner_type")),
    Collection(schema.INTERVENTIONS, "Eingriffe", "Eingriffe mit Art, Status und Kompensationsbedarf.",
               "intervention_id", ("ags", "kind", "status")),
    Collection("boundaries", "Gemeindegrenzen", schema.BOUNDARY_ATTRIBUTION, "ags", ("ags",)),
    Collection(schema.ALLOCATIONS, "Buchungen", "Das Buchungsjournal (Reservierungen und Zuordnungen von "
               "Wertpunkten), ohne Geometrie.", "allocation_id", ("kind", "pool_id", "intervention_id"),
               spatial=False),
)}


def frames(data: schema.PoolData) -> dict[str, pd.DataFrame]:
    """The served frames by collection id, in the schema's column order (as stored)."""
    return {schema.POOL_AREAS: data.pool_areas, schema.INTERVENTIONS: data.interventions,
            "boundaries": data.boundaries, schema.ALLOCATIONS: data.allocations}


def collection_of(collection_id: str) -> Collection:
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise OgcError(404, "NotFound", f"Die Sammlung „{collection_id}“ gibt es nicht.")
    return found


def _link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


# --- documents without data --------------------------------------------------------------
def landing(base: str) -> dict[str, Any]:
    """The landing page (``/ogc``)."""
    return {"title": TITLE, "description": "Poolflächen, Eingriffe, Gemeindegrenzen und Buchungen als "
            "OGC API – Features (EPSG:25833, CRS84, EPSG:4326).",
            "links": [_link(base, "self", JSON, "Diese Seite"),
                      _link(f"{base}/api", "service-desc", OPENAPI_TYPE, "API-Beschreibung (OpenAPI 3.0)"),
                      _link(f"{base}/conformance", "conformance", JSON, "Erfüllte Standards"),
                      _link(f"{base}/collections", "data", JSON, "Sammlungen")]}


def conformance() -> dict[str, Any]:
    return {"conformsTo": list(CONFORMANCE)}


def _parameter(name: str, description: str, schema_: dict[str, Any], *, in_: str = "query",
               required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": in_, "description": description, "required": required, "schema": schema_,
            **extra}


def openapi(base: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document (``/ogc/api``); ``limit`` declares default and maximum (read by QGIS and GDAL)."""
    ids = list(COLLECTIONS)
    crs_schema = {"type": "string", "format": "uri", "enum": list(CRS_CODES)}
    parameters = {
        "limit": _parameter("limit", "Höchstzahl der Objekte je Seite",
                            {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT},
                            style="form", explode=False),
        "offset": _parameter("offset", "Anzahl der übersprungenen Objekte (Blättern)",
                             {"type": "integer", "minimum": 0, "default": 0}),
        "bbox": _parameter("bbox", "Nur Objekte, die dieses Rechteck schneiden (minx,miny,maxx,maxy)",
                           {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
                           style="form", explode=False),
        "bbox-crs": _parameter("bbox-crs", "Koordinatensystem von bbox (Standard CRS84)", crs_schema),
        "crs": _parameter("crs", "Koordinatensystem der Antwort (Standard CRS84)", crs_schema),
        "collectionId": _parameter("collectionId", "Sammlung", {"type": "string", "enum": ids}, in_="path",
                                   required=True),
        "featureId": _parameter("featureId", "Objekt-ID (z. B. pool_id)", {"type": "string"}, in_="path",
                                required=True),
        **{name: _parameter(name, f"Filter auf {name}", {"type": "string"})
           for name in sorted({f for c in COLLECTIONS.values() for f in c.filters})},
    }

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/parameters/{name}"}

    def get(summary: str, media: str, params: tuple[str, ...] = ()) -> dict[str, Any]:
        return {"get": {"summary": summary, "parameters": [ref(p) for p in params],
                        "responses": {"200": {"description": "OK", "content": {media: {}}},
                                      "default": {"description": "Fehler", "content": {JSON: {}}}}}}

    filters = sorted({f for c in COLLECTIONS.values() for f in c.filters})
    return {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "version": "1.0.0", "description": landing(base)["description"]},
        "servers": [{"url": base}],
        "paths": {
            "/": get("Startseite", JSON),
            "/api": get("Diese API-Beschreibung", OPENAPI_TYPE),
            "/conformance": get("Erfüllte Standards", JSON),
            "/collections": get("Sammlungen", JSON),
            "/collections/{collectionId}": get("Eine Sammlung", JSON, ("collectionId",)),
            "/collections/{collectionId}/items": get(
                "Objekte einer Sammlung", GEOJSON,
                ("collectionId", "limit", "offset", "bbox", "bbox-crs", "crs", *filters)),
            "/collections/{collectionId}/items/{featureId}": get("Ein Objekt", GEOJSON,
                                                                 ("collectionId", "featureId", "crs")),
        },
        "components": {"parameters": parameters},
    }


# --- documents about data ------------------------------------------------------------------
def _extent(frame: pd.DataFrame) -> dict[str, Any] | None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty or frame.geometry.isna().all():
        return None
    minx, miny, maxx, maxy = frame.geometry.to_crs(CRS_CODES[CRS84]).total_bounds
    sx, sy, ex, ey = frame.geometry.total_bounds
    return {"spatial": {"bbox": [[round(v, 6) for v in (minx, miny, maxx, maxy)]], "crs": CRS84,
                        "storageCrsBbox": [[round(v, 2) for v in (sx, sy, ex, ey)]]}}


def collection(base: str, info: Collection, frame: pd.DataFrame) -> dict[str, Any]:
    """``/collections/{id}``: links to the items, extent and (spatial collections) the served CRSs."""
    href = f"{base}/collections/{info.id}"
    doc: dict[str, Any] = {
        "id": info.id, "title": info.title, "description": info.description, "itemType": "feature",
        "links": [_link(href, "self", JSON, info.title),
                  _link(f"{href}/items", "items", GEOJSON, f"{info.title} (GeoJSON)")]}
    if info.spatial:
        doc["crs"] = list(CRS_CODES)
        doc["storageCrs"] = STORAGE_CRS
        if (extent := _extent(frame)) is not None:
            doc["extent"] = extent
    return doc


def collections(base: str, by_id: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    return {"links": [_link(f"{base}/collections", "self", JSON, "Sammlungen")],
            "crs": list(CRS_CODES),
            "collections": [collection(base, info, by_id[info.id]) for info in COLLECTIONS.values()]}


@dataclass(frozen=True)
class Query:
    """The parsed parameters of an items request."""

    limit: int = LIMIT_DEFAULT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: str = CRS84
    crs: str = CRS84
    filters: dict[str, str] = field(default_factory=dict)


def _crs(raw: str | None, name: str) -> str:
    if raw is None or raw == "":
        return CRS84
    uri = raw.strip().strip("<>")
    aliases = {"EPSG:25833": EPSG_25833, "EPSG:4326": EPSG_4326, "OGC:CRS84": CRS84, "CRS84": CRS84}
    uri = aliases.get(uri.upper(), uri).replace("https://", "http://")
    if uri not in CRS_CODES:
        raise OgcError(400, "InvalidParameterValue", f"{name}: unbekanntes Koordinatensystem „{raw}“; "
                       f"möglich: {', '.join(CRS_CODES)}.")
    return uri


def _integer(raw: str | None, name: str, default: int, low: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OgcError(400, "InvalidParameterValue", f"{name} muss eine ganze Zahl sein.") from None
    if value < low:
        raise OgcError(400, "InvalidParameterValue", f"{name} muss mindestens {low} sein.")
    return value


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None or raw == "":
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise OgcError(400, "InvalidParameterValue", "bbox: vier (oder sechs) Zahlen, durch Kommas getrennt.") from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise OgcError(400, "InvalidParameterValue", "bbox: vier (oder sechs) Zahlen, durch Kommas getrennt.")
    return values[0], values[1], values[2], values[3]


def parse_query(info: Collection, params: Mapping[str, str]) -> Query:
    """Read limit, offset, bbox, bbox-crs, crs and the collection's property filters; unknown ones are ignored."""
    bbox = _bbox(params.get("bbox"))
    if bbox is not None and not info.spatial:
        raise OgcError(400, "InvalidParameterValue", f"{info.title} haben keine Geometrie: bbox geht hier nicht.")
    return Query(limit=min(_integer(params.get("limit"), "limit", LIMIT_DEFAULT, 1), LIMIT_MAX),
                 offset=_integer(params.get("offset"), "offset", 0, 0), bbox=bbox,
                 bbox_crs=_crs(params.get("bbox-crs"), "bbox-crs"), crs=_crs(params.get("crs"), "crs"),
                 filters={k: params[k] for k in info.filters if params.get(k)})


def _ags(value: str) -> str:
    try:
        return schema.municipality(value.strip()).ags
    except KeyError:
        return value


def select(frame: pd.DataFrame, query: Query) -> pd.DataFrame:
    """The rows the query's filters and bbox match (all of them, before paging)."""
    keep = pd.Series(True, index=frame.index)
    for name, value in query.filters.items():
        wanted = {_ags(v) if name == "ags" else v.strip() for v in value.split(",")}
        keep &= frame[name].astype(str).isin(wanted)
    if query.bbox is not None and isinstance(frame, gpd.GeoDataFrame):
        minx, miny, maxx, maxy = query.bbox
        if query.bbox_crs in LAT_FIRST:
            minx, miny, maxx, maxy = miny, minx, maxy, maxx
        area = gpd.GeoSeries([box(minx, miny, maxx, maxy)], crs=CRS_CODES[query.bbox_crs]).to_crs(schema.CRS)
        keep &= frame.geometry.intersects(area.iloc[0])
    return frame[keep]


def _value(value: Any) -> Any:
    """A JSON-safe property value: missing as null, dates as ISO text, numpy numbers as Python numbers."""
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def features(frame: pd.DataFrame, info: Collection, crs: str) -> list[dict[str, Any]]:
    """GeoJSON features of *frame* in *crs* (ids from the collection's id field)."""
    columns = [c for c in frame.columns if c != "geometry"]
    geometries: list[Any] = [None] * len(frame)
    if isinstance(frame, gpd.GeoDataFrame) and len(frame):
        shapes = frame.geometry.to_crs(CRS_CODES[crs]).to_numpy()
        if crs in LAT_FIRST:
            shapes = shapely.transform(shapes, lambda xy: xy[:, ::-1])
        geometries = [None if g is None or g.is_empty else mapping(g) for g in shapes]
    out = []
    for geometry, row in zip(geometries, frame[columns].itertuples(index=False, name=None), strict=True):
        properties = {c: _value(v) for c, v in zip(columns, row, strict=True)}
        out.append({"type": "Feature", "id": str(properties[info.id_field]), "geometry": geometry,
                    "properties": properties})
    return out


def items(base: str, info: Collection, frame: pd.DataFrame, query: Query, params: Mapping[str, str],
          *, now: dt.datetime | None = None) -> dict[str, Any]:
    """``/collections/{id}/items``: one page of the matching features with ``next``/``prev`` links."""
    matched = select(frame, query)
    page = matched.iloc[query.offset:query.offset + query.limit]
    href = f"{base}/collections/{info.id}/items"

    def at(offset: int) -> str:
        kept = {k: v for k, v in params.items() if k not in ("offset", "limit")}
        return f"{href}?{urlencode({**kept, 'limit': query.limit, 'offset': offset})}"

    links = [_link(at(query.offset), "self", GEOJSON, "Diese Seite"),
             _link(f"{base}/collections/{info.id}", "collection", JSON, info.title)]
    if query.offset + query.limit < len(matched):
        links.append(_link(at(query.offset + query.limit), "next", GEOJSON, "Nächste Seite"))
    if query.offset > 0:
        links.append(_link(at(max(0, query.offset - query.limit)), "prev", GEOJSON, "Vorige Seite"))
    return {"type": "FeatureCollection", "features": features(page, info, query.crs),
            "numberMatched": len(matched), "numberReturned": len(page), "links": links,
            "timeStamp": (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def feature(base: str, info: Collection, frame: pd.DataFrame, feature_id: str, crs: str) -> dict[str, Any]:
    """``/collections/{id}/items/{featureId}``."""
    row = frame[frame[info.id_field].astype(str) == feature_id]
    if row.empty:
        raise OgcError(404, "NotFound", f"{info.title}: kein Objekt mit der ID „{feature_id}“.")
    doc = features(row.iloc[:1], info, crs)[0]
    href = f"{base}/collections/{info.id}"
    doc["links"] = [_link(f"{href}/items/{feature_id}", "self", GEOJSON, "Dieses Objekt"),
                    _link(href, "collection", JSON, info.title)]
    return doc
