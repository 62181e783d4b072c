"""The partners' contacts for the pool (``data/contacts.csv``; the demo entries are fictitious).

Columns: ``ags``, ``gemeinde``, ``name``, ``funktion``, ``email``, ``telefon``,
``zustaendig_fuer``. Notifications about requests go to every address of the recipient
municipality.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.errors import DataError

COLUMNS = ("ags", "gemeinde", "name", "funktion", "email", "telefon", "zustaendig_fuer")
FILE_NAME = "contacts.csv"


def read(path: Path) -> pd.DataFrame:
    """The contacts in *path* (no file: none)."""
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path.name}: es fehlen die Spalten {', '.join(missing)}.")
    return frame[list(COLUMNS)]


def addresses(contacts: pd.DataFrame, ags: str) -> list[str]:
    """The e-mail addresses of *ags*'s contacts."""
    return [e for e in contacts.loc[contacts["ags"] == ags, "email"] if e.strip()]
