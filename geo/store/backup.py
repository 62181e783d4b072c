"""The store's files for a backup, and a restored backup's files back into a store.

A backup is a folder of GeoPackages (the layout of :mod:`geo.store.gpkg`), whatever the store:

- a **GeoPackage folder** is copied file by file while its write lock is held, so no change
  can land half-way through the copy (readers are not held up). Every file of the folder is
  taken except transient and secret ones (:data:`SKIPPED`), so tables other parts of the app
  keep in the folder come along without this module knowing them.
- any **other store** (PostGIS) is read through the :class:`~geo.store.Store` Protocol
  (``read_all``, kept versions, mappings, valuation tables, monitoring records and their files) and
  written into a GeoPackage folder with ``replace_all``. ``read_all`` is one snapshot; the data version is read before
  and after all reads, and the reads are repeated if a write came in between, so ledger,
  history and versions belong to one state. Such a backup restores into either kind.

Restoring into a GeoPackage folder stages every file in the folder's ``.staging`` and moves
them into place through one journal (the store's own commit), under the write lock; files of
the store the backup does not have (later versions, mappings) are removed afterwards.
Restoring into any other store goes through ``replace_all`` (one transaction).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import geopandas as gpd

from geo import schema
from geo.errors import StoreError
from geo.store import Store, VersionRef, log_write
from geo.store.gpkg import FILES_DB, LOCK_FILE, MAPPINGS_DIR, VALUATION_DIR, VERSIONS_DIR, GeoPackageStore

SKIPPED_NAMES = {"anmeldeversuche.json"}  # sign-in throttling: transient
"""Besides these, hidden files and folders (staging, lock, the cookie secret, the last-backup record) stay out."""
RETRIES = 5


def _taken(relative: Path) -> bool:
    return not any(part.startswith(".") for part in relative.parts) and relative.name not in SKIPPED_NAMES


def _store_files(root: Path) -> list[Path]:
    """The files of a folder store, relative to it, sorted (what a backup takes)."""
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and _taken(p.relative_to(root)))


def copy_store(store: Store, target: Path) -> str:
    """Copy *store* into the empty folder *target* (created) as a GeoPackage folder; returns the store's kind."""
    target.mkdir(parents=True, exist_ok=False)
    if isinstance(store, GeoPackageStore):
        root = store._dir
        started = time.perf_counter()
        with store._write_lock():
            files = _store_files(root)
            for relative in files:
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / relative, target / relative)
        log_write(store.key, "Sicherung (Schreibsperre gehalten)", started, files=len(files))
        return "gpkg"
    _copy_through_protocol(store, target)
    return "postgis" if store.key.startswith("postgis") else type(store).__name__


def _copy_through_protocol(store: Store, target: Path) -> None:
    for _ in range(RETRIES):
        before = store.version()
        data = store.read_all()
        versions: dict[VersionRef, gpd.GeoDataFrame] = {ref: store.read_version(*ref) for ref in store.list_versions()}
        mappings = {m.ags: found for m in schema.MUNICIPALITIES if (found := store.read_mapping(m.ags))}
        valuation = store.read_valuation_sources()
        monitoring, files = store.read_monitoring(), store.read_files()
        if store.version() == before:
            GeoPackageStore(target).replace_all(data, versions=versions, mappings=mappings, valuation=valuation,
                                                monitoring=monitoring, files=files,
                                                valuation_versions=store.read_valuation_versions())
            (target / LOCK_FILE).unlink(missing_ok=True)
            return
    raise StoreError("Der Datenbestand wurde während der Sicherung laufend geändert; bitte später noch einmal "
                     "versuchen. Es wurde keine Sicherung geschrieben.")


def size_bytes(store: Store) -> int | None:
    """What the store takes on disk: a folder's files (as a backup takes them), a database's size; None if unknown."""
    if isinstance(store, GeoPackageStore):
        return sum((store._dir / relative).stat().st_size for relative in _store_files(store._dir))
    connection = getattr(store, "_connection", None)
    if connection is None:
        return None
    with connection() as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else None


def is_empty(store: Store) -> bool:
    """No layer rows, ledger, history or kept versions (and, for a folder, no GeoPackage at all)."""
    if isinstance(store, GeoPackageStore) and any(store._dir.glob("*.gpkg")):
        return False
    data = store.read_all()
    frames = (data.boundaries, data.pool_areas, data.interventions, data.allocations, data.history, data.requests,
              data.outbox, data.prices)
    return all(frame.empty for frame in frames) and not store.list_versions()


def _managed(root: Path) -> set[Path]:
    """The store's own files in a folder (what a restore replaces or removes)."""
    found = set(root.glob("*.gpkg")) | set(root.glob(FILES_DB)) | set((root / VALUATION_DIR).glob("*.csv"))
    found |= set((root / VERSIONS_DIR).glob("*/*.gpkg")) | set((root / MAPPINGS_DIR).glob("*.json"))
    return {p.relative_to(root) for p in found}


def restore_into(source: Path, target: Store) -> None:
    """Write the checked backup folder *source* into *target*, replacing what is there."""
    started = time.perf_counter()
    if isinstance(target, GeoPackageStore):
        root = target._dir
        with target._writing("Sicherung einspielen"), target._write_lock():
            files = _store_files(source)
            staged = {}
            for relative in files:
                final = root / relative
                staged_path = target._stage_path(final)
                shutil.copyfile(source / relative, staged_path)
                target._finish_staged(staged_path, final)
                staged[final] = staged_path
            target._commit(staged)
            stale = _managed(root) - set(files)
            for path in stale:
                (root / path).unlink(missing_ok=True)
        log_write(target.key, "Sicherung einspielen", started, files=len(files), removed_files=len(stale))
        return
    backup = GeoPackageStore(source)
    versions = {ref: backup.read_version(*ref) for ref in backup.list_versions()}
    mappings = {m.ags: found for m in schema.MUNICIPALITIES if (found := backup.read_mapping(m.ags))}
    target.replace_all(backup.read_all(), versions=versions, mappings=mappings,
                       valuation=backup.read_valuation_sources(), monitoring=backup.read_monitoring(),
                       files=backup.read_files(), valuation_versions=backup.read_valuation_versions())
    log_write(target.key, "Sicherung einspielen", started, versions=len(versions))

