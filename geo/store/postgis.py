"""The server store: PostgreSQL/PostGIS, shared by several app processes.

Tables (``geo/store/migrations/*.sql``): ``boundary``, ``pool_areas``, ``interventions`` (all
municipalities, an ``ags`` column, ``geometry(MultiPolygon, 25833)`` with GiST indexes),
``allocations``, ``history`` and ``request_events`` (append-only by trigger, hash-chained by
:mod:`geo.store.chain` exactly as in the GeoPackage store), ``outbox`` (only its delivery
columns change), ``layer_versions`` with
``layer_version_features`` (earlier states of a layer), ``column_mappings``,
``valuation_tables`` and ``store_head`` (one row: the chain head); monitoring records
``measure_events``, ``inspections``, ``documents`` and their ``files`` (bytea), append-only by trigger.

Schema migrations are plain numbered SQL files, applied on open in order inside one
transaction and recorded with their SHA-256 in ``schema_migrations`` (a changed applied file
is refused). Geometries travel as WKB (shapely), frames come out exactly as
:class:`geo.store.gpkg.GeoPackageStore` returns them.

Locking, in one fixed order inside each write transaction (READ COMMITTED):

1. ``SELECT … FROM store_head FOR UPDATE``. Every write appends to a hash chain and takes the
   next change id, so writes need a total order; one row lock gives it, lasts exactly as long
   as the transaction, and makes a waiting writer read the winner's commit afterwards (READ
   COMMITTED takes a fresh snapshot per statement, so everything below is read *after* the
   lock was granted). Change ids come from ``store_head.last_change``: transactional, so a
   refused booking leaves no gap, and never lowered, so an id is never reused.
2. The rows the change touches, ``FOR UPDATE`` in id order: a publish locks its
   municipality's layer rows before it reads the state; a booking locks the pool-area and
   intervention rows its ledger rows name (pool areas first, then interventions) once the
   plan has named them, and refuses if a row differs from what the plan decided on. Behind
   lock 1 this never waits on another store write; it guards against writers that bypass the
   store (a DBA's ``UPDATE``) and keeps the booked rows fixed until commit.
3. The state the plan decides on is read after these locks, in the same transaction.

All writers take lock 1 first, so two writes never deadlock. Plain readers take no lock: a
read runs in one REPEATABLE READ READ ONLY transaction and sees one consistent snapshot.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
from psycopg import errors, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

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
from geo.store.gpkg import LOCK_TIMEOUT_S, normalise

log = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x466C_6163  # pg_advisory_xact_lock key: one migrating process at a time
CONNECT_TIMEOUT_S = 10.0
POOL_MAX_SIZE = 4
SRID = 25833
# Tables whose rows are never changed or deleted (triggers of 0002_append_only.sql).
APPEND_ONLY = ("allocations", "history", "layer_versions", "layer_version_features", "request_events", "prices",
               "valuation_versions", "measure_events", "inspections", "documents", "files")
READING = "Daten lesen"
BUSY = ("Der Datenbestand wird gerade von einem anderen Vorgang geändert. "
        "Bitte gleich noch einmal versuchen.")


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _selected(table: str) -> sql.Composed:
    """The schema fields of *table* for a SELECT; dates as ISO text, as the GeoPackage store reads them."""
    parts: list[sql.Composable] = []
    for f in schema.LAYER_FIELDS[table]:
        if f.type == "date":
            parts.append(sql.SQL("to_char({}, 'YYYY-MM-DD')").format(_ident(f.name)))
        else:
            parts.append(_ident(f.name))
    return sql.SQL(", ").join(parts)


def _plain(value: Any) -> Any:
    """A value psycopg and JSON take: Python scalars, ``None`` for every kind of missing."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame, names: list[str]) -> list[list[Any]]:
    """Rows of *frame*'s columns *names* as plain values, dates as ISO text."""
    texts = schema.dates_as_text(pd.DataFrame(frame[names]))
    return [[_plain(v) for v in row] for row in texts.itertuples(index=False, name=None)]


def _wkb(frame: gpd.GeoDataFrame) -> list[bytes | None]:
    return list(shapely.to_wkb(frame.geometry.to_numpy(), output_dimension=2))


def _geoframe(frame: pd.DataFrame, wkb: Sequence[bytes | None] | np.ndarray, layer: str) -> gpd.GeoDataFrame:
    """*frame* with the geometries *wkb* (binary or hex WKB) as a normalised layer."""
    geometry = gpd.GeoSeries(shapely.from_wkb(np.array(wkb, dtype=object)), crs=schema.CRS)
    if not len(frame):
        geometry = gpd.GeoSeries([], crs=schema.CRS)
    return _layer(gpd.GeoDataFrame(frame, geometry=geometry.values, crs=schema.CRS), layer)


def _copied(conn: Connection, query: sql.Composable, params: Sequence[Any], table: str, *,
            geometry: bool = False) -> pd.DataFrame:
    """The schema fields of *table* (then hex WKB, returned as binary WKB, as ``geometry``) selected by *query*, through
    ``COPY … TO STDOUT (FORMAT csv)`` parsed by Arrow.

    No Python object per row: the server writes CSV, Arrow parses it in C. PostgreSQL writes
    NULL unquoted and the empty text quoted, so both survive; number fields are read as float,
    everything else as text.
    """
    columns = [*schema.field_names(table), *(["geometry"] if geometry else [])]
    numbers = {f.name for f in schema.LAYER_FIELDS[table] if f.type == "number"}
    buffer = io.BytesIO()
    with conn.cursor().copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(query), params) as copy:
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return pd.DataFrame({c: pd.Series([], dtype=float if c in numbers else object) for c in columns})
    types = {c: pa.float64() if c in numbers else pa.string() for c in columns}
    parsed = pacsv.read_csv(io.BytesIO(buffer.getvalue()),
                            read_options=pacsv.ReadOptions(column_names=columns),
                            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                                                 quoted_strings_can_be_null=False))
    if not geometry:
        frame: pd.DataFrame = parsed.to_pandas()
        return frame
    hexes = parsed.column("geometry").combine_chunks()
    frame = parsed.drop_columns(["geometry"]).to_pandas()
    frame["geometry"] = _unhex(hexes)
    return frame


def _unhex(hexes: Any) -> np.ndarray:
    """Hex WKB (an Arrow text array) as binary WKB, decoded in one piece: GEOS reads hex six times slower."""
    offsets = np.frombuffer(hexes.buffers()[1], dtype=np.int32)[hexes.offset:hexes.offset + len(hexes) + 1]
    text = hexes.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
    binary = pa.Array.from_buffers(pa.binary(), len(hexes),
                                   [hexes.buffers()[0], pa.py_buffer(((offsets - offsets[0]) // 2).astype(np.int32)),
                                    pa.py_buffer(bytes.fromhex(text.decode("ascii")))],
                                   null_count=hexes.null_count, offset=0)
    return np.asarray(binary.to_numpy(zero_copy_only=False), dtype=object)


def _in_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.to_crs(schema.CRS) if frame.crs != schema.CRS else frame


def _layer(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """A copy of *frame* in EPSG:25833 with the schema's columns and types (normalise keeps the GeoDataFrame)."""
    return normalise(_in_crs(frame).copy(), layer)


def _key(url: str) -> str:
    """``postgis:user@host:port/dbname``: names the database, never the password."""
    info = conninfo_to_dict(url)
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgis:{user}{info.get('host') or 'localhost'}{port}/{info.get('dbname') or ''}"


def _refusal(exc: psycopg.Error) -> str:
    """Why the database refused a change, in German."""
    diag = exc.diag
    if isinstance(exc, errors.RestrictViolation) and diag.message_primary:
        return diag.message_primary  # the append-only trigger speaks German itself
    if isinstance(exc, errors.UniqueViolation):
        found = re.search(r"\((.+?)\)=\((.+?)\)", diag.message_detail or "")
        if found:
            return (f"„{found.group(2)}“ ist als {found.group(1)} schon vergeben "
                    "(IDs sind über alle Gemeinden eindeutig).")
        return f"ein Wert ist schon vergeben ({diag.constraint_name})."
    if isinstance(exc, errors.NotNullViolation):
        return f"das Pflichtfeld „{diag.column_name}“ ist leer."
    if isinstance(exc, errors.ForeignKeyViolation):
        return f"ein Verweis zeigt auf einen Eintrag, den es nicht gibt ({diag.constraint_name})."
    if isinstance(exc, errors.CheckViolation):
        return f"ein Wert verletzt die Regel „{diag.constraint_name}“."
    return f"Regel „{diag.constraint_name or diag.sqlstate}“ verletzt."


class PostGISStore:
    """The store in a PostgreSQL database with PostGIS (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.key = _key(url)
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            url, min_size=1, max_size=POOL_MAX_SIZE, open=False, name=self.key,
            kwargs={"autocommit": True, "application_name": "flaechenpool"})
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(f"Die Datenbank {self.key.removeprefix('postgis:')} ist nicht erreichbar "
                             "(Adresse, Anmeldung oder Netz prüfen).") from exc
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    def __repr__(self) -> str:
        return f"PostGISStore({self.key!r})"

    def close(self) -> None:
        """Close the connections (the store cannot be used afterwards)."""
        self._pool.close()

    # --- schema ---------------------------------------------------------------------
    def _migrate(self) -> None:
        """Apply the pending migration files in order, in one transaction, and record them."""
        files = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
        with self._connection("Datenbankschema prüfen") as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
            if conn.execute("SELECT to_regclass('schema_migrations') IS NULL").fetchone() == (True,):
                conn.execute("CREATE TABLE schema_migrations (version text PRIMARY KEY, sha256 text NOT NULL, "
                             "applied_at timestamptz NOT NULL DEFAULT now())")
            applied = dict(conn.execute("SELECT version, sha256 FROM schema_migrations").fetchall())
            newer = sorted(set(applied) - {path.stem for path in files})
            if newer:
                raise StoreError(f"Die Datenbank hat einen neueren Schemastand ({', '.join(newer)}) als diese "
                                 "Version der App. Bitte die App aktualisieren.")
            for path in files:
                text = path.read_text(encoding="utf-8")
                digest = hashlib.sha256(text.encode()).hexdigest()
                if path.stem in applied:
                    if applied[path.stem] != digest:
                        raise StoreError(f"Die Migration {path.name} wurde nach dem Einspielen verändert; "
                                         "eingespielte Migrationen dürfen sich nicht ändern.")
                    continue
                log.info("applying migration %s", path.name)
                try:
                    conn.execute(text.encode())
                except errors.InsufficientPrivilege as exc:
                    raise StoreError(f"Die Migration {path.name} ist noch nicht eingespielt, und diese Anmeldung "
                                     "darf das Schema nicht ändern. Bitte die App einmal mit der Anmeldung des "
                                     "Schema-Eigentümers starten (README, PostgreSQL/PostGIS).") from exc
                conn.execute("INSERT INTO schema_migrations (version, sha256) VALUES (%s, %s)", [path.stem, digest])

    # --- connections and reading ------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self, what: str = READING) -> Iterator[Connection]:
        """A pooled connection; failures and refusals of the database become a German StoreError.

        *what* names the action in the message; anything but :data:`READING` is a write, whose
        transaction was rolled back, and the message says that nothing was changed.
        """
        unchanged = "" if what == READING else " Es wurde nichts geändert."
        try:
            with self._pool.connection(timeout=CONNECT_TIMEOUT_S) as conn:
                yield conn
        except FlaechenpoolError:
            raise
        except PoolTimeout as exc:
            raise StoreError(f"{what}: Die Datenbank {self.key.removeprefix('postgis:')} ist nicht erreichbar "
                             "oder ausgelastet. Bitte gleich noch einmal versuchen.") from exc
        except errors.LockNotAvailable as exc:
            raise StoreError(BUSY) from exc
        except errors.IntegrityError as exc:
            raise StoreError(f"{what}: Die Datenbank hat die Änderung abgelehnt, {_refusal(exc)} "
                             "Es wurde nichts geändert.") from exc
        except errors.InsufficientPrivilege as exc:
            raise StoreError(f"{what}: Dafür fehlen der Anmeldung an der Datenbank die Rechte "
                             f"({exc.diag.message_primary}).{unchanged}") from exc
        except psycopg.Error as exc:
            log.exception("database access failed: %s", what)
            raise StoreError(f"{what}: Die Datenbank meldet einen Fehler ({exc.sqlstate or 'Verbindung'}); "
                             f"Einzelheiten stehen im Protokoll.{unchanged}") from exc

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """One consistent read-only snapshot for several queries."""
        with self._connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield conn

    def version(self) -> int:
        """The data version counter, bumped by every write of layers, ledger, history or valuation (the cache key).

        Column mappings are not part of it, as in the GeoPackage store.
        """
        with self._connection() as conn:
            row = conn.execute("SELECT data_version FROM store_head").fetchone()
        return int(row[0]) if row else 0

    def _read_layer(self, conn: Connection, layer: str, keys: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        if layer not in schema.MUNICIPAL_LAYERS:
            raise StoreError(f"Unbekannte Ebene „{layer}“.")
        order = [m.ags for m in schema.MUNICIPALITIES]
        wanted = order if keys is None else [m.ags for m in schema.MUNICIPALITIES if m.ags in keys or m.slug in keys]
        query = sql.SQL("SELECT {fields}, encode(ST_AsBinary(geometry), 'hex') FROM {table} WHERE ags = ANY(%s) "
                        "ORDER BY array_position(%s::text[], ags::text), position").format(
            fields=_selected(layer), table=_ident(layer))
        frame = _copied(conn, query, [wanted, order], layer, geometry=True)
        return _geoframe(frame.drop(columns="geometry"), frame["geometry"].to_numpy(dtype=object), layer)

    def _read_table(self, conn: Connection, table: str) -> pd.DataFrame:
        query = sql.SQL("SELECT {fields} FROM {table} ORDER BY seq").format(fields=_selected(table),
                                                                            table=_ident(table))
        return normalise(_copied(conn, query, [], table), table)

    def _read_all(self, conn: Connection) -> PoolData:
        return PoolData(
            boundaries=self._read_layer(conn, schema.BOUNDARY),
            pool_areas=self._read_layer(conn, schema.POOL_AREAS),
            interventions=self._read_layer(conn, schema.INTERVENTIONS),
            allocations=self._read_table(conn, schema.ALLOCATIONS),
            history=self._read_table(conn, schema.HISTORY),
            requests=self._read_table(conn, schema.REQUEST_EVENTS),
            outbox=self._read_table(conn, schema.OUTBOX),
            prices=self._read_table(conn, schema.PRICES),
            valuation=self._valuation_sources(conn),
            natural_regions=self._read_regions(conn),
        )

    @staticmethod
    def _read_regions(conn: Connection) -> gpd.GeoDataFrame:
        rows = conn.execute("SELECT region_id, name, notes, ST_AsBinary(geometry) FROM natural_regions "
                            "ORDER BY region_id").fetchall()
        if not rows:
            return empty_regions()
        frame = pd.DataFrame([row[:3] for row in rows], columns=list(REGION_COLUMNS))
        return gpd.GeoDataFrame(frame, geometry=shapely.from_wkb([bytes(row[3]) for row in rows]), crs=schema.CRS)

    @staticmethod
    def _insert_regions(conn: Connection, regions: gpd.GeoDataFrame) -> None:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO natural_regions (region_id, name, notes, geometry) VALUES "
                f"(%s, %s, %s, ST_Multi(ST_GeomFromWKB(%s, {SRID})))",
                [[str(r), str(n), str(t or ""), g] for r, n, t, g in zip(
                    regions["region_id"], regions["name"], regions["notes"],
                    shapely.to_wkb(regions.to_crs(schema.CRS).geometry.to_numpy()), strict=True)])

    def publish_natural_regions(self, plan: RegionPlan) -> pd.DataFrame:
        label = "Naturräume ersetzen"
        started = time.perf_counter()
        with self._writing(label) as (conn, last_change):
            state = self._read_all(conn)
            regions, entry = plan(state)
            entry = entry.assign(change_id=format_change_id(last_change + 1))
            entry = chain.seal(normalise(entry.copy(), schema.HISTORY), schema.HISTORY, chain.last_hash(state.history))
            conn.execute("DELETE FROM natural_regions")
            self._insert_regions(conn, regions)
            self._insert_rows(conn, schema.HISTORY, entry)
            self._bump(conn, last_change + 1)
        log_write(self.key, label, started, history=entry, features=len(regions))
        return entry

    @staticmethod
    def _valuation_sources(conn: Connection) -> dict[str, str]:
        return dict(conn.execute("SELECT model, csv FROM valuation_tables ORDER BY model").fetchall())

    def read_layer(self, layer: str, keys: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        with self._snapshot() as conn:
            return self._read_layer(conn, layer, keys)

    def read_allocations(self) -> pd.DataFrame:
        with self._snapshot() as conn:
            return self._read_table(conn, schema.ALLOCATIONS)

    def read_history(self) -> pd.DataFrame:
        with self._snapshot() as conn:
            return self._read_table(conn, schema.HISTORY)

    def read_all(self) -> PoolData:
        with self._snapshot() as conn:
            return self._read_all(conn)

    def vector_tile_layer(self, z: int, x: int, y: int, name: str, layer: str, keys: Sequence[str],
                          properties: pd.DataFrame) -> bytes:
        """One MVT layer *name* of tile z/x/y by ``ST_AsMVT``: the features *keys* of *layer*, clipped
        (``ST_AsMVTGeom``, 4096 units, 64 buffer) with *properties* (text columns aligned with *keys*)."""
        columns = list(properties.columns)
        arrays = [list(keys), *(properties[c].astype(str).tolist() for c in columns)]
        names = sql.SQL(", ").join([_ident("key"), *map(_ident, columns)])
        casts = sql.SQL(", ").join(sql.SQL("%s::text[]") for _ in arrays)
        query = sql.SQL(
            "SELECT ST_AsMVT(q, %s, 4096, 'geom') FROM (SELECT {props}, ST_AsMVTGeom(ST_Transform(t.geometry, 3857),"
            " ST_TileEnvelope(%s, %s, %s), 4096, 64, true) AS geom FROM unnest({casts}) WITH ORDINALITY AS "
            "a({names}, n) JOIN {table} t ON t.{id}::text = a.key ORDER BY a.n) q WHERE geom IS NOT NULL").format(
            props=sql.SQL(", ").join(sql.SQL("a.{}").format(_ident(c)) for c in columns), casts=casts,
            names=names, table=_ident(layer), id=_ident(schema.ID_FIELD[layer]))
        with self._connection() as conn:
            row = conn.execute(query, [name, z, x, y, *arrays]).fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""

    def read_monitoring(self) -> Monitoring:
        with self._snapshot() as conn:
            return self._read_monitoring(conn)

    def _read_monitoring(self, conn: Connection) -> Monitoring:
        return Monitoring(*(self._read_table(conn, table) for table in schema.MONITORING_TABLES))

    def read_file(self, sha256: str) -> bytes:
        with self._connection() as conn:
            row = conn.execute("SELECT content FROM files WHERE sha256 = %s", [sha256]).fetchone()
        if row is None:
            raise StoreError(f"Die Datei {sha256[:12]}… ist nicht gespeichert.")
        return bytes(row[0])

    def read_files(self) -> dict[str, bytes]:
        with self._connection() as conn:
            return {str(key): bytes(content)
                    for key, content in conn.execute("SELECT sha256, content FROM files ORDER BY sha256").fetchall()}

    @staticmethod
    def _insert_monitoring(conn: Connection, records: Monitoring, files: dict[str, bytes]) -> None:
        """Files before the documents naming them, inspections before the states naming them."""
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO files (sha256, content) VALUES (%s, %s) ON CONFLICT (sha256) DO NOTHING",
                            [[key, content] for key, content in files.items()])
        rows = dict(zip(schema.MONITORING_TABLES, records, strict=True))
        for table in (schema.INSPECTIONS, schema.MEASURE_EVENTS, schema.DOCUMENTS):
            PostGISStore._insert_rows(conn, table, rows[table])

    def read_valuation_sources(self) -> dict[str, str]:
        with self._connection() as conn:
            return self._valuation_sources(conn)

    def read_valuation_versions(self) -> pd.DataFrame:
        with self._connection() as conn:
            rows = conn.execute("SELECT model, change_id, csv FROM valuation_versions ORDER BY seq").fetchall()
        return pd.DataFrame(rows, columns=list(VALUATION_VERSION_COLUMNS))

    def publish_valuation(self, model: str, plan: ValuationPlan) -> pd.DataFrame:
        label = f"Bewertungstabelle „{model}“ wechseln"
        started = time.perf_counter()
        with self._writing(label) as (conn, last_change):
            state = self._read_all(conn)
            text, entry = plan(state)
            change_id = format_change_id(last_change + 1)
            entry = entry.assign(change_id=change_id, checksum=chain.text_checksum(text))
            entry = chain.seal(normalise(entry.copy(), schema.HISTORY), schema.HISTORY, chain.last_hash(state.history))
            if model in state.valuation:
                conn.execute("INSERT INTO valuation_versions (model, change_id, csv) VALUES (%s, %s, %s)",
                             [model, change_id, state.valuation[model]])
            conn.execute("INSERT INTO valuation_tables (model, csv) VALUES (%s, %s) "
                         "ON CONFLICT (model) DO UPDATE SET csv = EXCLUDED.csv", [model, text])
            self._insert_rows(conn, schema.HISTORY, entry)
            self._bump(conn, last_change + 1)
        log_write(self.key, label, started, history=entry)
        return entry

    def read_version(self, ags: str, change_id: str, layer: str) -> gpd.GeoDataFrame:
        ags = schema.municipality(ags).ags
        with self._snapshot() as conn:
            head = conn.execute("SELECT columns FROM layer_versions WHERE ags = %s AND change_id = %s AND layer = %s",
                                [ags, change_id, layer]).fetchone()
            if head is None:
                raise StoreError(f"Zur Änderung {change_id} ist kein früherer Stand von "
                                 f"{schema.LAYER_LABELS.get(layer, layer)} gespeichert.")
            rows = conn.execute("SELECT properties, ST_AsBinary(geometry) FROM layer_version_features "
                                "WHERE ags = %s AND change_id = %s AND layer = %s ORDER BY position",
                                [ags, change_id, layer]).fetchall()
        columns: list[str] = head[0]
        frame = (pd.DataFrame.from_records([row[0] for row in rows], columns=columns) if rows
                 else pd.DataFrame({c: [] for c in columns}))
        return _geoframe(frame, [row[1] for row in rows], layer)

    def list_versions(self) -> list[VersionRef]:
        with self._connection() as conn:
            rows = conn.execute("SELECT ags, change_id, layer FROM layer_versions").fetchall()
        refs = [VersionRef(ags, change_id, layer) for ags, change_id, layer in rows]
        # The GeoPackage store's order: versions/<slug>/<change>-<layer>.gpkg sorted by path.
        return sorted(refs, key=lambda r: (schema.municipality(r.ags).slug, f"{r.change_id}-{r.layer}"))

    def read_mapping(self, ags: str) -> dict[str, Any]:
        with self._connection() as conn:
            rows = conn.execute("SELECT layer, mapping FROM column_mappings WHERE ags = %s ORDER BY seq",
                                [schema.municipality(ags).ags]).fetchall()
        return dict(rows)

    # --- the write path ------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[tuple[Connection, int]]:
        """One write transaction holding the chain head (lock 1); yields the connection and the last change number.

        Refusals of the database (constraints, triggers, lock timeout) become a German
        :class:`StoreError`; the transaction is rolled back, so nothing is written.
        """
        with self._connection(what) as conn, conn.transaction():
            conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{LOCK_TIMEOUT_S:.0f}s")))
            head = conn.execute("SELECT last_change FROM store_head FOR UPDATE").fetchone()
            if head is None:
                raise StoreError("Die Datenbank hat keinen Kettenkopf (store_head); das Schema ist unvollständig.")
            yield conn, int(head[0])

    @staticmethod
    def _bump(conn: Connection, last_change: int) -> None:
        conn.execute("UPDATE store_head SET last_change = %s, data_version = data_version + 1", [last_change])

    @staticmethod
    def _insert_layer(conn: Connection, layer: str, frame: gpd.GeoDataFrame) -> None:
        """Append *frame*'s features; ``position`` is their order within their municipality."""
        if not len(frame):
            return
        names = schema.field_names(layer)
        query = sql.SQL("INSERT INTO {table} ({fields}, position, geometry) VALUES ({values}, %s, "
                        "ST_Multi(ST_GeomFromWKB(%s, {srid})))").format(
            table=_ident(layer), fields=sql.SQL(", ").join(map(_ident, names)),
            values=sql.SQL(", ").join(sql.Placeholder() * len(names)), srid=sql.Literal(SRID))
        positions = frame.groupby("ags", sort=False).cumcount().tolist()
        rows = [[*values, int(position), wkb] for values, position, wkb
                in zip(_records(frame, names), positions, _wkb(frame), strict=True)]
        with conn.cursor() as cur:
            cur.executemany(query, rows)

    @staticmethod
    def _insert_rows(conn: Connection, table: str, rows: pd.DataFrame) -> None:
        if not len(rows):
            return
        names = schema.field_names(table)
        query = sql.SQL("INSERT INTO {table} ({fields}) VALUES ({values})").format(
            table=_ident(table), fields=sql.SQL(", ").join(map(_ident, names)),
            values=sql.SQL(", ").join(sql.Placeholder() * len(names)))
        with conn.cursor() as cur:
            cur.executemany(query, _records(rows, names))

    @staticmethod
    def _insert_version(conn: Connection, ref: VersionRef, frame: gpd.GeoDataFrame) -> None:
        columns = [c for c in frame.columns if c != frame.geometry.name]
        conn.execute("INSERT INTO layer_versions (ags, change_id, layer, columns) VALUES (%s, %s, %s, %s)",
                     [ref.ags, ref.change_id, ref.layer, Jsonb(columns)])
        if not len(frame):
            return
        rows = [[ref.ags, ref.change_id, ref.layer, position, Jsonb(dict(zip(columns, values, strict=True))), wkb]
                for position, (values, wkb) in enumerate(zip(_records(frame, columns), _wkb(frame), strict=True))]
        with conn.cursor() as cur:
            cur.executemany(sql.SQL("INSERT INTO layer_version_features (ags, change_id, layer, position, properties, "
                                    "geometry) VALUES (%s, %s, %s, %s, %s, ST_Multi(ST_GeomFromWKB(%s, {})))").format(
                sql.Literal(SRID)), rows)

    @staticmethod
    def _lock_touched(conn: Connection, state: PoolData, ledger_rows: pd.DataFrame) -> None:
        """Lock 2 of a booking: the rows its entries name, in id order; refused if changed since the plan read them."""
        checks = ((schema.POOL_AREAS, ("ags", "status", "value_points")),
                  (schema.INTERVENTIONS, ("ags", "status", "demand_points")))
        for layer, fields in checks:
            id_field = schema.ID_FIELD[layer]
            ids = sorted({str(i) for i in ledger_rows[id_field].dropna()})
            if not ids:
                continue
            query = sql.SQL("SELECT {id}, {fields} FROM {table} WHERE {id} = ANY(%s) ORDER BY {id} FOR UPDATE").format(
                id=_ident(id_field), fields=sql.SQL(", ").join(map(_ident, fields)), table=_ident(layer))
            seen = state.layer(layer).set_index(id_field)
            for row in conn.execute(query, [ids]).fetchall():
                decided = seen.loc[row[0]] if row[0] in seen.index else None
                if decided is None or any(chain.canonical(value) != chain.canonical(decided[name])
                                          for name, value in zip(fields, row[1:], strict=True)):
                    raise StoreError(f"{row[0]} wurde während der Buchung geändert; es wurde nichts gebucht. "
                                     "Bitte noch einmal versuchen.")

    def transact(self, plan: LedgerPlan) -> Change:
        started = time.perf_counter()
        with self._writing("Buchung") as (conn, last_change):
            state = self._read_all(conn)
            change = as_change(plan(state))
            if not any(len(rows) for rows in change):
                return change
            change_id = format_change_id(last_change + 1)
            if len(change.ledger):
                self._lock_touched(conn, state, change.ledger)
            stored = {schema.ALLOCATIONS: state.allocations, schema.HISTORY: state.history,
                      schema.REQUEST_EVENTS: state.requests, schema.OUTBOX: state.outbox, schema.PRICES: state.prices}
            new = {}
            for table, rows in zip(stored, change, strict=True):
                rows = normalise(rows.assign(change_id=change_id), table)
                if len(rows) and table not in UNCHAINED:
                    rows = chain.seal(rows, table, chain.last_hash(stored[table]))
                new[table] = rows
            # history first: the other tables' change_id refers to it; the ledger before the events naming its rows
            for table in (schema.HISTORY, schema.PRICES, schema.ALLOCATIONS, schema.REQUEST_EVENTS, schema.OUTBOX):
                self._insert_rows(conn, table, new[table])
            self._bump(conn, last_change + 1)
        change = Change(*new.values())
        log_write(self.key, "Buchung", started, history=change.history, ledger=change.ledger,
                  request_events=len(change.requests), notifications=len(change.outbox))
        return change

    def record_monitoring(self, plan: MonitoringPlan) -> MonitoringChange:
        started = time.perf_counter()
        with self._writing("Monitoring") as (conn, last_change):
            state = self._read_all(conn)
            change = plan(state, self._read_monitoring(conn))
            files = checked_files(change)
            change_id = format_change_id(last_change + 1)
            records = Monitoring(*(normalise(rows.assign(change_id=change_id), table)
                                   for rows, table in zip(change[:3], schema.MONITORING_TABLES, strict=True)))
            entry = chain.seal(normalise(change.history.assign(change_id=change_id), schema.HISTORY), schema.HISTORY,
                               chain.last_hash(state.history))
            self._insert_rows(conn, schema.HISTORY, entry)
            self._insert_monitoring(conn, records, files)
            self._bump(conn, last_change + 1)
        result = MonitoringChange(*records, entry, files)
        log_write(self.key, "Monitoring", started, history=entry, events=len(result.events),
                  inspections=len(result.inspections), documents=len(result.documents), files=len(files))
        return result

    def record_delivery(self, notification_id: str, *, sent_at: str | None, error: str | None) -> None:
        started = time.perf_counter()
        with self._writing("Versand vermerken") as (conn, last_change):
            found = conn.execute("UPDATE outbox SET sent_at = %s, error = %s WHERE notification_id = %s "
                                 "RETURNING notification_id", [sent_at, error, notification_id]).fetchone()
            if found is None:
                raise StoreError(f"Die Benachrichtigung {notification_id} gibt es nicht.")
            self._bump(conn, last_change)
        log_write(self.key, "Versand vermerken", started, notifications=1, failed=int(error is not None))

    def publish_layer(self, ags: str, layer: str, plan: PublishPlan) -> pd.DataFrame:
        ags, label = publish_target(ags, layer)
        id_field = schema.ID_FIELD[layer]
        started = time.perf_counter()
        with self._writing(label) as (conn, last_change):
            conn.execute(sql.SQL("SELECT {id} FROM {table} WHERE ags = %s ORDER BY {id} FOR UPDATE").format(
                id=_ident(id_field), table=_ident(layer)), [ags])
            state = self._read_all(conn)
            stored = state.layer(layer)
            current = stored[stored["ags"] == ags]
            frame, entry = plan(current, state)
            new = _layer(frame, layer)
            if not new["ags"].eq(ags).all():
                raise StoreError(f"Die neue Fassung enthält Objekte anderer Gemeinden als {schema.AGS_NAMES[ags]}; "
                                 "es wurde nichts veröffentlicht.")
            change_id = format_change_id(last_change + 1)
            ref = VersionRef(ags, change_id, layer)
            if conn.execute("SELECT 1 FROM layer_versions WHERE ags = %s AND change_id = %s AND layer = %s",
                            list(ref)).fetchone():
                raise StoreError(f"Der frühere Stand zur Änderung {change_id} existiert schon; "
                                 "es wird nichts überschrieben.")
            entry = entry.assign(change_id=change_id, checksum=chain.layer_checksum(new, layer))
            entry = chain.seal(normalise(entry.copy(), schema.HISTORY), schema.HISTORY, chain.last_hash(state.history))
            self._insert_version(conn, ref, current)
            conn.execute(sql.SQL("DELETE FROM {} WHERE ags = %s").format(_ident(layer)), [ags])
            self._insert_layer(conn, layer, new)
            self._insert_rows(conn, schema.HISTORY, entry)
            self._bump(conn, last_change + 1)
        log_write(self.key, label, started, history=entry, features=len(new))
        return entry

    def write_mapping(self, ags: str, layer: str, mapping: dict[str, Any]) -> None:
        started = time.perf_counter()
        with self._connection("Spaltenzuordnung speichern") as conn:
            conn.execute("INSERT INTO column_mappings (ags, layer, mapping) VALUES (%s, %s, %s) "
                         "ON CONFLICT (ags, layer) DO UPDATE SET mapping = EXCLUDED.mapping",
                         [schema.municipality(ags).ags, layer, Jsonb(mapping)])
        log_write(self.key, "Spaltenzuordnung speichern", started, columns=len(mapping.get("columns", {})))

    def replace_all(self, data: PoolData, *, versions: dict[VersionRef, gpd.GeoDataFrame] | None = None,
                    mappings: dict[str, dict[str, Any]] | None = None,
                    valuation: dict[str, str] | None = None, monitoring: Monitoring | None = None,
                    files: dict[str, bytes] | None = None, valuation_versions: pd.DataFrame | None = None) -> None:
        """Replace the whole store in one transaction (demo, migration): only the tables' owner may.

        Emptying the append-only tables needs their triggers switched off, which PostgreSQL
        allows only the owner of a table; the app's role (README) cannot. The triggers are
        switched on again before the commit. Valuation tables not given are kept, like the
        GeoPackage store keeps their files; change ids stay above every id ever used.
        """
        started = time.perf_counter()
        with self._writing("Datenbestand ersetzen") as (conn, last_change):
            for table in APPEND_ONLY:
                conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(_ident(table)))
            conn.execute("ALTER TABLE outbox DISABLE TRIGGER USER")
            conn.execute("TRUNCATE boundary, pool_areas, interventions, allocations, history, request_events, outbox, "
                         "prices, layer_version_features, layer_versions, column_mappings, valuation_versions, "
                         "natural_regions, measure_events, inspections, documents, files")
            if data.natural_regions is not None and len(data.natural_regions):
                self._insert_regions(conn, data.natural_regions)
            known = list(schema.AGS_NAMES)
            for layer in schema.MUNICIPAL_LAYERS:
                frame = data.layer(layer)
                self._insert_layer(conn, layer, _layer(frame[frame["ags"].isin(known)], layer))
            tables = {}
            for table, rows in ((schema.HISTORY, data.history), (schema.ALLOCATIONS, data.allocations),
                                (schema.REQUEST_EVENTS, data.requests)):
                rows = normalise(rows.copy(), table)
                tables[table] = rows if rows["hash"].notna().all() else chain.seal(rows, table, chain.GENESIS)
                self._insert_rows(conn, table, tables[table])
            for table, rows in ((schema.OUTBOX, data.outbox), (schema.PRICES, data.prices)):
                self._insert_rows(conn, table, normalise(rows.copy(), table))
            records = Monitoring(*(normalise(rows.copy(), table) for rows, table
                                   in zip(monitoring or empty_monitoring(), schema.MONITORING_TABLES, strict=True)))
            self._insert_monitoring(conn, records, files or {})
            for ref, frame in (versions or {}).items():
                ref = VersionRef(schema.municipality(ref.ags).ags, ref.change_id, ref.layer)
                self._insert_version(conn, ref, _layer(frame, ref.layer))
            for ags, stored in (mappings or {}).items():
                for layer_name, mapping in stored.items():
                    conn.execute("INSERT INTO column_mappings (ags, layer, mapping) VALUES (%s, %s, %s)",
                                 [schema.municipality(ags).ags, layer_name, Jsonb(mapping)])
            for model, text in (valuation or {}).items():
                conn.execute("INSERT INTO valuation_tables (model, csv) VALUES (%s, %s) "
                             "ON CONFLICT (model) DO UPDATE SET csv = EXCLUDED.csv", [model, text])
            kept = valuation_version_rows(valuation_versions)
            for row in kept:
                conn.execute("INSERT INTO valuation_versions (model, change_id, csv) VALUES (%s, %s, %s)", list(row))
            used = [change_number(c) for c in tables[schema.HISTORY]["change_id"]]
            used += [change_number(ref.change_id) for ref in versions or {}]
            used += [change_number(change_id) for _, change_id, _ in kept]
            self._bump(conn, max([last_change, *used]))
            for table in (*APPEND_ONLY, "outbox"):
                conn.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(_ident(table)))
        log_write(self.key, "Datenbestand ersetzen", started, ledger_rows=len(data.allocations),
                  history_rows=len(data.history), versions=len(versions or {}))
