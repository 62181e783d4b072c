"""When a measure's next check (Funktionskontrolle) is due: one settings row per measure type.

The table is ``kontrollintervalle.csv`` in the data folder (the bundled ``data/kontrollintervalle.csv``
if the folder has none). Columns: ``measure_type``; ``check_years``, the checks after the measure
was implemented, in years (``1 2 3 4 5``: yearly for five years); ``then_every_years``, the interval
after the last of those (0: monitoring ends); ``recheck_months``, when a check with defects is
repeated at the latest; ``note`` (source, reason). The *n*-th inspection since implementation
stands for the *n*-th scheduled check, so a check done early does not shift the plan; checks the
last inspection came after (missed ones) are not due any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import schema
from geo.config import REPO_ROOT
from geo.errors import DataError

FILE_NAME = "kontrollintervalle.csv"
BUNDLED = REPO_ROOT / "data" / FILE_NAME


@dataclass(frozen=True)
class Interval:
    """The check plan of one measure type (see the module docstring)."""

    measure_type: str
    check_years: tuple[int, ...]
    then_every_years: int
    recheck_months: int
    note: str = ""

    def scheduled(self, implemented: dt.date, n: int) -> dt.date | None:
        """The *n*-th (0-based) scheduled check of a measure implemented on *implemented*; None when monitoring ends."""
        if n < len(self.check_years):
            years = self.check_years[n]
        elif self.then_every_years > 0:
            years = (self.check_years[-1] if self.check_years else 0) + \
                (n - len(self.check_years) + 1) * self.then_every_years
        else:
            return None
        return (pd.Timestamp(implemented) + pd.DateOffset(years=years)).date()


def _years(raw: str, measure_type: str) -> tuple[int, ...]:
    try:
        years = tuple(int(part) for part in raw.split())
    except ValueError as exc:
        raise DataError(f"Kontrollintervalle, {measure_type}: „{raw}“ sind keine ganzen Jahre "
                        "(Beispiel: 1 2 3 4 5).") from exc
    if any(y <= 0 for y in years) or list(years) != sorted(set(years)):
        raise DataError(f"Kontrollintervalle, {measure_type}: die Jahre müssen positiv und aufsteigend sein.")
    return years


def read_intervals(path: Path) -> dict[str, Interval]:
    """The settings table at *path* by measure type; every measure type of the schema must have a row."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"Die Kontrollintervalle ({path.name}) können nicht gelesen werden.") from exc
    intervals: dict[str, Interval] = {}
    for row in table.to_dict("records"):
        kind = str(row["measure_type"]).strip()
        if kind not in schema.MEASURE_TYPES:
            raise DataError(f"Kontrollintervalle: unbekannter Maßnahmentyp „{kind}“.")
        try:
            every, recheck = int(row["then_every_years"] or 0), int(row["recheck_months"] or 12)
        except ValueError as exc:
            raise DataError(f"Kontrollintervalle, {kind}: Abstände müssen ganze Zahlen sein.") from exc
        intervals[kind] = Interval(kind, _years(str(row["check_years"]), kind), every, recheck, str(row["note"]))
    missing = [m for m in schema.MEASURE_TYPES if m not in intervals]
    if missing:
        raise DataError(f"Kontrollintervalle: es fehlen Zeilen für {', '.join(missing)}.")
    return intervals


def intervals_file(data_dir: Path) -> Path:
    """The data folder's table, else the bundled one."""
    own = data_dir / FILE_NAME
    return own if own.exists() else BUNDLED


def next_due(interval: Interval, implemented: dt.date | None, inspections: Sequence[tuple[dt.date, str]]
             ) -> dt.date | None:
    """The next check's due date of a measure implemented on *implemented* (None: not implemented, or
    monitoring ended). *inspections* are (date, result) in date order; those before the implementation
    do not count. After a check with defects the next one is due within ``recheck_months`` at the latest."""
    if implemented is None:
        return None
    done = [(on, result) for on, result in inspections if on >= implemented]
    n = len(done)
    due = interval.scheduled(implemented, n)
    while due is not None and done and due <= done[-1][0]:  # missed checks: the next one after the last
        n += 1
        due = interval.scheduled(implemented, n)
    if done and done[-1][1] == "mit Mängeln":
        recheck = (pd.Timestamp(done[-1][0]) + pd.DateOffset(months=interval.recheck_months)).date()
        due = recheck if due is None else min(due, recheck)
    return due
