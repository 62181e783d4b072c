"""German display tables: numbers stay right-aligned although they arrive as formatted text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from geo import fmt

# "1.234", "-3.824.445 WP", "1.366,4 ha", "25 %", "0,50", "12,3 Mio. WP" (non-breaking spaces from geo.fmt).
_GERMAN_NUMBER = re.compile(r"^[-−]?\d{1,3}(\.\d{3})*(,\d+)?(\u00a0(Mio\.\u00a0)?(WP|ha|%|€))?$")


def number_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Column config aligning every text column that holds only German numbers (or "–") right."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        if not (pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column])):
            continue
        values = frame[column].dropna().astype(str)
        values = values[values != "–"]
        if len(values) and values.str.fullmatch(_GERMAN_NUMBER).all():
            config[column] = st.column_config.TextColumn(alignment="right")
    return config


def static(frame: pd.DataFrame, *, hide_header: bool = False, links: Mapping[str, Sequence[str]] | None = None
           ) -> None:
    """A small table as page text (readable, wraps, found by screen readers): ``st.table`` renders its
    cells as Markdown, so every cell is escaped with :func:`geo.fmt.literal` and shows as typed.

    *links*: for some columns, the relative link of each row's cell (the cell's text is the link's)."""
    cells = frame.map(fmt.literal)
    for column, hrefs in (links or {}).items():
        cells[column] = [f"[{text}]({quote(href, safe='/?=&%')})" for text, href in zip(cells[column], hrefs,
                                                                                       strict=True)]
    st.table(cells, hide_index=True, hide_header=hide_header, border="horizontal")


def show(frame: pd.DataFrame, *, column_config: dict[str, Any] | None = None, numbers: dict[str, Any] | None = None,
         **kwargs: Any) -> Any:
    """``st.dataframe`` for the app's German tables: no index, full width, numbers right (*numbers*: the
    :func:`number_columns` of *frame*, when the caller keeps them with a cached frame)."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    numbers = number_columns(frame) if numbers is None else numbers
    return st.dataframe(frame, column_config={**numbers, **(column_config or {})}, **kwargs)
