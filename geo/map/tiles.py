"""Mapbox Vector Tiles of the pool, for the WebGL map (``/kacheln/…``, see ``ui/tilesroute.py``).

One tile holds every layer the map draws, in Web Mercator tile coordinates:

- :data:`BOUNDARIES` (``name``), :data:`POOL` (``id``, ``status``), :data:`INTERVENTIONS` (``id``,
  ``kind``, ``status``) as polygons, :data:`LINKS` (bookings, intervention → area) as lines;
- :data:`SPOTS`: a point (``id``, ``layer``, ``class``: status or kind) for each area or intervention
  smaller than :data:`MIN_FEATURE_PX` at the tile's zoom, so it stays visible and clickable (below
  :data:`MIN_SHAPE_PX` the spot alone stands for it);
- below :data:`DETAIL_ZOOM`, a tile with more than :data:`MAX_SHAPES` areas and interventions
  carries :data:`CLUSTERS` instead (one point per grid cell and layer: ``count``, the most
  frequent ``class``), so an overview of 10⁵ areas stays a few kilobytes.

Tiles carry only ids and the styling fields above: never owners or other attribute text, so
the route needs no sign-in (:mod:`geo.access.privacy`: nothing in them is personal data).
:class:`TileIndex` is built once per (data version, filter) from a filtered
:class:`~geo.accounting.summary.PoolView` with an STRtree per layer; :func:`render` clips,
simplifies to the tile's resolution and encodes with ``mapbox-vector-tile``, or lets a store
with :class:`SqlTiles` (PostGIS: ``ST_AsMVT``) clip and encode the stored geometries itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import schema
from geo.accounting.summary import PoolView
from geo.map.webmap import link_lines

WEB_MERCATOR = "EPSG:3857"
HALF_WORLD_M = 20037508.342789244
"""Half the width of the Web Mercator square in metres."""
EXTENT = 4096
"""Tile coordinates per tile side (the MVT default)."""
BUFFER = 64
"""Tile units drawn beyond the tile's edge, so outlines do not stop at tile borders."""
DETAIL_ZOOM = 14
"""From this zoom on, tiles always carry the shapes."""
MAX_SHAPES = 500
"""Below :data:`DETAIL_ZOOM`, a tile with more areas and interventions than this carries clusters."""
GRID = 16
"""Cluster cells per tile side (16 px at 256 px per tile)."""
MIN_FEATURE_PX = 10
"""Areas and interventions smaller than this (on a 512 px tile) also get a spot …"""
MIN_SHAPE_PX = 2
"""… and below this only the spot."""
MAX_ZOOM = 22

BOUNDARIES = "gemeinden"
POOL = "flaechen"
INTERVENTIONS = "eingriffe"
LINKS = "buchungen"
SPOTS = "punkte"
CLUSTERS = "gruppen"
TILE_LAYERS = (BOUNDARIES, POOL, INTERVENTIONS, LINKS, SPOTS, CLUSTERS)
SOURCE_LAYER: dict[str, str] = {schema.POOL_AREAS: POOL, schema.INTERVENTIONS: INTERVENTIONS}
"""Tile layer of each clickable store layer."""
PROPERTIES: dict[str, dict[str, str]] = {
    schema.BOUNDARY: {"name": "name"},
    schema.POOL_AREAS: {"id": "pool_id", "status": "status"},
    schema.INTERVENTIONS: {"id": "intervention_id", "kind": "kind", "status": "status"},
}
"""Tile property → view column, per layer: everything a tile says about a feature."""
CLASS_PROPERTY: dict[str, str] = {schema.POOL_AREAS: "status", schema.INTERVENTIONS: "kind"}
"""The property spots and clusters are coloured by."""


def data_token(version: Hashable, day: dt.date) -> str:
    """The data version in tile URLs: changes with every write and every day (requests expire by the day)."""
    return hashlib.sha1(f"{version!r}|{day.isoformat()}".encode()).hexdigest()[:12]


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of tile z/x/y in EPSG:3857 metres (XYZ scheme, y from the north)."""
    size = 2 * HALF_WORLD_M / 2**z
    minx = -HALF_WORLD_M + x * size
    maxy = HALF_WORLD_M - y * size
    return minx, maxy - size, minx + size, maxy


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


@dataclass(frozen=True)
class _Layer:
    """One layer of the index: geometries in EPSG:3857, their tile properties, an STRtree."""

    geometries: np.ndarray
    properties: pd.DataFrame
    tree: shapely.STRtree
    size_m: np.ndarray
    """The larger side of each geometry's bounding box."""
    anchors: np.ndarray
    """(n, 2) point on each geometry (spots and cluster positions)."""
    spots: np.ndarray
    """A point geometry at each anchor."""
    keys: np.ndarray
    """Each feature's key in its store layer (:data:`geo.schema.ID_FIELD`); empty strings for links."""
    anchor_tree: shapely.STRtree
    classes: np.ndarray
    """The values of the layer's :data:`CLASS_PROPERTY`, sorted (none for boundaries and links) …"""
    codes: np.ndarray
    """… and each feature's position among them."""
    keep: np.ndarray | None = None
    """Which features a filter lets through (None: all); see :meth:`TileIndex.narrowed`."""

    @classmethod
    def of(cls, geometries: gpd.GeoSeries, properties: pd.DataFrame, keys: pd.Series | None = None,
           classes: pd.Series | None = None) -> _Layer:
        geoms = geometries.to_crs(WEB_MERCATOR).to_numpy() if len(geometries) else np.array([], dtype=object)
        bounds = shapely.bounds(geoms) if len(geoms) else np.empty((0, 4))
        anchors = shapely.get_coordinates(shapely.point_on_surface(geoms)) if len(geoms) else np.empty((0, 2))
        spots = np.asarray(shapely.points(anchors), dtype=object)
        names, codes = (np.unique(classes.to_numpy(dtype=str), return_inverse=True) if classes is not None
                        else (np.array([], dtype=str), np.zeros(len(geoms), dtype=int)))
        return cls(geometries=geoms, properties=properties.reset_index(drop=True), tree=shapely.STRtree(geoms),
                   spots=spots, anchor_tree=shapely.STRtree(spots), classes=names, codes=codes,
                   size_m=np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]), anchors=anchors,
                   keys=np.full(len(geoms), "", dtype=object) if keys is None else keys.astype(str).to_numpy())

    def kept(self, positions: np.ndarray) -> np.ndarray:
        return positions if self.keep is None else positions[self.keep[positions]]

    def hits(self, box: BaseGeometry) -> np.ndarray:
        """Positions of the (kept) geometries that intersect *box*, in index order."""
        return np.sort(self.kept(self.tree.query(box, predicate="intersects")))


def tile_properties(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """The tile properties of *frame*'s features (texts; only the columns of :data:`PROPERTIES`)."""
    return pd.DataFrame({prop: frame[col].astype(str) for prop, col in PROPERTIES[layer].items()},
                        index=frame.index)


@dataclass(frozen=True)
class TileIndex:
    """A filtered view ready for tiles: one :class:`_Layer` per tile layer with polygons, plus the links."""

    layers: dict[str, _Layer]
    links: _Layer

    @classmethod
    def of(cls, view: PoolView) -> TileIndex:
        layers = {layer: _Layer.of(frame.geometry, tile_properties(frame, layer), frame[schema.ID_FIELD[layer]],
                                   frame[CLASS_PROPERTY[layer]] if layer in CLASS_PROPERTY else None)
                  for layer, frame in (
            (schema.BOUNDARY, view.boundaries), (schema.POOL_AREAS, view.pool_areas),
            (schema.INTERVENTIONS, view.interventions))}
        return cls(layers=layers, links=_links(view))

    def narrowed(self, shown: PoolView) -> TileIndex:
        """This index (of the whole view) showing only what *shown*, a filtered part of it, holds.

        Shares the projected geometries and trees: a filter change costs a look-up per feature
        and the booking lines, not a new index.
        """
        layers = {layer: dataclasses.replace(part, keep=pd.Index(part.keys).isin(  # hashed, not np.isin on objects
            frame[schema.ID_FIELD[layer]].astype(str))) for (layer, part), frame in zip(self.layers.items(), (
                shown.boundaries, shown.pool_areas, shown.interventions), strict=True)}
        return TileIndex(layers=layers, links=_links(shown))

    def shape_count(self, box: BaseGeometry) -> int:
        """Areas and interventions whose bounding box meets *box* (enough to choose shapes or clusters)."""
        return sum(len(self.layers[layer].kept(self.layers[layer].tree.query(box))) for layer in SOURCE_LAYER)


def _links(view: PoolView) -> _Layer:
    lines = link_lines(view)
    return _Layer.of(lines, pd.DataFrame(index=lines.index))


@dataclass(frozen=True)
class TileLayer:
    """Features of one tile layer: geometries in EPSG:3857 (not yet clipped) and their properties."""

    name: str
    geometries: np.ndarray
    properties: list[dict[str, object]]
    store_layer: str | None = None
    """The store layer the geometries come from (a store with :class:`SqlTiles` reads them itself) …"""
    keys: list[str] | None = None
    """… and their keys there (:data:`geo.schema.ID_FIELD`)."""


@runtime_checkable
class SqlTiles(Protocol):
    """A store that clips and encodes its own layers' features (PostGIS: ``ST_AsMVT``)."""

    def vector_tile_layer(self, z: int, x: int, y: int, name: str, layer: str, keys: Sequence[str],
                          properties: pd.DataFrame) -> bytes:
        """The MVT layer *name* of tile z/x/y: the features *keys* of the store's *layer* with *properties*."""


def _records(frame: pd.DataFrame, positions: np.ndarray) -> list[dict[str, object]]:
    return frame.iloc[positions].to_dict(orient="records")  # type: ignore[return-value]


def _spots(index: TileIndex, box: BaseGeometry, pixel_m: float) -> TileLayer:
    points: list[np.ndarray] = []
    props: list[dict[str, object]] = []
    for layer in SOURCE_LAYER:
        part = index.layers[layer]
        hits = part.hits(box)
        small = hits[part.size_m[hits] < MIN_FEATURE_PX * pixel_m]
        points.append(part.spots[small])
        props += [{"id": row["id"], "layer": layer, "class": row[CLASS_PROPERTY[layer]]}
                  for row in _records(part.properties, small)]
    return TileLayer(SPOTS, np.concatenate(points), props)


def _clusters(index: TileIndex, bounds: tuple[float, float, float, float]) -> TileLayer:
    """One point per grid cell and layer: how many features have their anchor there, and the commonest class."""
    minx, miny, maxx, maxy = bounds
    size = (maxx - minx) / GRID
    points: list[np.ndarray] = []
    props: list[dict[str, object]] = []
    for layer in SOURCE_LAYER:
        part = index.layers[layer]
        near = part.kept(part.anchor_tree.query(shapely.box(*bounds)))
        xy = part.anchors[near]
        inside = near[(xy[:, 0] >= minx) & (xy[:, 0] < maxx) & (xy[:, 1] > miny) & (xy[:, 1] <= maxy)]
        if not len(inside):
            continue
        xy = part.anchors[inside]
        cell = (np.minimum((xy[:, 0] - minx) // size, GRID - 1) * GRID
                + np.minimum((maxy - xy[:, 1]) // size, GRID - 1)).astype(int)
        used, slot = np.unique(cell, return_inverse=True)
        count = np.bincount(slot)
        per_class = np.bincount(slot * len(part.classes) + part.codes[inside],
                                minlength=len(used) * len(part.classes)).reshape(len(used), len(part.classes))
        mean = np.column_stack([np.bincount(slot, xy[:, 0]), np.bincount(slot, xy[:, 1])]) / count[:, None]
        points.append(np.asarray(shapely.points(mean), dtype=object))
        props += [{"layer": layer, "count": int(n), "class": str(c)}
                  for n, c in zip(count, part.classes[per_class.argmax(axis=1)], strict=True)]
    geoms = np.concatenate(points) if points else np.array([], dtype=object)
    return TileLayer(CLUSTERS, geoms, props)


def tile_layers(index: TileIndex, z: int, x: int, y: int) -> list[TileLayer]:
    """What tile z/x/y shows: the layers with their features intersecting the tile (empty layers left out)."""
    bounds = tile_bounds(z, x, y)
    box = shapely.box(*bounds)
    pixel_m = (bounds[2] - bounds[0]) / 512
    layers = []
    clustered = z < DETAIL_ZOOM and index.shape_count(box) > MAX_SHAPES
    for layer in (schema.BOUNDARY, *(() if clustered else SOURCE_LAYER)):
        part = index.layers[layer]
        hits = part.hits(box)
        if layer != schema.BOUNDARY:  # a shape of a pixel or two shows nothing: its spot stands for it
            hits = hits[part.size_m[hits] >= MIN_SHAPE_PX * pixel_m]
        name = BOUNDARIES if layer == schema.BOUNDARY else SOURCE_LAYER[layer]
        layers.append(TileLayer(name, part.geometries[hits], _records(part.properties, hits), store_layer=layer,
                                keys=list(part.keys[hits])))
    if clustered:
        layers.append(_clusters(index, bounds))
    else:
        hits = index.links.hits(box)
        layers += [TileLayer(LINKS, index.links.geometries[hits], [{} for _ in hits]),
                   _spots(index, box, pixel_m)]
    return [layer for layer in layers if len(layer.geometries)]


def _encode(layers: Sequence[TileLayer], bounds: tuple[float, float, float, float]) -> bytes:
    """MVT bytes of *layers*: clipped to the tile plus :data:`BUFFER`, in whole tile units, simplified."""
    minx, miny, maxx, maxy = bounds
    scale = EXTENT / (maxx - minx)
    pad = BUFFER / scale
    origin = np.array([minx, miny])
    encoded = []
    for layer in layers:
        clipped = shapely.clip_by_rect(layer.geometries, minx - pad, miny - pad, maxx + pad, maxy + pad)
        # Tile units, y up (the encoder turns them to MVT's y down); done here for all features at once.
        local = shapely.transform(clipped, lambda xy: np.round((xy - origin) * scale))
        simple = shapely.simplify(local, 0.5, preserve_topology=True)
        broken = ~shapely.is_valid(simple)
        simple[broken] = shapely.make_valid(simple[broken], method="structure", keep_collapsed=False)
        # MVT wants exterior rings clockwise in its y-down space, which is clockwise here too (y is flipped
        # and turned back by the encoder), so its own per-feature check is not needed.
        simple = shapely.orient_polygons(simple, exterior_cw=True)
        features = [{"geometry": g, "properties": p}
                    for g, p in zip(simple, layer.properties, strict=True) if not g.is_empty]
        encoded.append({"name": layer.name, "features": features})
    return bytes(mapbox_vector_tile.encode(encoded, default_options={"extents": EXTENT,
                                                                      "check_winding_order": False}))


def render(index: TileIndex, z: int, x: int, y: int, store: object = None) -> bytes:
    """The MVT bytes of tile z/x/y; with a *store* that has :class:`SqlTiles`, it encodes its own layers."""
    layers = tile_layers(index, z, x, y)
    if not isinstance(store, SqlTiles):
        return _encode(layers, tile_bounds(z, x, y))
    # MVT layers are repeated fields of one message: tiles with distinct layers concatenate into one.
    parts = [store.vector_tile_layer(z, x, y, layer.name, layer.store_layer, layer.keys or [],
                                     pd.DataFrame(layer.properties, columns=list(PROPERTIES[layer.store_layer])))
             for layer in layers if layer.store_layer is not None]
    own = [layer for layer in layers if layer.store_layer is None]
    return b"".join(parts) + (_encode(own, tile_bounds(z, x, y)) if own else b"")
