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


def _same(a: Any, b: Any, f: schema.Field) -> bool:
    if f.type == "number":
        a, b = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and abs(a - b) < 0.5)
    return display_value(a, f) == display_value(b, f)


def _at(frame: pd.DataFrame, index: str, column: str) -> object:
    """One value; None where the frame predates the field."""
    return frame.at[index, column] if column in frame.columns else None


def _booked(old: gpd.GeoDataFrame, layer: str, allocations: pd.DataFrame) -> pd.Series:
    """Booked points per id of the stored layer (pool areas and interventions)."""
    if layer == schema.POOL_AREAS:
        return ledger.enrich_pool(old, allocations).set_index("pool_id")["booked_points"]
    if layer == schema.INTERVENTIONS:
        return ledger.enrich_interventions(old, allocations).set_index("intervention_id")["covered_points"]
    return pd.Series(dtype=float)


def diff_layer(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, layer: str, *,
               allocations: pd.DataFrame | None = None) -> LayerDiff:
    """Compare the stored *old* with the upload *new* (both EPSG:25833, schema columns)."""
    key = schema.ID_FIELD[layer]
    before = old.set_index(old[key].astype(str), drop=False)
    after = new.set_index(new[key].astype(str), drop=False)
    added = tuple(i for i in after.index if i not in before.index)
    removed = tuple(i for i in before.index if i not in after.index)
    common = [i for i in after.index if i in before.index]
    rows: list[dict] = [{"id": i, "action": "added", "field": "", "old": "", "new": ""} for i in added]
    rows += [{"id": i, "action": "removed", "field": "", "old": "", "new": ""} for i in removed]
    changed: list[str] = []
    area_old = pd.Series(shapely.area(before.geometry.values), index=before.index)
    area_new = pd.Series(shapely.area(after.geometry.values), index=after.index)
    if common:
        moved = shapely.hausdorff_distance(before.loc[common].geometry.values, after.loc[common].geometry.values)
        geometry_changed = dict(zip(common, moved > GEOMETRY_TOLERANCE_M, strict=True))
    for i in common:
        fields = [(f, _at(before, i, f.name), _at(after, i, f.name)) for f in schema.LAYER_FIELDS[layer]
                  if f.name != key]
        diffs = [{"id": i, "action": "changed", "field": f.label, "old": display_value(a, f),
                  "new": display_value(b, f)} for f, a, b in fields if not _same(a, b, f)]
        if geometry_changed[i]:
            delta = area_new[i] - area_old[i]
            diffs.append({"id": i, "action": "changed", "field": "Geometrie",
                          "old": f"{fmt.number(area_old[i])} m²",
                          "new": f"{fmt.number(area_new[i])} m² ({'+' if delta >= 0 else '−'}"
                                 f"{fmt.number(abs(delta))} m²)"})
        if diffs:
            changed.append(i)
            rows += diffs
    findings = _booking_findings(before, after, layer, removed, changed, area_old, area_new,
                                 allocations if allocations is not None else ledger.empty_ledger())
    return LayerDiff(layer, added, tuple(changed), removed, pd.DataFrame(rows, columns=CHANGE_COLUMNS),
                     tuple(findings))


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
    for i in booked.index.intersection(after.index):
        if status[i] in HAND_SET_POOL_STATUS:
            out.append(Finding("error", "booked_status", f"{i} soll „{status[i]}“ werden, hat aber "
                               f"{fmt.points(booked[i])} gebucht: erst die Buchungen stornieren, dann den Status "
                               "ändern.", i, "status"))
    for i in changed:
        if i not in booked.index:
            continue
        if area_new[i] < area_old[i] - AREA_TOLERANCE_M2:
            out.append(Finding("error", "booked_shrunk", f"{i} wird um {fmt.number(area_old[i] - area_new[i])} m² "
                               f"verkleinert, hat aber {fmt.points(booked[i])} gebucht: gebuchte Flächen dürfen "
                               "nicht schrumpfen.", i, "geometry"))
        if value_points[i] < booked[i] - ledger.EPS:
            points = fmt.points(value_points[i])
            out.append(Finding("error", "booked_points", f"{i}: neue Wertpunkte {points} liegen unter den gebuchten "
                               f"{fmt.points(booked[i])}.", i, "value_points"))
    return out
