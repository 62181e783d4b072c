"""geo.fmt's own rounding and grouping give exactly Babel's German text; the column formatter the single one."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import fmt
from geo.display import tables

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e18, max_value=1e18)
values = st.one_of(finite, st.floats(allow_nan=False, allow_infinity=False, min_value=-1e4, max_value=1e4),
                   st.integers(-10**12, 10**12).map(lambda i: i / 8), st.integers(-10**9, 10**9).map(lambda i: i / 200),
                   st.sampled_from([0.5, 1.5, 2.5, -0.4, -0.0, 0.05, 2.675, 0.575, 1e16, float("inf")]))


def pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


@settings(max_examples=400, deadline=None)
@given(value=values, decimals=st.integers(0, 3))
def test_numbers_are_babels(value, decimals):
    assert fmt.number(value, decimals) == format_decimal(value, format=pattern(decimals), locale="de_DE")


@settings(max_examples=300, deadline=None)
@given(share=values.filter(lambda v: abs(v) < 1e14), decimals=st.integers(0, 2))
def test_percentages_are_babels(share, decimals):
    expected = format_percent(share, format=pattern(decimals) + "\u00a0%", locale="de_DE")
    assert fmt.percent(share, decimals) == expected


@settings(max_examples=200, deadline=None)
@given(column=st.lists(st.one_of(values, st.none(), st.just(float("nan"))), max_size=30), decimals=st.integers(0, 2))
def test_a_column_is_formatted_as_its_values_one_by_one(column, decimals):
    series = pd.Series(column, index=range(10, 10 + len(column)), dtype=object)
    expected = pd.Series([fmt.number(v, decimals) for v in column], index=series.index, dtype=object)
    pd.testing.assert_series_equal(fmt.numbers(series, decimals), expected)
    pd.testing.assert_series_equal(fmt.numbers(series.astype(float), decimals), expected)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(1, 1, 1)), iso=st.booleans())
def test_dates_are_babels(day, iso):
    value = day.isoformat() if iso else pd.Timestamp(day) if day.year > 1677 else day
    assert fmt.date(value) == format_date(day, format="dd.MM.yyyy", locale="de_DE")


plausible = values.filter(lambda v: abs(v) < 1e15)  # whole floats are exact below 2⁵³
numbers_or_missing = st.one_of(plausible, st.none(), st.just(float("nan")))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(numbers_or_missing, plausible, st.one_of(st.text(max_size=5), st.none(), st.integers()),
                               st.one_of(st.dates(min_value=dt.date(1900, 1, 1)).map(pd.Timestamp), st.none())),
                     max_size=20))
def test_a_german_table_is_its_cells_formatted_one_by_one(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "c", "d"], dtype=object)
    kinds: list[tables.Kind] = ["count", "wp", "share", "decimal1", "ha", "area", "text_or_dash"]
    cols = [tables.Column("a", k, k) for k in kinds]
    cols += [tables.Column("b", "points", "points"), tables.Column("c", "text", "text"),
             tables.Column("d", "date", "date")]
    expected = pd.DataFrame({c.header: [tables.FORMATTERS[c.kind](v) for v in frame[c.name]] for c in cols},
                            index=range(len(frame)))
    pd.testing.assert_frame_equal(tables.german_table(frame, cols), expected)
