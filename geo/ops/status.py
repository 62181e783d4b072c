"""What the administrators' page *Betrieb* shows: store kind and size, counts per municipality, last backup, version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo import __version__, schema
from geo.config import Settings
from geo.ops import backup
from geo.schema import PoolData
from geo.store import Store
from geo.store import backup as store_backup

KINDS = {"gpkg": "GeoPackage-Ordner", "postgis": "PostgreSQL/PostGIS"}


@dataclass(frozen=True)
class Status:
    kind: str
    size_bytes: int | None
    counts: pd.DataFrame  # German columns, one row per municipality and a last row "Gesamt"
    last_backup: dict[str, Any] | None
    app_version: str


def record_dir(settings: Settings) -> Path:
    """Where backups are recorded for the configured store (its folder, or the data folder next to PostGIS)."""
    return settings.data_dir


def counts(data: PoolData) -> pd.DataFrame:
    """Features, bookings and changes per municipality (German headers), with a total row."""
    rows = []
    for m in schema.MUNICIPALITIES:
        rows.append({"Gemeinde": m.name,
                     "Grenze": int((data.boundaries["ags"] == m.ags).sum()),
                     "Poolflächen": int((data.pool_areas["ags"] == m.ags).sum()),
                     "Eingriffe": int((data.interventions["ags"] == m.ags).sum()),
                     "Änderungen": int((data.history["ags"] == m.ags).sum())})
    table = pd.DataFrame(rows)
    total = {"Gemeinde": "Gesamt", **{c: int(table[c].sum()) for c in table.columns if c != "Gemeinde"}}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def status(store: Store, settings: Settings) -> Status:
    kind = store.key.split(":", 1)[0]
    return Status(kind=KINDS.get(kind, kind), size_bytes=store_backup.size_bytes(store),
                  counts=counts(store.read_all()), last_backup=backup.last_backup(record_dir(settings)),
                  app_version=__version__)
