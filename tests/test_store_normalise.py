"""Text columns read through Arrow become the same Python objects through a dictionary as value by value."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.store.gpkg import _objects

TEXT = st.one_of(st.none(), st.sampled_from(["", " ", "verfügbar", "14729410", "Aue\u202e"]), st.text(max_size=5))


def per_value(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.lists(TEXT, max_size=8), min_size=1, max_size=3))
def test_arrow_text_through_a_dictionary_equals_value_by_value(parts: list[list[str | None]]) -> None:
    """Chunked (several files concatenated), empty, all missing, repeated and distinct values alike."""
    values = pd.concat([pd.Series(p, dtype="str") for p in parts], ignore_index=True)
    values.index = values.index * 2 + 5
    got, expected = _objects(values), per_value(values)
    pd.testing.assert_series_equal(got, expected)
    assert [v is None for v in got] == [v is None for v in expected]
    assert all(type(v) is str for v in got if v is not None)


def test_other_columns_keep_the_value_by_value_path() -> None:
    mixed = pd.Series([1, None, "a", float("nan")], dtype=object)
    assert _objects(mixed).tolist() == [1, None, "a", None]
    assert _objects(pd.Series([None, None], dtype=float)).tolist() == [None, None]
