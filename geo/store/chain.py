"""Tamper evidence: hash chains over the ledger and the history, checksums of layers.

Every ledger and history row carries ``hash`` = SHA-256 over the previous row's hash and
the row's own content in the schema's field order. Changing, inserting or deleting a row
breaks the chain from that row on. The content is put into one canonical text form first,
so that the same row gives the same hash whatever store it was read from (GeoPackage
REAL or PostgreSQL double, ``date`` or ISO text, ``None`` or NaN).

Layer checksums work the same way over a whole municipal layer, ordered by id, with
geometries as normalised WKB (fields added later, ``Field.late``, count only where filled);
a layer's checksum is stored in the history row of the publish that wrote it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo import schema

HASH_FIELD = "hash"
GENESIS = ""  # the "previous hash" of a table's first row


def canonical(value: Any) -> str:
    """One text form per value: "" for missing, whole numbers without decimals, ISO dates."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        rounded = round(float(value), 6)
        return str(int(rounded)) if rounded.is_integer() else repr(rounded)
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            return stamp.isoformat()
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is pd.NA:
        return ""
    return str(value)


def content_fields(table: str) -> list[str]:
    """The fields a row's hash covers: every schema field but the hash itself."""
    return [name for name in schema.field_names(table) if name != HASH_FIELD]


def row_hash(row: Mapping[Any, Any], table: str, previous: str) -> str:
    """SHA-256 (hex) of *previous* and the row's canonical content (*row* by field name).

    Fields added later (``Field.late``) count only where filled, so rows sealed before they
    existed keep their hashes.
    """
    late = {f.name for f in schema.LAYER_FIELDS[table] if f.late}
    texts = [(name, canonical(row.get(name))) for name in content_fields(table)]
    payload = "\x1f".join(text for name, text in texts if text or name not in late)
    return hashlib.sha256(f"{previous}\x1e{payload}".encode()).hexdigest()


def seal(rows: pd.DataFrame, table: str, previous: str) -> pd.DataFrame:
    """*rows* (appended after a row whose hash is *previous*) with their ``hash`` filled in."""
    out = rows.copy()
    hashes = []
    for record in out.to_dict("records"):
        previous = row_hash(record, table, previous)
        hashes.append(previous)
    out[HASH_FIELD] = hashes
    return out


def last_hash(table_rows: pd.DataFrame) -> str:
    """The hash the next appended row chains onto."""
    if not len(table_rows):
        return GENESIS
    value = table_rows[HASH_FIELD].iloc[-1]
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def broken_rows(table_rows: pd.DataFrame, table: str) -> list[int]:
    """Positions (0-based) of the rows whose stored hash does not match the chain."""
    previous, broken = GENESIS, []
    for position, record in enumerate(table_rows.to_dict("records")):
        expected = row_hash(record, table, previous)
        stored = canonical(record.get(HASH_FIELD))
        if stored != expected:
            broken.append(position)
        previous = stored or expected
    return broken


def text_checksum(text: str) -> str:
    """SHA-256 of a text (a valuation table's CSV) in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def layer_checksum(frame: gpd.GeoDataFrame, layer: str) -> str:
    """SHA-256 of a municipal layer's content: rows ordered by id, schema fields, normalised geometry."""
    id_field = schema.ID_FIELD[layer]
    ordered = frame.sort_values(id_field, kind="stable") if len(frame) else frame
    digest = hashlib.sha256()
    names = schema.field_names(layer)
    late = {f.name for f in schema.LAYER_FIELDS[layer] if f.late}
    for record, geom in zip(ordered[names].to_dict("records"), ordered.geometry, strict=True):
        texts = [(n, canonical(record[n])) for n in names]
        digest.update("\x1f".join(text for n, text in texts if text or n not in late).encode())
        digest.update(b"\x1e")
        digest.update(_geometry_bytes(geom))
        digest.update(b"\x1d")
    return digest.hexdigest()


def _geometry_bytes(geom: BaseGeometry | None) -> bytes:
    if geom is None or geom.is_empty:
        return b""
    if isinstance(geom, shapely.Polygon):
        geom = shapely.MultiPolygon([geom])
    return bytes(shapely.to_wkb(shapely.normalize(geom), output_dimension=2, byte_order=1))


def chain_all(tables: Iterable[tuple[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Seal whole tables from their first row (for rows that have no hash yet)."""
    return {name: seal(rows, name, GENESIS) for name, rows in tables}
