"""The column-at-a-time validation rules find exactly the rows the former per-row rules found (kept here, per
cell, as the reference), with the same messages in the same order."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import fmt, schema
from geo.accounting import valuation
from geo.store.gpkg import GeoPackageStore
from geo.upload import validate
from tests.conftest import LEIPZIG, WURZEN, pool_frame, square

HIDDEN = "\x00\x07\x1f\x7f\x85\u061c\u200e\u202e\u2066\ue000"
WHITESPACE = " \t\n\r\x1c\x1d\xa0\u2003\u3000"
CELL_TEXT = st.text(alphabet=st.sampled_from([*HIDDEN, *WHITESPACE, "a", "Ä", "Ã", "\x84", "\ufffd", "-", "1"]),
                    max_size=8)
CELLS = st.one_of(CELL_TEXT, st.none(), st.just(math.nan), st.integers(-5, 5), st.floats(allow_nan=False),
                  st.sampled_from([b"", b"x", b"\x07 "]), st.just(pd.NaT))


# --- the reference: the rules as they were, one Python step per cell ------------------------------------------------
def reference_stripped(series: pd.Series) -> pd.Series:
    return fmt.texts(series).str.strip().astype(object).map(lambda v: v or None)


def reference_text_cells(series: pd.Series) -> list[str]:
    return [v if isinstance(v, str) else "" for v in series]


def stripped_cells(values: list[Any]) -> list[str]:
    return reference_text_cells(reference_stripped(pd.Series(values, dtype=object)))


def reference_findings(frame: pd.DataFrame, foreign: dict[str, str]) -> list[tuple[str, str, str]]:
    """(rule, feature id, field) of the text, length, id and encoding rules, in the order validate reports them."""
    fields = schema.LAYER_FIELDS[schema.POOL_AREAS]
    row_ids = [v or f"Zeile {n + 1}" for n, v in enumerate(stripped_cells(list(frame["pool_id"])))]
    cells: dict[str, list[Any]] = {f.name: list(frame[f.name]) if f.name in frame.columns else [None] * len(frame)
                                   for f in fields}
    out = []
    for f in fields:
        if f.type in ("text", "id", "code", "enum", "ags"):
            for n, v in enumerate(cells[f.name]):
                if isinstance(v, str) and validate._HIDDEN.search(v):
                    out.append(("text_cleaned", row_ids[n], f.name))
                    cells[f.name][n] = validate._HIDDEN.sub("", v)
    row_ids = [v or f"Zeile {n + 1}" for n, v in enumerate(stripped_cells(cells["pool_id"]))]
    for f in fields:
        if f.max_length is not None:
            out += [("text_too_long", row_ids[n], f.name) for n, v in enumerate(cells[f.name])
                    if isinstance(v, str) and len(v.strip()) > f.max_length]
    ids = [v or None for v in stripped_cells(cells["pool_id"])]
    out += [("id_missing", row_ids[n], "pool_id") for n, v in enumerate(ids) if v is None]
    out += [("id_malformed", row_ids[n], "pool_id") for n, v in enumerate(ids)
            if v is not None and not validate.ID_PATTERN.match(v)]
    out += [("id_duplicate", row_ids[n], "pool_id") for n, v in enumerate(ids) if v is not None and ids.count(v) > 1]
    out += [("id_foreign", row_ids[n], "pool_id") for n, v in enumerate(ids) if v in foreign]
    for f in fields:
        if f.type in ("text", "enum", "code"):
            out += [("encoding", row_ids[n], f.name) for n, v in enumerate(stripped_cells(cells[f.name]))
                    if validate._MOJIBAKE.search(v)]
    return out


# --- the helpers, cell by cell ----------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=12))
def test_stripped_and_text_cells_match_the_per_cell_reference(values: list[Any]) -> None:
    series = pd.Series(values, dtype=object, index=np.arange(len(values)) * 3)
    pd.testing.assert_series_equal(validate._stripped(series), reference_stripped(series))
    assert validate._text_cells(series).tolist() == reference_text_cells(series)
    texts = [v for v in values if isinstance(v, str)]
    for pattern in (validate._HIDDEN, validate._MOJIBAKE):
        assert validate._found_in(pattern, pd.Series(texts, dtype=object)) == any(pattern.search(v) for v in texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(CELL_TEXT, st.none()), max_size=12))
def test_stripped_of_an_arrow_text_column_matches_the_reference(values: list[str | None]) -> None:
    series = pd.Series(values, dtype="str")
    pd.testing.assert_series_equal(validate._stripped(series), reference_stripped(series))


# --- the rules inside validate -------------------------------------------------------------------------------------
def hostile_layer() -> gpd.GeoDataFrame:
    rows: list[dict[str, Any]] = [
        {"pool_id": "WUR-1", "name": "Aue"},
        {"pool_id": "WUR-1", "name": "Aue\u202e zwei"},  # duplicate id, bidi override
        {"pool_id": "  ", "name": "x" * 201},  # blank id, too long
        {"pool_id": None, "name": " " + "y" * 200 + " "},  # missing id; long only with the blanks
        {"pool_id": "WUR 4", "name": "GrÃ¼nland"},  # malformed id, mojibake
        {"pool_id": "LEI-9", "name": "Wiese\x00"},  # foreign id, NUL
        {"pool_id": "WUR-1", "name": 17, "notes": b"\x07"},  # third duplicate, a number and bytes as text
        {"pool_id": "W\u200eUR-8", "name": "Hecke", "owner": "Ã\xa0"},  # id cleaned to WUR-8; mojibake in owner
        {"pool_id": "WUR-9", "name": "Hecke\ufffd", "parcels": "\ue000" * 3},
    ]
    frame = pool_frame([{**r, "geometry": square(736_000 + 100 * n, 5_690_000, 50)} for n, r in enumerate(rows)])
    frame["notes"] = frame["notes"].astype(object)
    return frame


@pytest.fixture
def context() -> validate.Context:
    tables = valuation.read_tables(GeoPackageStore(Path(__file__).parent.parent / "data"))
    return validate.Context(WURZEN, tables, foreign_ids={"LEI-9": LEIPZIG})


def test_hostile_layer_findings_match_the_per_row_reference(context: validate.Context) -> None:
    frame = hostile_layer()
    rules = {"text_cleaned", "text_too_long", "id_missing", "id_malformed", "id_duplicate", "id_foreign", "encoding"}
    report = validate.validate(frame, schema.POOL_AREAS, context)
    found = [(f.rule, f.feature_id, f.field) for f in report.findings if f.rule in rules]
    assert found == reference_findings(frame, context.foreign_ids)
    assert {"text_cleaned", "text_too_long", "id_missing", "id_malformed", "id_duplicate", "id_foreign",
            "encoding"} <= {rule for rule, _, _ in found}, "every rule is exercised"
    duplicate = next(f for f in report.findings if f.rule == "id_duplicate")
    assert duplicate.message == "Die ID „WUR-1“ kommt 3-mal vor."
    too_long = [f.message for f in report.findings if f.rule == "text_too_long"]
    assert too_long[0].startswith("„Flurname“ ist 201 Zeichen lang; erlaubt sind höchstens 200.")
    assert len(too_long) == 1, "surrounding blanks do not count"


def test_outside_uses_the_boundary_as_within_did(context: validate.Context) -> None:
    boundary = shapely.box(736_000, 5_690_000, 737_000, 5_691_000)
    inside, across, beyond = square(736_100, 5_690_100, 50), square(736_990, 5_690_100, 50), square(738_000, 0, 50)
    on_edge = shapely.box(736_000, 5_690_500, 736_050, 5_690_550)  # touches the boundary from inside: within
    shapes = [inside, across, beyond, on_edge]
    frame = pool_frame([{"pool_id": f"WUR-{n}", "geometry": g} for n, g in enumerate(shapes)])
    report = validate.validate(frame, schema.POOL_AREAS, validate.Context(WURZEN, context.tables, boundary=boundary))
    outside = [f.feature_id for f in report.findings if f.rule == "outside_boundary"]
    assert outside == [f"WUR-{n}" for n, g in enumerate(shapes)
                       if not shapely.within(g, boundary)
                       and shapely.area(shapely.difference(g, boundary)) > validate.OUTSIDE_MIN_M2]
    assert outside == ["WUR-1", "WUR-2"]
