"""German formatting of numbers, areas, value points and dates (through Babel)."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import NumberFormatError, format_compact_decimal, format_decimal, format_percent, parse_decimal
from pandas.api.typing import NaTType

LOCALE = "de_DE"
M2_PER_HA = 10_000.0
_GROUPED = re.compile(r"[-−]?\d{1,3}(\.\d{3})+")


def _missing(value: object) -> bool:
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, float) and math.isnan(value)))


def text(value: object, missing: str = "") -> str:
    """Any value as text: ``str(value)``; missing (None, NaN, ``pd.NA``, ``NaT``) → *missing*."""
    return missing if _missing(value) else str(value)


def texts(values: pd.Series) -> pd.Series:
    """:func:`text` for a whole column (same index): missing → ``""``, anything else ``str(value)``."""
    return values.astype(object).where(values.notna(), "").astype(str)


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` → ``"1.234,5"`` with exactly *decimals* decimals; missing → ``"–"``."""
    if value is None or _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def hectares(area_m2: float | None, decimals: int = 1) -> str:
    """Area given in m² as hectares: ``12345000`` → ``"1.234,5 ha"``."""
    if area_m2 is None or _missing(area_m2):
        return "–"
    return f"{number(area_m2 / M2_PER_HA, decimals)}\u00a0ha"


def points(value: float | None) -> str:
    """Value points, rounded to whole points: ``12345.4`` → ``"12.345 WP"``."""
    if value is None or _missing(value):
        return "–"
    return f"{number(round(value), 0)}\u00a0WP"


def points_short(value: float | None) -> str:
    """Value points for headline figures: ``135745680`` → ``"135,7 Mio. WP"``; below a
    million as :func:`points`."""
    if value is None or _missing(value):
        return "–"
    if abs(value) < 1_000_000:
        return points(value)
    return f"{format_compact_decimal(value, locale=LOCALE, fraction_digits=1)}\u00a0WP"


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (0.25) as ``"25 %"``."""
    if share is None or _missing(share):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "\u00a0%"
    return format_percent(share, format=pattern, locale=LOCALE)


def _parse(value: dt.date | str | pd.Timestamp | NaTType | None) -> pd.Timestamp | None:
    if value is None or isinstance(value, NaTType) or _missing(value) or value == "":
        return None
    parsed = pd.to_datetime(value, errors="coerce")
    return parsed if isinstance(parsed, pd.Timestamp) else None  # NaT: unparsable


def date(value: dt.date | str | pd.Timestamp | NaTType | None) -> str:
    """``2026-11-24`` → ``"24.11.2026"``; missing or unparsable → ``"–"``."""
    parsed = _parse(value)
    return "–" if parsed is None else format_date(parsed.date(), format="dd.MM.yyyy", locale=LOCALE)


def timestamp(value: dt.datetime | str | pd.Timestamp | NaTType | None) -> str:
    """``2026-11-24T13:05`` → ``"24.11.2026, 13:05"``."""
    parsed = _parse(value)
    if parsed is None:
        return "–"
    return format_datetime(parsed.to_pydatetime(), format="dd.MM.yyyy, HH:mm", locale=LOCALE)


def parse_number(text: str) -> float | None:
    """A number as typed or stored here: German (``12.500``, ``2,5``, ``1.500,5``) or plain
    (``12500``, ``2.5``). ``None`` when *text* is empty or no finite number.

    Text with a comma or with dots grouping thousands is read the German way (Babel,
    strict); anything else as a plain number.
    """
    raw = str(text).replace("\u00a0", "").replace(" ", "").replace("−", "-")
    if not raw:
        return None
    try:
        if "," in raw or _GROUPED.fullmatch(raw):
            value = float(parse_decimal(raw, locale=LOCALE, strict=True))
        else:
            value = float(raw)
    except (ValueError, NumberFormatError):
        return None
    return value if math.isfinite(value) else None
