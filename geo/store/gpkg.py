"""The embedded store: a folder of GeoPackages (one per municipality plus ``pool.gpkg``).

Layout of the folder::

    <slug>.gpkg                        boundary, pool_areas, interventions of one municipality
    pool.gpkg                          allocations (the ledger), history, request_events, outbox, prices,
                                       natural_regions, measure_events, inspections, documents (monitoring)
    files.sqlite                       the documents' files (photos, PDFs) by SHA-256
    valuation/<model>.csv              valuation tables
    versions/<slug>/<change>-<layer>.gpkg   a layer as it was before change <change>
    mappings/<slug>.json               remembered column mappings
    .staging/                          files of a write in progress (never read)

Writes hold one lock for the whole folder (``.write.lock``), re-read what they decide on
inside it, and never write into a live file: each file a change touches is staged as a
complete new copy in ``.staging/`` and fsynced. A change of one file is then one
``os.replace``. A change of several files (a publish: earlier version, layer, history)
first writes a journal naming the staged files (the commit point), then moves them into
place and removes the journal. Opening the store for a write, or reading while a journal
exists, rolls a committed change forward and throws away uncommitted staging files, so a
kill at any instant leaves the store before or after the change.

Files of documents go into ``files.sqlite`` (a table of blobs keyed by their SHA-256), which
only ever grows and is never copied per write: a monitoring change stages ``pool.gpkg`` first,
then inserts the new files in one SQLite transaction, then commits ``pool.gpkg``. Until that
commit no record names the new files; if the write dies in between, the next recovery finds the
staged copy and removes the files no document names.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pyogrio.errors
from filelock import FileLock, Timeout

from geo import schema
from geo.errors import FlaechenpoolError, StoreError
from geo.schema import PoolData
from geo.store import (
    REGION_COLUMNS,
    UNCHAINED,
    VALUATION_VERSION_COLUMNS,
    Change,
    LedgerPlan,
    Monitoring,
    MonitoringChange,
    MonitoringPlan,
    PublishPlan,
    RegionPlan,
    ValuationPlan,
    VersionRef,
    as_change,
    chain,
    change_number,
    checked_files,
    empty_monitoring,
    empty_regions,
    format_change_id,
    log_write,
    publish_target,
    valuation_version_rows,
)

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 30.0
POOL_FILE = "pool.gpkg"
FILES_DB = "files.sqlite"
VERSIONS_DIR = "versions"
MAPPINGS_DIR = "mappings"
VALUATION_DIR = "valuation"
STAGING_DIR = ".staging"
JOURNAL = "journal.json"
LOCK_FILE = ".write.lock"
DEFAULT_MODE = 0o644

FrameT = TypeVar("FrameT", bound=pd.DataFrame)


def _objects(values: pd.Series) -> pd.Series:
    """*values* as Python objects, missing as None (same index). Arrow text goes through a dictionary: each
    distinct value becomes one Python string (states, codes and keys repeat in every row)."""
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return values.astype(object).where(values.notna(), None)
    text = pa.array(values.array)  # the column's own Arrow data, no copy (chunked after a concat)
    encoded = (text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text).dictionary_encode()
    distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last one stays None: missing
    distinct[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    return pd.Series(distinct[encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()], index=values.index,
                     dtype=object)


def normalise(frame: FrameT, layer: str) -> FrameT:
    """Schema column order and types: ids/codes as text, numbers as float, dates as datetime64."""
    fields = schema.LAYER_FIELDS[layer]
    for f in fields:
        if f.name not in frame.columns:
            frame[f.name] = None
        if f.type == "date":
            frame[f.name] = pd.to_datetime(frame[f.name], errors="coerce")
        elif f.type == "number":
            frame[f.name] = pd.to_numeric(frame[f.name], errors="coerce").astype(float)
        else:
            frame[f.name] = _objects(frame[f.name])
    names = {f.name for f in fields}
    extra = [c for c in frame.columns if c not in names and c != "geometry"]
    ordered: list[Hashable] = [*(f.name for f in fields), *extra]
    if isinstance(frame, gpd.GeoDataFrame):
        ordered.append(frame.geometry.name)
    return frame[ordered]


def _empty_layer(layer: str) -> gpd.GeoDataFrame:
    empty = gpd.GeoDataFrame({n: [] for n in schema.field_names(layer)}, geometry=[], crs=schema.CRS)
    return normalise(empty, layer)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


class GeoPackageStore:
    """The store in a folder of GeoPackages (see the module docstring for the layout)."""

    def __init__(self, data_dir: Path | str):
        self._dir = Path(data_dir)
        self.key = f"gpkg:{self._dir.resolve()}"
        # One lock object per store: re-entrant within a thread, exclusive across threads and processes.
        self._lock = FileLock(str(self._dir / LOCK_FILE), timeout=LOCK_TIMEOUT_S)
        self._listed: dict[Path, tuple[tuple[int, int, int], frozenset[str]]] = {}

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self._dir)!r})"

    # --- paths (private: nothing outside the store sees them) ------------------------
    def _municipal_path(self, key: str) -> Path:
        return self._dir / f"{schema.municipality(key).slug}.gpkg"

    @property
    def _pool_path(self) -> Path:
        return self._dir / POOL_FILE

    def _version_path(self, ref: VersionRef) -> Path:
        slug = schema.municipality(ref.ags).slug
        return self._dir / VERSIONS_DIR / slug / f"{ref.change_id}-{ref.layer}.gpkg"

    def _mapping_path(self, key: str) -> Path:
        return self._dir / MAPPINGS_DIR / f"{schema.municipality(key).slug}.json"

    @property
    def _files_path(self) -> Path:
        return self._dir / FILES_DB

    @property
    def _staging(self) -> Path:
        return self._dir / STAGING_DIR

    # --- reading -------------------------------------------------------------------
    def version(self) -> tuple[tuple[str, int, int], ...]:
        """File names, mtimes and sizes of the layers, the ledger and the valuation tables."""
        self._recover_if_interrupted()
        files = [self._municipal_path(m.slug) for m in schema.MUNICIPALITIES] + [self._pool_path]
        files += sorted((self._dir / VALUATION_DIR).glob("*.csv"))
        stamps = []
        for path in files:
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                stamps.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    @overload
    def _read_file(self, path: Path, layer: str) -> gpd.GeoDataFrame: ...
    @overload
    def _read_file(self, path: Path, layer: str, *, geometry: Literal[False]) -> pd.DataFrame: ...
    def _read_file(self, path: Path, layer: str, *, geometry: bool = True) -> pd.DataFrame:
        try:
            if geometry:
                return pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
            return pyogrio.read_dataframe(path, layer=layer, read_geometry=False, use_arrow=True)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
            log.exception("reading %s/%s failed", path.name, layer)
            raise StoreError(f"{path.name} ({schema.LAYER_LABELS.get(layer, layer)}) kann nicht gelesen werden; "
                             "die Datei ist beschädigt oder unvollständig. Bitte die Administration "
                             "informieren (Sicherung einspielen).") from exc

    def _layers_in(self, path: Path) -> set[str]:
        """The layer names of *path*, listed once per version of the file (its mtime and size)."""
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            listed = self._listed.get(path)
            if listed is None or listed[0] != stamp:
                listed = (stamp, frozenset(name for name, _ in pyogrio.list_layers(path)))
                self._listed[path] = listed
            return set(listed[1])
        except (pyogrio.errors.DataSourceError, OSError) as exc:
            log.exception("listing layers of %s failed", path.name)
            raise StoreError(f"{path.name} kann nicht geöffnet werden; die Datei ist beschädigt.") from exc

    def read_layer(self, layer: str, keys: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        if layer not in schema.MUNICIPAL_LAYERS:
            raise StoreError(f"Unbekannte Ebene „{layer}“.")
        self._recover_if_interrupted()
        parts = []
        for m in schema.MUNICIPALITIES:
            if keys is not None and m.ags not in keys and m.slug not in keys:
                continue
            path = self._municipal_path(m.slug)
            if not path.exists() or layer not in self._layers_in(path):
                continue
            part = self._read_file(path, layer)
            if part.crs is None:
                raise StoreError(f"{path.name}/{layer}: kein Koordinatenbezugssystem gespeichert.")
            if part.crs != schema.CRS:
                part = part.to_crs(schema.CRS)
            parts.append(part)
        if not parts:
            return _empty_layer(layer)
        combined = pd.concat(parts, ignore_index=True)
        return normalise(gpd.GeoDataFrame(combined, geometry="geometry", crs=schema.CRS), layer)

    def _read_table(self, table: str) -> pd.DataFrame:
        path = self._pool_path
        if path.exists() and table in self._layers_in(path):
            frame = pd.DataFrame(self._read_file(path, table, geometry=False))
        else:
            frame = pd.DataFrame({n: [] for n in schema.field_names(table)})
        return normalise(frame, table)

    def read_allocations(self) -> pd.DataFrame:
        self._recover_if_interrupted()
        return self._read_table(schema.ALLOCATIONS)

    def read_history(self) -> pd.DataFrame:
        self._recover_if_interrupted()
        return self._read_table(schema.HISTORY)

    def read_all(self) -> PoolData:
        return PoolData(
            boundaries=self.read_layer(schema.BOUNDARY),
            pool_areas=self.read_layer(schema.POOL_AREAS),
            interventions=self.read_layer(schema.INTERVENTIONS),
            allocations=self.read_allocations(),
            history=self.read_history(),
            requests=self._read_table(schema.REQUEST_EVENTS),
            outbox=self._read_table(schema.OUTBOX),
            prices=self._read_table(schema.PRICES),
            valuation=self.read_valuation_sources(),
            natural_regions=self._read_regions(),
        )

    def _read_regions(self) -> gpd.GeoDataFrame:
        path = self._pool_path
        if not path.exists() or schema.NATURAL_REGIONS not in self._layers_in(path):
            return empty_regions()
        frame = self._read_file(path, schema.NATURAL_REGIONS)
        return frame[[*REGION_COLUMNS, "geometry"]].to_crs(schema.CRS)

    def publish_natural_regions(self, plan: RegionPlan) -> pd.DataFrame:
        label = "Naturräume ersetzen"
        started = time.perf_counter()
        with self._writing(label), self._write_lock():
            state = self._state()
            regions, entry = plan(state)
            change_id = format_change_id(self._next_change(state.history))
            entry = self._sealed(state.history, entry.assign(change_id=change_id), schema.HISTORY)
            history = pd.concat([state.history, entry], ignore_index=True)
            self._commit({self._pool_path: self._stage_gpkg(
                self._pool_path, {schema.NATURAL_REGIONS: regions, schema.HISTORY: history})})
        log_write(self.key, label, started, history=entry, features=len(regions))
        return entry

    def read_monitoring(self) -> Monitoring:
        self._recover_if_interrupted()
        return Monitoring(*(self._read_table(table) for table in schema.MONITORING_TABLES))

    def _blobs(self, query: str, args: Sequence[str] = ()) -> list[tuple[str, bytes]]:
        if not self._files_path.exists():
            return []
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self._files_path}?mode=ro", uri=True)) as db:
                return [(str(key), bytes(content)) for key, content in db.execute(query, args).fetchall()]
        except sqlite3.Error as exc:
            log.exception("reading %s failed", FILES_DB)
            raise StoreError(f"{FILES_DB} (Dateien zu Dokumenten) kann nicht gelesen werden; bitte die "
                             "Administration informieren (Sicherung einspielen).") from exc

    def read_file(self, sha256: str) -> bytes:
        found = self._blobs("SELECT sha256, content FROM files WHERE sha256 = ?", [sha256])
        if not found:
            raise StoreError(f"Die Datei {sha256[:12]}… ist nicht gespeichert.")
        return found[0][1]

    def read_files(self) -> dict[str, bytes]:
        return dict(self._blobs("SELECT sha256, content FROM files ORDER BY sha256"))

    def read_valuation_sources(self) -> dict[str, str]:
        return {path.stem: path.read_bytes().decode("utf-8")
                for path in sorted((self._dir / VALUATION_DIR).glob("*.csv"))}

    def _valuation_version_path(self, model: str, change_id: str) -> Path:
        return self._dir / VALUATION_DIR / VERSIONS_DIR / model / f"{change_id}.csv"

    def read_valuation_versions(self) -> pd.DataFrame:
        paths = sorted((self._dir / VALUATION_DIR / VERSIONS_DIR).glob("*/*.csv"), key=lambda p: p.stem)
        return pd.DataFrame([(p.parent.name, p.stem, p.read_bytes().decode("utf-8")) for p in paths],
                            columns=list(VALUATION_VERSION_COLUMNS))

    def publish_valuation(self, model: str, plan: ValuationPlan) -> pd.DataFrame:
        label = f"Bewertungstabelle „{model}“ wechseln"
        started = time.perf_counter()
        with self._writing(label), self._write_lock():
            state = self._state()
            text, entry = plan(state)
            change_id = format_change_id(self._next_change(state.history))
            entry = entry.assign(change_id=change_id, checksum=chain.text_checksum(text))
            entry = self._sealed(state.history, entry, schema.HISTORY)
            current = self._dir / VALUATION_DIR / f"{model}.csv"
            staged = {current: self._stage_text(current, text),
                      self._pool_path: self._stage_gpkg(
                          self._pool_path, {schema.HISTORY: pd.concat([state.history, entry], ignore_index=True)})}
            if model in state.valuation:
                kept = self._valuation_version_path(model, change_id)
                staged[kept] = self._stage_text(kept, state.valuation[model])
            self._commit(staged)
        log_write(self.key, label, started, history=entry)
        return entry

    def read_version(self, ags: str, change_id: str, layer: str) -> gpd.GeoDataFrame:
        path = self._version_path(VersionRef(ags, change_id, layer))
        if not path.exists():
            raise StoreError(f"Zur Änderung {change_id} ist kein früherer Stand von "
                             f"{schema.LAYER_LABELS.get(layer, layer)} gespeichert.")
        frame = self._read_file(path, layer)
        return normalise(gpd.GeoDataFrame(frame, geometry="geometry", crs=schema.CRS), layer)

    def list_versions(self) -> list[VersionRef]:
        refs = []
        for path in sorted((self._dir / VERSIONS_DIR).glob("*/*.gpkg")):
            change_id, _, layer = path.stem.rpartition("-")
            refs.append(VersionRef(schema.municipality(path.parent.name).ags, change_id, layer))
        return refs

    def read_mapping(self, ags: str) -> dict[str, Any]:
        path = self._mapping_path(ags)
        if not path.exists():
            return {}
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            log.warning("ignoring unreadable mapping file %s", path.name)
            return {}
        return stored if isinstance(stored, dict) else {}

    # --- the write path ------------------------------------------------------------
    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """The folder's one write lock; a committed but unfinished change is completed first."""
        self._dir.mkdir(parents=True, exist_ok=True)
        try:
            with self._lock:
                if self._lock.lock_counter == 1:
                    self._recover()
                yield
        except Timeout as exc:
            raise StoreError("Der Datenbestand wird gerade von einem anderen Vorgang geändert. "
                             "Bitte gleich noch einmal versuchen.") from exc

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """Turn I/O failures of a write into a German :class:`StoreError` (details go to the log)."""
        try:
            yield
        except FlaechenpoolError:
            raise  # a refusal with its own German message (PermissionDenied is also an OSError)
        except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
            log.exception("store write failed: %s", what)
            raise StoreError(f"{what}: Speichern fehlgeschlagen (z. B. Speicherplatz voll oder keine "
                             "Schreibrechte). Es wurde nichts geändert; Einzelheiten stehen im Protokoll.") from exc

    def _recover_if_interrupted(self) -> None:
        """Before reading: complete a committed change (waiting for the lock), and clear what an
        interrupted write left in staging if no one is writing now (not waiting). Cheap when clean."""
        if (self._staging / JOURNAL).exists():
            with self._write_lock():
                return
        if self._staging.exists() and any(self._staging.iterdir()):
            with contextlib.suppress(Timeout):
                self._lock.acquire(timeout=0)
                try:
                    if self._lock.lock_counter == 1:
                        self._recover()
                finally:
                    self._lock.release()

    def _recover(self) -> None:
        """Roll a committed change forward, drop uncommitted staging files (lock held)."""
        journal = self._staging / JOURNAL
        if journal.exists():
            moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
            log.warning("completing an interrupted change (%d files)", len(moves))
            self._roll_forward(moves)
        leftovers = list(self._staging.iterdir()) if self._staging.exists() else []
        # Temporary copies of earlier releases of this store lay next to the files they replaced.
        leftovers += [*self._dir.glob(".*-*.gpkg"), *self._dir.glob(f"{VERSIONS_DIR}/*/.*-*.gpkg")]
        for leftover in leftovers:
            log.warning("removing uncommitted staging file %s", leftover.name)
            leftover.unlink(missing_ok=True)
        if leftovers and self._files_path.exists():
            self._drop_unnamed_files()

    def _drop_unnamed_files(self) -> None:
        """Remove files no document names (inserted by a monitoring write that died before its commit)."""
        named = list(self._read_table(schema.DOCUMENTS)["sha256"].dropna().astype(str))
        with contextlib.closing(sqlite3.connect(self._files_path)) as db, db:
            db.execute("CREATE TEMP TABLE named (sha256 TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO named VALUES (?)", [[key] for key in named])
            dropped = db.execute("DELETE FROM files WHERE sha256 NOT IN (SELECT sha256 FROM named)").rowcount
        if dropped:
            log.warning("removed %d files of an uncommitted change", dropped)

    def _roll_forward(self, moves: list[list[str]]) -> None:
        folders = set()
        for staged, final in moves:
            source, target = self._staging / staged, self._dir / final
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                folders.add(target.parent)
        for folder in folders:
            _fsync_dir(folder)
        (self._staging / JOURNAL).unlink(missing_ok=True)
        _fsync_dir(self._staging)

    def _stage_path(self, final: Path) -> Path:
        self._staging.mkdir(parents=True, exist_ok=True)
        return self._staging / f"{uuid.uuid4().hex[:12]}-{final.name}"

    def _stage_gpkg(self, final: Path, layers: dict[str, pd.DataFrame], *, fresh: bool = False) -> Path:
        """A complete new copy of *final* with *layers* replaced, fsynced, with *final*'s mode."""
        staged = self._stage_path(final)
        if final.exists() and not fresh:
            shutil.copyfile(final, staged)
        for layer, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                out = frame.to_crs(schema.CRS) if frame.crs != schema.CRS else frame
                pyogrio.write_dataframe(schema.dates_as_text(out), staged, layer=layer, driver="GPKG",
                                        promote_to_multi=True)
            else:
                pyogrio.write_dataframe(schema.dates_as_text(pd.DataFrame(frame)), staged, layer=layer,
                                        driver="GPKG")
        self._finish_staged(staged, final)
        return staged

    def _stage_text(self, final: Path, text: str) -> Path:
        staged = self._stage_path(final)
        staged.write_bytes(text.encode("utf-8"))
        self._finish_staged(staged, final)
        return staged

    @staticmethod
    def _insert_files(path: Path, files: dict[str, bytes]) -> None:
        """Add *files* to the blob database at *path* in one SQLite transaction (created if missing)."""
        with contextlib.closing(sqlite3.connect(path)) as db, db:
            db.execute("PRAGMA synchronous = FULL")
            db.execute("CREATE TABLE IF NOT EXISTS files (sha256 TEXT PRIMARY KEY, content BLOB NOT NULL)")
            db.executemany("INSERT OR IGNORE INTO files (sha256, content) VALUES (?, ?)", list(files.items()))

    @staticmethod
    def _finish_staged(staged: Path, final: Path) -> None:
        os.chmod(staged, final.stat().st_mode & 0o777 if final.exists() else DEFAULT_MODE)
        _fsync_file(staged)

    def _commit(self, staged: dict[Path, Path]) -> None:
        """Move staged files into place: one file directly, several through the journal."""
        moves = [[s.name, str(final.relative_to(self._dir))] for final, s in staged.items()]
        if len(moves) > 1:
            tmp = self._staging / (JOURNAL + ".tmp")
            tmp.write_text(json.dumps({"moves": moves}), encoding="utf-8")
            _fsync_file(tmp)
            os.replace(tmp, self._staging / JOURNAL)  # the commit point
            _fsync_dir(self._staging)
        self._roll_forward(moves)

    def _state(self) -> PoolData:
        return self.read_all()

    def _next_change(self, history: pd.DataFrame) -> int:
        """One more than any change id ever used: in the history or in a kept version's name."""
        used = [change_number(c) for c in history["change_id"]]
        used += [change_number(ref.change_id) for ref in self.list_versions()]
        used += [change_number(c) for c in self.read_valuation_versions()["change_id"]]
        return max(used, default=0) + 1

    def _sealed(self, stored: pd.DataFrame, rows: pd.DataFrame, table: str) -> pd.DataFrame:
        rows = normalise(rows.copy(), table)
        return chain.seal(rows, table, chain.last_hash(stored))

    def transact(self, plan: LedgerPlan) -> Change:
        started = time.perf_counter()
        with self._writing("Buchung"), self._write_lock():
            state = self._state()
            change = as_change(plan(state))
            if not any(len(rows) for rows in change):
                return change
            change_id = format_change_id(self._next_change(state.history))
            stored = {schema.ALLOCATIONS: state.allocations, schema.HISTORY: state.history,
                      schema.REQUEST_EVENTS: state.requests, schema.OUTBOX: state.outbox, schema.PRICES: state.prices}
            new, tables = {}, {}
            for table, rows in zip(stored, change, strict=True):
                rows = rows.assign(change_id=change_id)
                if len(rows):
                    rows = (self._sealed(stored[table], rows, table) if table not in UNCHAINED
                            else normalise(rows.copy(), table))
                    tables[table] = pd.concat([stored[table], rows], ignore_index=True)
                new[table] = rows
            self._commit({self._pool_path: self._stage_gpkg(self._pool_path, tables)})
        change = Change(*new.values())
        log_write(self.key, "Buchung", started, history=change.history, ledger=change.ledger,
                  request_events=len(change.requests), notifications=len(change.outbox))
        return change

    def record_monitoring(self, plan: MonitoringPlan) -> MonitoringChange:
        started = time.perf_counter()
        with self._writing("Monitoring"), self._write_lock():
            state = self._state()
            stored = self.read_monitoring()
            change = plan(state, stored)
            files = checked_files(change)
            change_id = format_change_id(self._next_change(state.history))
            records = Monitoring(*(normalise(rows.assign(change_id=change_id), table)
                                   for rows, table in zip(change[:3], schema.MONITORING_TABLES, strict=True)))
            entry = self._sealed(state.history, change.history.assign(change_id=change_id), schema.HISTORY)
            tables = {table: pd.concat([old, new], ignore_index=True)
                      for table, old, new in zip(schema.MONITORING_TABLES, stored, records, strict=True) if len(new)}
            tables[schema.HISTORY] = pd.concat([state.history, entry], ignore_index=True)
            staged = self._stage_gpkg(self._pool_path, tables)
            if files:
                self._insert_files(self._files_path, files)
            self._commit({self._pool_path: staged})
        result = MonitoringChange(*records, entry, files)
        log_write(self.key, "Monitoring", started, history=entry, events=len(result.events),
                  inspections=len(result.inspections), documents=len(result.documents), files=len(files))
        return result

    def record_delivery(self, notification_id: str, *, sent_at: str | None, error: str | None) -> None:
        started = time.perf_counter()
        with self._writing("Versand vermerken"), self._write_lock():
            outbox = self._read_table(schema.OUTBOX)
            found = outbox["notification_id"] == notification_id
            if not found.any():
                raise StoreError(f"Die Benachrichtigung {notification_id} gibt es nicht.")
            outbox.loc[found, "sent_at"] = sent_at
            outbox.loc[found, "error"] = error
            self._commit({self._pool_path: self._stage_gpkg(self._pool_path, {schema.OUTBOX: outbox})})
        log_write(self.key, "Versand vermerken", started, notifications=1, failed=int(error is not None))

    def publish_layer(self, ags: str, layer: str, plan: PublishPlan) -> pd.DataFrame:
        ags, label = publish_target(ags, layer)
        started = time.perf_counter()
        with self._writing(label), self._write_lock():
            state = self._state()
            stored = state.layer(layer)
            current = stored[stored["ags"] == ags]
            frame, entry = plan(current, state)
            new = normalise((frame.to_crs(schema.CRS) if frame.crs != schema.CRS else frame).copy(), layer)
            change_id = format_change_id(self._next_change(state.history))
            ref = VersionRef(ags, change_id, layer)
            if self._version_path(ref).exists():
                raise StoreError(f"Der frühere Stand zur Änderung {change_id} existiert schon; "
                                 "es wird nichts überschrieben.")
            entry = entry.assign(change_id=change_id, checksum=chain.layer_checksum(new, layer))
            entry = self._sealed(state.history, entry, schema.HISTORY)
            staged = {
                self._version_path(ref): self._stage_gpkg(self._version_path(ref), {layer: current}, fresh=True),
                self._municipal_path(ags): self._stage_gpkg(self._municipal_path(ags), {layer: new}),
                self._pool_path: self._stage_gpkg(
                    self._pool_path, {schema.HISTORY: pd.concat([state.history, entry], ignore_index=True)}),
            }
            self._commit(staged)
        log_write(self.key, label, started, history=entry, features=len(new))
        return entry

    def write_mapping(self, ags: str, layer: str, mapping: dict[str, Any]) -> None:
        path = self._mapping_path(ags)
        started = time.perf_counter()
        with self._writing("Spaltenzuordnung speichern"), self._write_lock():
            stored = {**self.read_mapping(ags), layer: mapping}
            text = json.dumps(stored, ensure_ascii=False, indent=2)
            self._commit({path: self._stage_text(path, text)})
        log_write(self.key, "Spaltenzuordnung speichern", started, columns=len(mapping.get("columns", {})))

    def replace_all(self, data: PoolData, *, versions: dict[VersionRef, gpd.GeoDataFrame] | None = None,
                    mappings: dict[str, dict[str, Any]] | None = None,
                    valuation: dict[str, str] | None = None, monitoring: Monitoring | None = None,
                    files: dict[str, bytes] | None = None, valuation_versions: pd.DataFrame | None = None) -> None:
        started = time.perf_counter()
        with self._writing("Datenbestand ersetzen"), self._write_lock():
            for folder in (VERSIONS_DIR, MAPPINGS_DIR, f"{VALUATION_DIR}/{VERSIONS_DIR}"):
                shutil.rmtree(self._dir / folder, ignore_errors=True)
            staged: dict[Path, Path] = {}
            for m in schema.MUNICIPALITIES:
                layers: dict[str, pd.DataFrame] = {
                    layer: normalise(data.layer(layer)[data.layer(layer)["ags"] == m.ags].copy(), layer)
                    for layer in schema.MUNICIPAL_LAYERS}
                path = self._municipal_path(m.ags)
                staged[path] = self._stage_gpkg(path, layers, fresh=True)
            tables = {schema.OUTBOX: normalise(data.outbox.copy(), schema.OUTBOX),
                      schema.PRICES: normalise(data.prices.copy(), schema.PRICES)}
            for table, rows in ((schema.ALLOCATIONS, data.allocations), (schema.HISTORY, data.history),
                                (schema.REQUEST_EVENTS, data.requests)):
                rows = normalise(rows.copy(), table)
                tables[table] = rows if rows["hash"].notna().all() else chain.seal(rows, table, chain.GENESIS)
            if data.natural_regions is not None and len(data.natural_regions):
                tables[schema.NATURAL_REGIONS] = data.natural_regions[[*REGION_COLUMNS, "geometry"]]
            records = monitoring or empty_monitoring()
            tables |= {table: normalise(rows.copy(), table)
                       for table, rows in zip(schema.MONITORING_TABLES, records, strict=True)}
            staged[self._pool_path] = self._stage_gpkg(self._pool_path, tables, fresh=True)
            staged_files = self._stage_path(self._files_path)
            self._insert_files(staged_files, files or {})
            self._finish_staged(staged_files, self._files_path)
            staged[self._files_path] = staged_files
            for ref, frame in (versions or {}).items():
                path = self._version_path(ref)
                staged[path] = self._stage_gpkg(path, {ref.layer: normalise(frame.copy(), ref.layer)}, fresh=True)
            for ags, stored in (mappings or {}).items():
                path = self._mapping_path(ags)
                staged[path] = self._stage_text(path, json.dumps(stored, ensure_ascii=False, indent=2))
            for model, text in (valuation or {}).items():
                path = self._dir / VALUATION_DIR / f"{model}.csv"
                staged[path] = self._stage_text(path, text)
            for model, change_id, text in valuation_version_rows(valuation_versions):
                path = self._valuation_version_path(model, change_id)
                staged[path] = self._stage_text(path, text)
            self._commit(staged)
        log_write(self.key, "Datenbestand ersetzen", started, files=len(staged), ledger_rows=len(data.allocations),
                  history_rows=len(data.history), versions=len(versions or {}))
