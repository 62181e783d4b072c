"""The column-at-a-time upload diff gives exactly what the former per-feature diff gave (kept here as the reference)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import affinity

from geo import fmt, schema
from geo.accounting import ledger
from geo.upload import diff
from geo.upload.diff import GEOMETRY_TOLERANCE_M, LayerDiff, _booking_findings, display_value
from tests.conftest import WURZEN, intervention_frame, pool_frame, square


# --- the reference: the diff as it was, one Python step per feature and field -----------------------------------
def _same(a: Any, b: Any, f: schema.Field) -> bool:
    if f.type == "number":
        a, b = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and abs(a - b) < 0.5)
    return display_value(a, f) == display_value(b, f)


def _at(frame: pd.DataFrame, index: str, column: str) -> object:
    return frame.at[index, column] if column in frame.columns else None


def reference_diff(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, layer: str, *,
                   allocations: pd.DataFrame | None = None) -> LayerDiff:
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
    return LayerDiff(layer, added, tuple(changed), removed, pd.DataFrame(rows, columns=diff.CHANGE_COLUMNS),
                     tuple(findings))


# --- random small layers and uploads ------------------------------------------------------------------------------
EDITS = ("keep", "name", "notes_none", "points_small", "points_big", "points_none", "status", "date", "date_time",
         "nudge", "move", "shrink", "ags", "drop")


def _edit(row: dict, edit: str) -> dict:
    row = dict(row)
    if edit == "name":
        row["name"] = row["name"] + " Nord"
    elif edit == "notes_none":
        row["notes"] = None
    elif edit == "points_small":
        row["value_points"] = row["value_points"] + 0.3
    elif edit == "points_big":
        row["value_points"] = row["value_points"] * 0.5
    elif edit == "points_none":
        row["value_points"] = None
    elif edit == "status":
        row["status"] = "gesperrt"
    elif edit == "date":
        row["measure_start"] = pd.Timestamp("2025-03-01")
    elif edit == "date_time":  # the same day at another hour: shown the same
        row["measure_start"] = (row["measure_start"] or pd.Timestamp("2024-01-01")) + pd.Timedelta(hours=5)
    elif edit == "nudge":
        row["geometry"] = affinity.translate(row["geometry"], 0.01, 0.0)
    elif edit == "move":
        row["geometry"] = affinity.translate(row["geometry"], 30.0, 0.0)
    elif edit == "shrink":
        row["geometry"] = affinity.scale(row["geometry"], 0.8, 0.8)
    elif edit == "ags":
        row["ags"] = f" {WURZEN} "
    return row


layers = st.lists(st.tuples(st.sampled_from(EDITS), st.floats(1, 1e6), st.booleans(), st.booleans()),
                  min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=layers, added=st.integers(0, 3), order=st.randoms(use_true_random=False),
       booked_share=st.floats(0.0, 1.0), start_ring=st.booleans())
def test_the_column_diff_equals_the_per_feature_diff(spec, added, order, booked_share, start_ring):
    rows = [{"pool_id": f"P{i}", "name": f"Fläche {i}", "value_points": points, "geometry": square(i * 300, 0, 100),
             "measure_start": pd.Timestamp("2024-01-01") if dated else None, "notes": "" if noted else None}
            for i, (_, points, dated, noted) in enumerate(spec)]
    old = pool_frame(rows)
    edited = [_edit(row, edit) for row, (edit, *_) in zip(rows, spec, strict=True) if edit != "drop"]
    edited += [{"pool_id": f"N{i}", "name": "Neu", "value_points": 10.0, "geometry": square(-500 - i * 300, 0, 50)}
               for i in range(added)]
    order.shuffle(edited)
    new = pool_frame(edited) if edited else old.iloc[:0]
    if start_ring and len(new):  # the same polygon, its ring starting at another vertex: no change
        first = new.geometry.iloc[0]
        ring = list(first.exterior.coords)
        coords = [*ring[1:], ring[1]]
        new.loc[new.index[0], "geometry"] = shapely.Polygon(coords)
    itv = intervention_frame([{"intervention_id": "E1", "geometry": square(0, -500, 10), "demand_points": 1e9}])
    entries = ledger.empty_ledger()
    for i, row in enumerate(rows[: int(len(rows) * booked_share)]):
        entries = pd.concat([entries, ledger.plan_booking(
            old, itv, entries, pool_id=row["pool_id"], intervention_id="E1", points=min(row["value_points"], 50.0),
            kind="zugeordnet", user="t", on=dt.date(2026, 1, 1 + i))], ignore_index=True)
    got = diff.diff_layer(old, new, schema.POOL_AREAS, allocations=entries)
    expected = reference_diff(old, new, schema.POOL_AREAS, allocations=entries)
    assert (got.added, got.changed, got.removed, got.findings) == (
        expected.added, expected.changed, expected.removed, expected.findings)
    pd.testing.assert_frame_equal(got.changes, expected.changes.astype(object))


def test_interventions_diff_as_before():
    old = intervention_frame([{"intervention_id": f"E{i}", "geometry": square(i * 100, 0, 50), "demand_points": 10.0}
                              for i in range(4)])
    new = old.drop(index=1).assign(approval_date=[None, np.datetime64("2026-01-01"), None], demand_points=[10.2, 10, 3])
    got, expected = diff.diff_layer(old, new, schema.INTERVENTIONS), reference_diff(old, new, schema.INTERVENTIONS)
    assert (got.added, got.changed, got.removed) == (expected.added, expected.changed, expected.removed)
    pd.testing.assert_frame_equal(got.changes, expected.changes.astype(object))


TEXT_CELLS = st.one_of(st.sampled_from(["", " ", "Aue", "Aue ", "12", "12.0"]), st.none(), st.just(np.nan),
                       st.sampled_from([np.str_("Aue"), 12, 12.0]))


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(TEXT_CELLS, TEXT_CELLS), max_size=10), arrow=st.booleans())
def test_text_columns_compare_as_cell_by_cell(pairs: list[tuple[Any, Any]], arrow: bool) -> None:
    """Text compared a column at a time = the former cell-by-cell comparison (same type and equal, else the same
    display text), on object and Arrow text columns, with missing cells and numbers among the text."""
    f = next(f for f in schema.LAYER_FIELDS[schema.POOL_AREAS] if f.name == "name")
    before = pd.Series([a for a, _ in pairs], dtype=object)
    after = pd.Series([b for _, b in pairs], dtype=object)
    if arrow and all(v is None or isinstance(v, str) for v in after):
        after = after.astype("str")
    expected = [x is y or (type(x) is type(y) and bool(x == y)) or display_value(x, f) == display_value(y, f)
                for x, y in zip(before, after.to_numpy(dtype=object), strict=True)]
    assert diff._same_column(before, after, f).tolist() == expected


def test_dates_of_another_resolution_compare_as_cell_by_cell() -> None:
    """Stored dates (µs) against uploaded ones (ms): equal instants and two missing dates are the same, another
    hour of the same day looks the same, another day differs."""
    f = next(f for f in schema.LAYER_FIELDS[schema.POOL_AREAS] if f.name == "measure_start")
    stored = pd.Series(["2024-05-01", None, "2024-05-01", "2024-05-01", None], dtype="datetime64[us]")
    uploaded = pd.Series(["2024-05-01", None, "2024-05-01T05:00", "2024-05-02", "2024-05-02"], dtype="datetime64[ms]")
    expected = [x is y or (type(x) is type(y) and bool(x == y)) or display_value(x, f) == display_value(y, f)
                for x, y in zip(stored.to_numpy(dtype=object), uploaded.to_numpy(dtype=object), strict=True)]
    assert expected == [True, True, True, False, False]
    assert diff._same_column(stored, uploaded, f).tolist() == expected
