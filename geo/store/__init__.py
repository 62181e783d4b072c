"""The store: the only place that reads or writes stored data.

:class:`Store` is the seam. :class:`geo.store.gpkg.GeoPackageStore` (one GeoPackage per
municipality plus ``pool.gpkg``) is the embedded default; a PostGIS implementation
satisfies the same Protocol. Callers get one through :func:`open_store` and never see a
path, a lock or a connection.

Every change is one transaction: the store reads the state a change decides on *inside*
its lock or transaction and hands it to a *plan* (a pure function from the rules); the
plan returns the rows to append, or raises to abort and nothing is written. The store
assigns change ids (never reused) and seals ledger and history rows into their hash
chains (:mod:`geo.store.chain`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geo import fmt, schema
from geo.config import Settings
from geo.errors import StoreError
from geo.schema import PoolData

_NO_PRICES = schema.empty_table(schema.PRICES)  # never changed: the stores append copies


class Change(NamedTuple):
    """What one transaction appends: ledger, history, request events, notifications and prices.

    Ledger and request events are sealed into their hash chains by the store; all rows get
    the transaction's change id. A plan that sets no prices leaves ``prices`` out.
    """

    ledger: pd.DataFrame
    history: pd.DataFrame
    requests: pd.DataFrame
    outbox: pd.DataFrame
    prices: pd.DataFrame = _NO_PRICES


UNCHAINED = (schema.OUTBOX, schema.PRICES)
"""Appended tables without a hash chain (the outbox changes its delivery columns; prices are plain records)."""


LedgerPlan = Callable[[PoolData], "tuple[pd.DataFrame, pd.DataFrame] | Change"]
"""Gets the stored state (read inside the transaction); returns the rows to append: a :class:`Change`,
or (ledger rows, history rows)."""


def as_change(result: tuple[pd.DataFrame, pd.DataFrame] | Change) -> Change:
    """A plan's result as a :class:`Change` with every table present (empty where it adds nothing)."""
    if isinstance(result, Change):
        return result
    ledger, history = result
    return Change(ledger, history, schema.empty_table(schema.REQUEST_EVENTS), schema.empty_table(schema.OUTBOX))


class Monitoring(NamedTuple):
    """The monitoring records: implementation states, inspections, documents (append-only, in change order)."""

    events: pd.DataFrame
    inspections: pd.DataFrame
    documents: pd.DataFrame


def empty_monitoring() -> Monitoring:
    return Monitoring(*(schema.empty_table(table) for table in schema.MONITORING_TABLES))


class MonitoringChange(NamedTuple):
    """What one monitoring transaction appends: records, their history row and the files the documents
    name (content by SHA-256; a file already stored is not stored twice)."""

    events: pd.DataFrame
    inspections: pd.DataFrame
    documents: pd.DataFrame
    history: pd.DataFrame
    files: dict[str, bytes]


def checked_files(change: MonitoringChange) -> dict[str, bytes]:
    """The change's files, after checking that each is keyed by its SHA-256 and each new document's file is there."""
    for key, content in change.files.items():
        if hashlib.sha256(content).hexdigest() != key:
            raise StoreError(f"Die Datei {key[:12]}… passt nicht zu ihrer Prüfsumme; es wurde nichts gespeichert.")
    missing = set(change.documents["sha256"]) - set(change.files)
    if missing:
        raise StoreError(f"Zu {len(missing)} Dokument(en) fehlt die Datei; es wurde nichts gespeichert.")
    return change.files


MonitoringPlan = Callable[[PoolData, Monitoring], MonitoringChange]
"""Gets the stored state and the monitoring records (read inside the transaction); returns the rows to append."""
PublishPlan = Callable[[gpd.GeoDataFrame, PoolData], tuple[gpd.GeoDataFrame, pd.DataFrame]]
"""Gets the municipality's stored layer and the whole stored state; returns (the new layer, its history row)."""

ValuationPlan = Callable[[PoolData], tuple[str, pd.DataFrame]]
"""Gets the stored state (with its valuation tables); returns (the model's new table as CSV text, its history row)."""
VALUATION_VERSION_COLUMNS = ("model", "change_id", "csv")


def valuation_version_rows(frame: pd.DataFrame | None) -> list[tuple[str, str, str]]:
    """(model, change id, CSV text) of each kept valuation table in *frame* (none for None)."""
    if frame is None:
        return []
    return [(str(m), str(c), str(t)) for m, c, t in frame[list(VALUATION_VERSION_COLUMNS)].itertuples(index=False)]
RegionPlan = Callable[[PoolData], tuple[gpd.GeoDataFrame, pd.DataFrame]]
"""Gets the stored state; returns (the new natural-region layer, its history row)."""


class VersionRef(NamedTuple):
    """A kept earlier state of a layer: the layer as it was before change *change_id*."""

    ags: str
    change_id: str
    layer: str


@runtime_checkable
class Store(Protocol):
    """What the app needs from a store. Implementations: GeoPackage folder, PostGIS."""

    key: str
    """Identifies the store in caches and logs (no secrets)."""

    def version(self) -> Hashable:
        """A cheap fingerprint that changes whenever any stored data changes (the cache key)."""
        ...

    def read_layer(self, layer: str, keys: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """One municipal layer of all (or the given AGS/slugs) municipalities, in EPSG:25833."""
        ...

    def read_allocations(self) -> pd.DataFrame:
        """The ledger in booking order."""
        ...

    def read_history(self) -> pd.DataFrame:
        """The change history in order."""
        ...

    def read_all(self) -> PoolData:
        """Everything in one call (layers, ledger, history, request events, outbox, prices)."""
        ...

    def read_valuation_sources(self) -> dict[str, str]:
        """The valuation tables' CSV text, by model name."""
        ...

    def read_valuation_versions(self) -> pd.DataFrame:
        """Kept earlier valuation tables, oldest first: ``model``, ``change_id``, ``csv`` (the model's
        table as it was before that change)."""
        ...

    def publish_valuation(self, model: str, plan: ValuationPlan) -> pd.DataFrame:
        """Replace *model*'s valuation table by the plan's text, keep the previous one as the version
        before this change, append the plan's history row (action ``valuation``): all or nothing.
        Returns the history row as stored."""
        ...

    def publish_natural_regions(self, plan: RegionPlan) -> pd.DataFrame:
        """Replace the natural-region layer by the plan's frame and append its history row: all or nothing."""
        ...

    def transact(self, plan: LedgerPlan) -> Change:
        """Append the plan's rows (ledger, history, request events, outbox, prices) in one transaction; returns them."""
        ...

    def read_monitoring(self) -> Monitoring:
        """Implementation states, inspections and documents."""
        ...

    def read_file(self, sha256: str) -> bytes:
        """The content of a stored file (photo, document) by its SHA-256."""
        ...

    def read_files(self) -> dict[str, bytes]:
        """Every stored file by SHA-256 (backups, migration)."""
        ...

    def record_monitoring(self, plan: MonitoringPlan) -> MonitoringChange:
        """Append the plan's monitoring records, files and history row in one transaction; returns them
        with their change id."""
        ...

    def record_delivery(self, notification_id: str, *, sent_at: str | None, error: str | None) -> None:
        """Note on an outbox row that it was sent (*sent_at*) or why sending failed (*error*)."""
        ...

    def publish_layer(self, ags: str, layer: str, plan: PublishPlan) -> pd.DataFrame:
        """Replace *ags*'s *layer* by the plan's frame, keep the previous state, append its history row.

        All or nothing: after a crash at any instant the store is before or after the publish.
        Returns the history row as stored (with change id, checksum and hash).
        """
        ...

    def read_version(self, ags: str, change_id: str, layer: str) -> gpd.GeoDataFrame:
        """*layer* of *ags* as it was before change *change_id*."""
        ...

    def list_versions(self) -> list[VersionRef]:
        """Every kept earlier state."""
        ...

    def read_mapping(self, ags: str) -> dict[str, Any]:
        """The municipality's remembered column/value mappings, by layer (empty if none)."""
        ...

    def write_mapping(self, ags: str, layer: str, mapping: dict[str, Any]) -> None:
        """Remember *mapping* for *ags*'s *layer*."""
        ...

    def replace_all(self, data: PoolData, *, versions: dict[VersionRef, gpd.GeoDataFrame] | None = None,
                    mappings: dict[str, dict[str, Any]] | None = None,
                    valuation: dict[str, str] | None = None, monitoring: Monitoring | None = None,
                    files: dict[str, bytes] | None = None, valuation_versions: pd.DataFrame | None = None) -> None:
        """Replace the whole store (demo generation, migration) in one transaction.

        Ledger, history and request-event rows keep the hashes they bring; rows without one are sealed.
        *valuation_versions* (:data:`VALUATION_VERSION_COLUMNS`) are the earlier valuation tables kept by
        ``publish_valuation``.
        """
        ...


_writes = logging.getLogger("geo.store.writes")


def log_write(store: str, what: str, started: float, *, history: pd.DataFrame | None = None,
              ledger: pd.DataFrame | None = None, **counts: int) -> None:
    """One JSON log line for one successful write: who, what, counts, duration (no attribute text, no owners).

    *store* is the store's key (only its kind is logged), *started* a :func:`time.perf_counter` value.
    """
    fields: dict[str, Any] = {"event": "write", "store": store.split(":", 1)[0], "action": what,
                              "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    if history is not None and len(history):
        row = history.iloc[-1]
        fields |= {"user": str(row["user"]), "change_id": str(row["change_id"]), "kind": str(row["action"]),
                   "layer": str(row["layer"]), "ags": None if pd.isna(row["ags"]) else str(row["ags"]),
                   "added": int(row["added"] or 0), "changed": int(row["changed"] or 0),
                   "removed": int(row["removed"] or 0)}
    if ledger is not None:
        fields |= {"ledger_rows": len(ledger), "points": float(ledger["points"].sum()) if len(ledger) else 0.0}
    fields |= counts
    _writes.info("Schreibvorgang: %s (%.0f ms)", what, fields["duration_ms"], extra={"fields": fields})


def open_store(settings: Settings | None = None) -> Store:
    """The store the settings name: PostGIS if ``FLAECHENPOOL_DATABASE_URL`` is set, else the folder."""
    settings = settings or Settings.from_env()
    return open_location(settings.database_url or str(settings.data_dir))


def open_location(location: str) -> Store:
    """A store by where it is: a ``postgresql://`` URL or a folder of GeoPackages."""
    if location.startswith(("postgresql://", "postgres://")):
        from geo.store.postgis import PostGISStore

        store: Store = PostGISStore(location)
        return store
    from geo.store.gpkg import GeoPackageStore

    return GeoPackageStore(location)


REGION_COLUMNS = ("region_id", "name", "notes")


def empty_regions() -> gpd.GeoDataFrame:
    """A natural-region layer without regions."""
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in REGION_COLUMNS}, geometry=[], crs=schema.CRS)


def history_entry(*, user: str, layer: str, action: str, ags: str | None = None, source: str = "",
                  added: int = 0, changed: int = 0, removed: int = 0, notes: str = "",
                  at: dt.datetime | None = None) -> pd.DataFrame:
    """One history row for a plan to return; the store fills in change id, checksum and hash.

    ``at`` (default: now) is stored as Berlin time with its offset (:func:`geo.fmt.iso`).
    """
    return pd.DataFrame([{
        "change_id": None, "at": fmt.iso(at), "user": user, "ags": ags,
        "layer": layer, "action": action, "source": source, "added": added, "changed": changed,
        "removed": removed, "checksum": "", "notes": notes, "hash": None,
    }], columns=schema.field_names(schema.HISTORY))


def publish_target(ags: str, layer: str) -> tuple[str, str]:
    """(AGS, German label of the action) of a publish of *layer* for the municipality *ags* (AGS or slug)."""
    if layer not in schema.MUNICIPAL_LAYERS:
        raise StoreError(f"Unbekannte Ebene „{layer}“.")
    key = schema.municipality(ags).ags
    return key, f"{schema.LAYER_LABELS[layer]} ({schema.AGS_NAMES[key]}) veröffentlichen"


def change_number(change_id: object) -> int:
    """The running number of a change id (``C-000042`` → 42; 0 if it has none)."""
    digits = "".join(ch for ch in str(change_id) if ch.isdigit())
    return int(digits) if digits else 0


def format_change_id(number: int) -> str:
    return f"C-{number:06d}"
