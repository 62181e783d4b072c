"""German formatting of numbers, areas, value points and dates, and the app's clock.

Numbers are rounded and grouped exactly as Babel's ``format_decimal``/``format_percent`` with the
``de_DE`` locale do it (the float's shortest text as a ``Decimal``, rounded half to even), but
without parsing the locale and the pattern per value; :func:`numbers` formats a whole column.

Times are Europe/Berlin: written as ISO text with their offset (``2026-11-29T10:38:00+01:00``,
:func:`iso`), shown in Berlin time (:func:`timestamp`). Stored values without an offset are older
rows written in the server's time, which was UTC.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
import re
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from babel import Locale
from babel.dates import format_datetime
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from pandas.api.typing import NaTType

LOCALE = "de_DE"
_DE = Locale.parse(LOCALE)
_GERMAN_SEPARATORS = str.maketrans(",.", ".,")
_EXACT_INTEGERS = 2.0 ** 53  # below, every integer is a float and np.rint rounds as Decimal does
M2_PER_HA = 10_000.0
_GROUPED = re.compile(r"[-−]?\d{1,3}(\.\d{3})+")
TIMEZONE = ZoneInfo("Europe/Berlin")
# Markdown (GFM, Streamlit's dialect) in one line of text: inline syntax anywhere, block syntax at the start,
# Streamlit's ":emoji:"/":material/…:"/":red[…]" directives. GFM finds autolinks ("http://…", "www.…",
# "a@b.de") in the text after escapes are resolved, so escaping cannot stop them: an invisible WORD JOINER
# (U+2060) inside "://", "www." and before "@" does.
_INLINE = re.compile(r"([\\`*_~\[\]<>&|$]|:(?=\S))")
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
_BLOCK = re.compile(r"^(\s*)([-+=#>])|^(\s*\d+)([.)])")


def _missing(value: object) -> bool:
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, float) and math.isnan(value)))


def text(value: object, missing: str = "") -> str:
    """Any value as text: ``str(value)``; missing (None, NaN, ``pd.NA``, ``NaT``) → *missing*."""
    return missing if _missing(value) else str(value)


def texts(values: pd.Series) -> pd.Series:
    """:func:`text` for a whole column (same index): missing → ``""``, anything else ``str(value)``."""
    return values.astype(object).where(values.notna(), "").astype(str)


def literal(value: object) -> str:
    """*value* as text for an element that renders Markdown (caption, message, heading), shown literally.

    Attribute values, file names and ids are data: every character that would start Markdown, HTML,
    an autolink or a Streamlit directive is escaped, so a link, an image or a tag in them stays text.
    Line breaks become spaces (one line cannot open a block, except at its start, which is escaped too);
    autolinks are broken by an invisible word joiner.
    """
    flat = " ".join(text(value).splitlines())
    escaped = _AUTOLINK.sub(WORD_JOINER, _INLINE.sub(r"\\\1", flat))
    return _BLOCK.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}",
                      escaped)


def _grouped(exact: decimal.Decimal, decimals: int) -> str:
    """*exact* rounded half to even to *decimals* decimals, with German separators (Babel's rounding)."""
    try:
        rounded = exact.quantize(decimal.Decimal(1).scaleb(-decimals), rounding=decimal.ROUND_HALF_EVEN)
    except decimal.InvalidOperation:  # infinite, or more digits than the context holds: Babel itself
        return format_decimal(exact, format="#,##0" + ("." + "0" * decimals if decimals > 0 else ""), locale=_DE)
    return f"{rounded:,f}".translate(_GERMAN_SEPARATORS)


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` → ``"1.234,5"`` with exactly *decimals* decimals; missing → ``"–"``."""
    if value is None or _missing(value):
        return "–"
    return _grouped(decimal.Decimal(str(value)), decimals)


def numbers(values: pd.Series, decimals: int = 0) -> pd.Series:
    """:func:`number` for a whole column (same index); whole numbers rounded at once, only grouped per value."""
    if decimals > 0:
        return values.map(lambda v: number(v, decimals)).astype(object)
    floats = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    rounded = np.rint(floats)
    fast = np.isfinite(rounded) & (np.abs(rounded) < _EXACT_INTEGERS)
    out = np.full(len(values), "–", dtype=object)
    signs = np.where(np.signbit(rounded[fast]), "-", "")
    out[fast] = [f"{sign}{whole:,}".replace(",", ".") for sign, whole in
                 zip(signs, np.abs(rounded[fast]).astype(np.int64).tolist(), strict=True)]
    slow = ~fast & values.notna().to_numpy()
    out[slow] = [number(v) for v in values.to_numpy(dtype=object)[slow]]
    return pd.Series(out, index=values.index, dtype=object)


def euro(value: float | None, decimals: int = 2) -> str:
    """An amount in euros: ``1234.5`` → ``"1.234,50 €"``; missing → ``"–"``."""
    if value is None or _missing(value):
        return "–"
    return f"{number(value, decimals)}\u00a0€"


def count(n: int, one: str, many: str) -> str:
    """``1 Eintrag``, ``0 Einträge``, ``1.234 Einträge``: the number with the singular or plural noun."""
    return f"{number(n)} {one if n == 1 else many}"


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
    if abs(value) < 1_000_000_000:  # always one decimal: "23,0 Mio. WP" beside "121,8 Mio. WP"
        return f"{number(value / 1_000_000, 1)}\u00a0Mio.\u00a0WP"
    return f"{number(value / 1_000_000_000, 1)}\u00a0Mrd.\u00a0WP"


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (0.25) as ``"25 %"``."""
    if share is None or _missing(share):
        return "–"
    return f"{_grouped(decimal.Decimal(str(share)).scaleb(2), decimals)}\u00a0%"


def _parse(value: dt.date | str | pd.Timestamp | NaTType | None) -> pd.Timestamp | None:
    if value is None or isinstance(value, NaTType) or _missing(value) or value == "":
        return None
    if isinstance(value, pd.Timestamp):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # ISO text, as stored: no pandas parser per value
            return pd.Timestamp(dt.datetime.fromisoformat(value))
    parsed = pd.to_datetime(value, errors="coerce")
    return parsed if isinstance(parsed, pd.Timestamp) else None  # NaT: unparsable


def date(value: dt.date | str | pd.Timestamp | NaTType | None) -> str:
    """``2026-11-24`` → ``"24.11.2026"``; missing or unparsable → ``"–"``."""
    parsed = _parse(value)
    return "–" if parsed is None else f"{parsed.day:02d}.{parsed.month:02d}.{parsed.year:04d}"


def timestamp(value: dt.datetime | str | pd.Timestamp | NaTType | None) -> str:
    """A moment in Berlin time: ``2026-11-29T10:38:00+01:00`` → ``"29.11.2026, 10:38"``; a legacy value
    without offset is UTC (``2026-11-29T08:38`` → ``"29.11.2026, 09:38"``)."""
    parsed = _parse(value)
    if parsed is None:
        return "–"
    local = (parsed.tz_localize("UTC") if parsed.tzinfo is None else parsed).tz_convert(TIMEZONE)
    return format_datetime(local.to_pydatetime(), format="dd.MM.yyyy, HH:mm", locale=_DE, tzinfo=TIMEZONE)


def now() -> dt.datetime:
    """The current moment in Berlin (offset-aware)."""
    return dt.datetime.now(TIMEZONE)


def today() -> dt.date:
    """Today's date in Berlin (the server may run in UTC)."""
    return now().date()


def iso(at: dt.datetime | None = None) -> str:
    """*at* (default: now) as stored: ISO text with the Berlin offset, to the second. A naive *at* is Berlin time."""
    at = now() if at is None else at
    at = at.replace(tzinfo=TIMEZONE) if at.tzinfo is None else at.astimezone(TIMEZONE)
    return at.isoformat(timespec="seconds")


def instants(values: pd.Series) -> pd.Series:
    """Stored moments as UTC timestamps for sorting (same index); legacy values without offset are UTC."""
    return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")


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
            value = float(parse_decimal(raw, locale=_DE, strict=True))
        else:
            value = float(raw)
    except (ValueError, NumberFormatError):
        return None
    return value if math.isfinite(value) else None
