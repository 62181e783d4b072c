"""A PostgreSQL/PostGIS server for tests and benchmarks, and cheap fresh databases on it.

The server is ``FLAECHENPOOL_TEST_DATABASE_URL`` (a ``postgresql://`` URL of a role that may
create databases and the postgis extension) if set, else a throwaway cluster of Debian's
PostgreSQL 15 in a temporary folder on a free port (run as the ``postgres`` user when we are
root, since initdb refuses root), stopped at the end.

Fresh databases are copies of templates (``CREATE DATABASE … TEMPLATE``): one with PostGIS and
the migrations, one with the demo data loaded through ``replace_all`` on top. A copy takes
milliseconds; loading the demo takes a second.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from geo.store.gpkg import GeoPackageStore
from geo.store.postgis import PostGISStore

URL_VARIABLE = "FLAECHENPOOL_TEST_DATABASE_URL"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


class Unavailable(Exception):
    """No PostGIS server can be had here (the message says why)."""


def unavailable_reason() -> str | None:
    """Why no server can be had, or None."""
    if os.environ.get(URL_VARIABLE):
        return None
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing) and {URL_VARIABLE} is not set"
    if not POSTGIS_CONTROL.exists():
        return f"PostGIS is not installed ({POSTGIS_CONTROL} missing; apt-get install postgresql-15-postgis-3)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser (initdb must run as the postgres user)"
    return None


def database_url(server_url: str, name: str) -> str:
    """*server_url* with its database replaced by *name*."""
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a private PostgreSQL 15 cluster (tuned for tests: no fsync); yield its superuser URL."""
    root = Path(tempfile.mkdtemp(prefix="flaechenpool-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    try:
        subprocess.run([*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                        "-o", options, "-w", "start"], check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise Unavailable(f"the throwaway cluster did not start: {exc.stderr.decode(errors='replace')[-500:]}") from exc
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The server's URL: the configured one, or a throwaway cluster for the duration."""
    reason = unavailable_reason()
    if reason:
        raise Unavailable(reason)
    configured = os.environ.get(URL_VARIABLE)
    if configured:
        yield configured
        return
    with throwaway_cluster() as url:
        yield url


class Databases:
    """Fresh databases on one server, copied from templates made once."""

    EMPTY = "empty"
    DEMO = "demo"

    def __init__(self, server_url: str, demo_dir: Path) -> None:
        self.server_url = server_url
        self._prefix = f"fp_test_{os.getpid()}"
        self._names = itertools.count()
        self._templates: dict[str, str] = {}
        empty = self._create(f"{self._prefix}_tpl_empty")
        with psycopg.connect(database_url(server_url, empty), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        PostGISStore(database_url(server_url, empty)).close()  # applies the migrations
        self._templates[self.EMPTY] = empty
        demo = self._create(f"{self._prefix}_tpl_demo", template=empty)
        source, target = GeoPackageStore(demo_dir), PostGISStore(database_url(server_url, demo))
        try:
            target.replace_all(source.read_all(), versions={ref: source.read_version(*ref)
                                                            for ref in source.list_versions()},
                               valuation=source.read_valuation_sources(), monitoring=source.read_monitoring(),
                               files=source.read_files())
        finally:
            target.close()
        self._templates[self.DEMO] = demo

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.server_url, autocommit=True)

    def _create(self, name: str, template: str | None = None) -> str:
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if template:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(template)))
            else:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    @contextlib.contextmanager
    def fresh(self, template: str = DEMO) -> Iterator[str]:
        """A new database copied from *template* (``demo`` or ``empty``); yields its URL, dropped afterwards."""
        name = self._create(f"{self._prefix}_{next(self._names)}", template=self._templates[template])
        try:
            yield database_url(self.server_url, name)
        finally:
            self.drop(name)

    def close(self) -> None:
        for name in self._templates.values():
            self.drop(name)
