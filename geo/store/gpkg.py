"""The embedded GeoPackage store: one file per municipality plus ``pool.gpkg``.

Only this module touches the files. Reads combine all parties' layers in one call;
writes are atomic (copy → write into the copy → fsync → ``os.replace``) under a
per-file lock, so a failure or kill midway leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from filelock import FileLock, Timeout

from geo import schema
from geo.accounting import valuation
from geo.errors import StoreError

LOCK_TIMEOUT_S = 30.0
POOL_FILE = "pool.gpkg"
VERSIONS_DIR = "versions"
MAPPINGS_DIR = "mappings"


@dataclass(frozen=True)
class PoolData:
    """Everything the app shows, read in one call."""

    boundaries: gpd.GeoDataFrame
    pool_areas: gpd.GeoDataFrame
    interventions: gpd.GeoDataFrame
    allocations: pd.DataFrame
    history: pd.DataFrame


def _normalise(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Schema column order and types: ids/codes as text, dates as datetime64."""
    fields = schema.LAYER_FIELDS[layer]
    for f in fields:
        if f.name not in frame.columns:
            frame[f.name] = None
        if f.type in ("date",):
            frame[f.name] = pd.to_datetime(frame[f.name], errors="coerce")
        elif f.type == "number":
            frame[f.name] = pd.to_numeric(frame[f.name], errors="coerce").astype(float)
        else:
            frame[f.name] = frame[f.name].astype(object).where(frame[f.name].notna(), None)
    extra = [c for c in frame.columns if c not in {f.name for f in fields} and c != "geometry"]
    ordered = [f.name for f in fields] + extra
    if isinstance(frame, gpd.GeoDataFrame):
        ordered.append(frame.geometry.name)
    return frame[ordered]


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


class Store:
    """GeoPackage files in *data_dir* (see DOMAIN.md for the layout)."""

    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)

    # --- paths and versions ---------------------------------------------------------
    def municipal_path(self, key: str) -> Path:
        return self.data_dir / f"{schema.municipality(key).slug}.gpkg"

    @property
    def pool_path(self) -> Path:
        return self.data_dir / POOL_FILE

    def version(self) -> tuple:
        """A cheap fingerprint of all stored data (file names, mtimes, sizes).

        Use it as cache key: it changes whenever any layer, the ledger, the history or
        a valuation table is written.
        """
        files = sorted(self.data_dir.glob("*.gpkg")) + sorted((self.data_dir / "valuation").glob("*.csv"))
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())

    # --- reading --------------------------------------------------------------------
    def read_layer(self, layer: str, keys: list[str] | None = None) -> gpd.GeoDataFrame:
        """One layer of all (or the given) municipalities, combined, in EPSG:25833."""
        parts = []
        for m in schema.MUNICIPALITIES:
            if keys is not None and m.ags not in keys and m.slug not in keys:
                continue
            path = self.municipal_path(m.slug)
            if not path.exists() or layer not in {name for name, _ in pyogrio.list_layers(path)}:
                continue
            part = pyogrio.read_dataframe(path, layer=layer)
            if part.crs is None:
                raise StoreError(f"{path.name}/{layer}: kein Koordinatenbezugssystem gespeichert.")
            if part.crs != schema.CRS:
                part = part.to_crs(schema.CRS)
            parts.append(part)
        if not parts:
            empty = gpd.GeoDataFrame({n: [] for n in schema.field_names(layer)}, geometry=[], crs=schema.CRS)
            return _normalise(empty, layer)
        combined = pd.concat(parts, ignore_index=True)
        return _normalise(gpd.GeoDataFrame(combined, geometry="geometry", crs=schema.CRS), layer)

    def _read_table(self, layer: str) -> pd.DataFrame:
        path = self.pool_path
        if path.exists() and layer in {name for name, _ in pyogrio.list_layers(path)}:
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        else:
            frame = pd.DataFrame({n: [] for n in schema.field_names(layer)})
        return _normalise(pd.DataFrame(frame), layer)

    def read_allocations(self) -> pd.DataFrame:
        return self._read_table(schema.ALLOCATIONS)

    def read_history(self) -> pd.DataFrame:
        return self._read_table(schema.HISTORY)

    def read_valuation(self) -> dict[str, valuation.ValuationTable]:
        return valuation.load_tables(self.data_dir)

    def read_all(self) -> PoolData:
        return PoolData(
            boundaries=self.read_layer(schema.BOUNDARY),
            pool_areas=self.read_layer(schema.POOL_AREAS),
            interventions=self.read_layer(schema.INTERVENTIONS),
            allocations=self.read_allocations(),
            history=self.read_history(),
        )

    # --- writing --------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self, path: Path) -> Iterator[None]:
        """Hold the per-file lock of *path* (read-modify-replace must run inside)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S):
                yield
        except Timeout as exc:
            raise StoreError(
                f"{path.name} ist gerade von einem anderen Vorgang gesperrt. Bitte gleich noch einmal versuchen."
            ) from exc

    def _replace_layers(self, path: Path, layers: dict[str, pd.DataFrame]) -> None:
        """Write *layers* into a copy of *path* and swap it in atomically (lock held)."""
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if path.exists():
                shutil.copyfile(path, tmp)
            else:
                tmp.unlink()
            for layer, frame in layers.items():
                if isinstance(frame, gpd.GeoDataFrame):
                    out = frame.to_crs(schema.CRS) if frame.crs != schema.CRS else frame
                    pyogrio.write_dataframe(out, tmp, layer=layer, driver="GPKG",
                                            promote_to_multi=True)
                else:
                    pyogrio.write_dataframe(pd.DataFrame(frame), tmp, layer=layer, driver="GPKG")
            _fsync(tmp)
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        finally:
            tmp.unlink(missing_ok=True)

    def write_layer(self, key: str, layer: str, frame: gpd.GeoDataFrame) -> None:
        """Replace one municipality's *layer* atomically; other layers stay as they are."""
        if layer not in schema.MUNICIPAL_LAYERS:
            raise StoreError(f"Unbekannte Ebene „{layer}“.")
        path = self.municipal_path(key)
        frame = _normalise(frame.copy(), layer)
        with self.locked(path):
            self._replace_layers(path, {layer: dates_as_text(frame)})

    def write_municipality(self, key: str, layers: dict[str, gpd.GeoDataFrame]) -> None:
        """Write several layers of one municipality in one atomic replace."""
        path = self.municipal_path(key)
        prepared = {name: dates_as_text(_normalise(frame.copy(), name)) for name, frame in layers.items()}
        with self.locked(path):
            self._replace_layers(path, prepared)

    def write_pool_tables(self, tables: dict[str, pd.DataFrame]) -> None:
        """Replace ledger and/or history tables in ``pool.gpkg`` (used by the demo)."""
        prepared = {name: dates_as_text(_normalise(frame.copy(), name)) for name, frame in tables.items()}
        with self.locked(self.pool_path):
            self._replace_layers(self.pool_path, prepared)

    def transact_pool(
        self, plan: Callable[[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Append to the ledger and history in one transaction.

        *plan* gets the current ledger and history (read under the lock) and returns the
        rows to append to each. It may raise to abort: then nothing is written. Returns
        the appended (ledger, history) rows.
        """
        with self.locked(self.pool_path):
            ledger, history = self.read_allocations(), self.read_history()
            new_ledger, new_history = plan(ledger, history)
            tables = {}
            if len(new_ledger):
                tables[schema.ALLOCATIONS] = pd.concat([ledger, _normalise(new_ledger.copy(), schema.ALLOCATIONS)],
                                                       ignore_index=True)
            if len(new_history):
                tables[schema.HISTORY] = pd.concat([history, _normalise(new_history.copy(), schema.HISTORY)],
                                                   ignore_index=True)
            if tables:
                self._replace_layers(self.pool_path,
                                     {k: dates_as_text(_normalise(v, k)) for k, v in tables.items()})
            return new_ledger, new_history


    # --- published versions and remembered column mappings ------------------------------
    def version_path(self, key: str, change_id: str, layer: str) -> Path:
        """The layer as it was before change *change_id* (kept by :meth:`publish_layer`)."""
        return self.data_dir / VERSIONS_DIR / schema.municipality(key).slug / f"{change_id}-{layer}.gpkg"

    def read_version(self, key: str, change_id: str, layer: str) -> gpd.GeoDataFrame:
        path = self.version_path(key, change_id, layer)
        if not path.exists():
            raise StoreError(f"Zur Änderung {change_id} ist kein früherer Stand von "
                             f"{schema.LAYER_LABELS.get(layer, layer)} gespeichert.")
        frame = pyogrio.read_dataframe(path, layer=layer)
        return _normalise(gpd.GeoDataFrame(frame, geometry="geometry", crs=schema.CRS), layer)

    def publish_layer(self, key: str, layer: str, frame: gpd.GeoDataFrame,
                      plan: Callable[[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
        """Replace one municipality's *layer*, keep its previous state and append a history row.

        Runs under the municipality's and the pool's lock: *plan* gets the stored layer,
        the ledger and the history, and returns the history row (it may raise to abort,
        then nothing is written). The previous state goes to :meth:`version_path` of the
        row's ``change_id`` before the layer is swapped in atomically. Returns the row.
        """
        if layer not in schema.MUNICIPAL_LAYERS:
            raise StoreError(f"Unbekannte Ebene „{layer}“.")
        path = self.municipal_path(key)
        prepared = dates_as_text(_normalise(frame.copy(), layer))
        with self.locked(path):
            current = self.read_layer(layer, [key])

            def pool_plan(allocations: pd.DataFrame, history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
                entry = plan(current, allocations, history)
                version = self.version_path(key, str(entry["change_id"].iloc[0]), layer)
                version.parent.mkdir(parents=True, exist_ok=True)
                self._replace_layers(version, {layer: dates_as_text(current)})
                self._replace_layers(path, {layer: prepared})
                return allocations.iloc[:0], entry

            return self.transact_pool(pool_plan)[1]

    def _mapping_path(self, key: str) -> Path:
        return self.data_dir / MAPPINGS_DIR / f"{schema.municipality(key).slug}.json"

    def read_mapping(self, key: str) -> dict:
        """The municipality's remembered column/value mappings, by layer (empty if none)."""
        path = self._mapping_path(key)
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return {}

    def write_mapping(self, key: str, layer: str, mapping: dict) -> None:
        """Remember *mapping* for the municipality's *layer* (atomic JSON write)."""
        path = self._mapping_path(key)
        with self.locked(path):
            stored = {**self.read_mapping(key), layer: mapping}
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".json", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(stored, fh, ensure_ascii=False, indent=2)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)


def dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text (GeoPackage DATE semantics, QGIS-friendly); other columns as they are."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").where(out[col].notna(), None)
    return out


def history_entry(*, user: str, layer: str, action: str, ags: str | None = None, source: str = "",
                  added: int = 0, changed: int = 0, removed: int = 0, checksum: str = "",
                  notes: str = "", at: dt.datetime | None = None, history: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """One history row; its ``change_id`` follows the existing history's numbering."""
    at = at or dt.datetime.now()
    number = 1
    if history is not None and len(history):
        ids = history["change_id"].astype(str).str.extract(r"(\d+)$")[0].dropna().astype(int)
        number = int(ids.max()) + 1 if len(ids) else 1
    return pd.DataFrame([{
        "change_id": f"C-{number:06d}", "at": at.isoformat(timespec="seconds"), "user": user, "ags": ags,
        "layer": layer, "action": action, "source": source, "added": added, "changed": changed,
        "removed": removed, "checksum": checksum, "notes": notes,
    }], columns=schema.field_names(schema.HISTORY))
