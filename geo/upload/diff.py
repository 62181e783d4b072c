"""What a publish would change: added, changed (field by field) and removed features by id.

Pure: compares the stored layer of one municipality with the validated upload. Booked
value points must never disappear, so removing or shrinking a pool area with bookings
(or lowering its value points below them), setting it back to ``geplant`` or withdrawing
it (``gesperrt``), or removing an intervention with bookings, is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import fmt, schema
from geo.accounting import ledger
from geo.upload.validate import Finding

GEOMETRY_TOLERANCE_M = 0.05  # vertices moved less than this (reprojection round trips) are no change
AREA_TOLERANCE_M2 = 1.0
# Set by hand, never by the ledger (see geo.accounting.ledger.derived_status): booked areas may not take them.
HAND_SET_POOL_STATUS = tuple(s for s in schema.POOL_STATUS if s not in ledger.BOOKABLE_POOL_STATUS)
ACTION_LABELS = {"added": "hinzugefügt", "changed": "geändert", "removed": "entfernt"}
CHANGE_COLUMNS = ["id", "action", "field", "old", "new"]


class ChangeCounts(TypedDict):
    added: int
    changed: int
    removed: int


@dataclass(frozen=True)
class LayerDiff:
    layer: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    changes: pd.DataFrame  # id, action, field, old, new (display text)
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def counts(self) -> ChangeCounts:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)}

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def table(self) -> pd.DataFrame:
        """The change table with German headers."""
        return pd.DataFrame({
            "ID": self.changes["id"], "Änderung": self.changes["action"].map(ACTION_LABELS),
            "Feld": self.changes["field"], "vorher": self.changes["old"], "nachher": self.changes["new"],
        })


def display_value(value: Any, f: schema.Field) -> str:
    """One stored value (a cell of any dtype) as text (German dates and numbers; missing → empty)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if f.type == "date":
        return fmt.date(value)
    if f.type == "number":
        return fmt.number(float(value))
    if f.type == "ags":  # the field is labelled "Gemeinde": show its name, unknown keys as they are
        return schema.AGS_NAMES.get(str(value).strip(), str(value).strip())
    return str(value).strip()


def _same_column(before: pd.Series, after: pd.Series, f: schema.Field) -> np.ndarray:
    """Per row: do the two cells of field *f* show the same (numbers: within 0,5; else the same display text)?

    Numbers and equal values compare a column at a time; only cells whose values differ are
    rendered (:func:`display_value`) to see whether they still look the same (12.0 vs "12").
    """
    if f.type == "number":
        a = pd.to_numeric(before, errors="coerce").to_numpy(float)
        b = pd.to_numeric(after, errors="coerce").to_numpy(float)
        return (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) < 0.5)
    if (before.dtype == after.dtype and before.dtype.kind in "Mmfiub") or (
            pd.api.types.is_datetime64_dtype(before.dtype) and pd.api.types.is_datetime64_dtype(after.dtype)):
        # dates of any resolution (the store keeps µs, an upload may bring ms) compare as instants
        same = (before.to_numpy() == after.to_numpy()) | (before.isna().to_numpy() & after.isna().to_numpy())
    elif _text_only(before) and _text_only(after):  # text or missing on both sides: compared as a whole
        a, b = before.to_numpy(dtype=object), after.to_numpy(dtype=object)
        missing_a, missing_b = before.isna().to_numpy(), after.isna().to_numpy()
        same = missing_a & missing_b
        both = ~missing_a & ~missing_b
        same[both] = (a[both] == b[both]).astype(bool)
    else:
        same = np.array([x is y or (type(x) is type(y) and bool(x == y)) for x, y in
                         zip(before.to_numpy(dtype=object), after.to_numpy(dtype=object), strict=True)], dtype=bool)
    for i in np.flatnonzero(~same):
        same[i] = display_value(before.iloc[i], f) == display_value(after.iloc[i], f)
    return same


def _text_only(values: pd.Series) -> bool:
    """Is every cell of *values* text or missing?"""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    """One column; None in every row where the frame predates the field."""
    return frame[column] if column in frame.columns else pd.Series(None, index=frame.index, dtype=object)


def _moved(before: gpd.GeoSeries, after: gpd.GeoSeries) -> np.ndarray:
    """Per row: did the geometry change by more than :data:`GEOMETRY_TOLERANCE_M`?

    Equal normalised WKB is no change; only the others are measured (Hausdorff distance).
    """
    old, new = before.to_numpy(), after.to_numpy()
    same = (shapely.to_wkb(shapely.normalize(old)) == shapely.to_wkb(shapely.normalize(new))).astype(bool)
    moved = np.zeros(len(old), dtype=bool)
    measure = np.flatnonzero(~same)
    moved[measure] = shapely.hausdorff_distance(old[measure], new[measure]) > GEOMETRY_TOLERANCE_M
    return moved


def _booked(old: gpd.GeoDataFrame, layer: str, allocations: pd.DataFrame) -> pd.Series:
    """Booked points per id of the stored layer (pool areas and interventions)."""
    if layer == schema.POOL_AREAS:
        return ledger.enrich_pool(old, allocations).set_index("pool_id")["booked_points"]
    if layer == schema.INTERVENTIONS:
        return ledger.enrich_interventions(old, allocations).set_index("intervention_id")["covered_points"]
    return pd.Series(dtype=float)


def diff_layer(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, layer: str, *,
               allocations: pd.DataFrame | None = None) -> LayerDiff:
    """Compare the stored *old* with the upload *new* (both EPSG:25833, schema columns), a column at a time."""
    key = schema.ID_FIELD[layer]
    # Ids as plain Python text: pandas' isin on Arrow-backed text builds one Arrow scalar per value.
    before = old.set_index(pd.Index(old[key].astype(str).to_numpy(dtype=object), dtype=object), drop=False)
    after = new.set_index(pd.Index(new[key].astype(str).to_numpy(dtype=object), dtype=object), drop=False)
    kept = after.index.isin(before.index)
    added = tuple(after.index[~kept])
    removed = tuple(before.index[~before.index.isin(after.index)])
    common = after.index[kept]
    old_rows, new_rows = before.loc[common], after[kept]
    area_old = pd.Series(shapely.area(before.geometry.values), index=before.index)
    area_new = pd.Series(shapely.area(after.geometry.values), index=after.index)
    parts = [pd.DataFrame({"id": list(ids), "action": action, "field": "", "old": "", "new": "", "_row": -1,
                           "_field": -1}) for ids, action in ((added, "added"), (removed, "removed"))]
    fields = [f for f in schema.LAYER_FIELDS[layer] if f.name != key]
    for order, f in enumerate(fields):
        a, b = _column(old_rows, f.name), _column(new_rows, f.name)
        rows = np.flatnonzero(~_same_column(a, b, f))
        parts.append(pd.DataFrame({
            "id": common[rows], "action": "changed", "field": f.label,
            "old": [display_value(v, f) for v in a.iloc[rows]], "new": [display_value(v, f) for v in b.iloc[rows]],
            "_row": rows, "_field": order}))
    rows = np.flatnonzero(_moved(old_rows.geometry, new_rows.geometry))
    was = area_old.reindex(common[rows]).tolist()
    now = area_new[kept].to_numpy()[rows].tolist()
    parts.append(pd.DataFrame({
        "id": common[rows], "action": "changed", "field": "Geometrie",
        "old": [f"{fmt.number(m2)} m²" for m2 in was],
        "new": [f"{fmt.number(m2)} m² ({'+' if m2 - w >= 0 else '−'}{fmt.number(abs(m2 - w))} m²)"
                for w, m2 in zip(was, now, strict=True)],
        "_row": rows, "_field": len(fields)}))
    table = pd.concat(parts, ignore_index=True)
    changes = table[table["_row"] >= 0].sort_values(["_row", "_field"], kind="stable")
    changed = list(dict.fromkeys(changes["id"]))
    table = pd.concat([table[table["_row"] < 0], changes], ignore_index=True)[CHANGE_COLUMNS]
    findings = _booking_findings(before, after, layer, removed, changed, area_old, area_new,
                                 allocations if allocations is not None else ledger.empty_ledger())
    return LayerDiff(layer, added, tuple(changed), removed, table.astype(object), tuple(findings))


def _booking_findings(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, layer: str, removed: tuple[str, ...],
                      changed: list[str], area_old: pd.Series, area_new: pd.Series,
                      allocations: pd.DataFrame) -> list[Finding]:
    booked = _booked(before.reset_index(drop=True), layer, allocations)
    booked = booked[booked > ledger.EPS]
    key = schema.ID_FIELD[layer]
    out = []
    what = schema.LAYER_LABELS[layer]
    for i in removed:
        if i in booked.index:
            out.append(Finding("error", "booked_removed", f"{i} fehlt in der neuen Fassung, hat aber "
                               f"{fmt.points(booked[i])} gebucht: gebuchte {what} dürfen nicht verschwinden.",
                               i, key))
    if layer != schema.POOL_AREAS:
        return out
    status, value_points = after["status"], after["value_points"]
    kept = booked[booked.index.isin(after.index)]
    for i in kept.index[status.reindex(kept.index).isin(HAND_SET_POOL_STATUS).to_numpy()]:
        out.append(Finding("error", "booked_status", f"{i} soll „{status[i]}“ werden, hat aber "
                           f"{fmt.points(booked[i])} gebucht: erst die Buchungen stornieren, dann den Status "
                           "ändern.", i, "status"))
    touched = pd.Index(changed, dtype=object)
    touched = touched[touched.isin(booked.index)]
    shrunk = (area_new.reindex(touched) < area_old.reindex(touched) - AREA_TOLERANCE_M2).to_numpy()
    short = (value_points.reindex(touched) < booked.reindex(touched) - ledger.EPS).to_numpy()
    for i, smaller, fewer in zip(touched, shrunk, short, strict=True):
        if smaller:
            out.append(Finding("error", "booked_shrunk", f"{i} wird um {fmt.number(area_old[i] - area_new[i])} m² "
                               f"verkleinert, hat aber {fmt.points(booked[i])} gebucht: gebuchte Flächen dürfen "
                               "nicht schrumpfen.", i, "geometry"))
        if fewer:
            points = fmt.points(value_points[i])
            out.append(Finding("error", "booked_points", f"{i}: neue Wertpunkte {points} liegen unter den gebuchten "
                               f"{fmt.points(booked[i])}.", i, "value_points"))
    return out
