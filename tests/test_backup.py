"""Backup and restore: backup → wipe → restore gives the same figures and audit; damaged backups are refused."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from geo import __version__, schema
from geo.accounting import audit
from geo.errors import DataError, StoreError
from geo.ops import backup as backups
from geo.schema import PoolData
from geo.store import Store
from geo.store import backup as store_backup
from geo.store.gpkg import GeoPackageStore
from geo.store.postgis import PostGISStore
from tests.conftest import REPO, WURZEN, pool_frame, square
from tests.storetools import put_layer, snapshot
from tests.test_cli import assert_german, geo
from tests.test_validate import fingerprint


def state(store: Store) -> tuple[object, ...]:
    report = audit.verify(store)
    return backups.figures(store), report.ok, report.ledger_head, report.history_head, store.list_versions()


def wipe(store: Store, folder: Path) -> None:
    if isinstance(store, GeoPackageStore):
        shutil.rmtree(folder)
    else:
        data = store.read_all()
        store.replace_all(PoolData(data.boundaries.iloc[0:0], data.pool_areas.iloc[0:0],
                                   data.interventions.iloc[0:0], data.allocations.iloc[0:0], data.history.iloc[0:0]))
    assert store_backup.is_empty(store)


@pytest.mark.parametrize("suffix", [".zip", ""])
def test_backup_wipe_restore_gives_the_same_figures_and_audit(any_store, demo_dir, tmp_path, suffix):
    before = state(any_store)
    assert before[1], "the demo verifies"
    target = tmp_path / f"sicherung{suffix}"
    manifest = backups.backup(any_store, target, users_file=demo_dir / "users.json", record_dir=tmp_path / "rec")
    assert manifest["app_version"] == __version__
    assert manifest["pruefung_ok"] and manifest["kettenende_buchungen"] == before[2]
    assert manifest["erstellt"].endswith(("+01:00", "+02:00"))  # Berlin time
    assert {"daten/pool.gpkg", "daten/users.json", "daten/valuation/leipzig.csv"} <= {
        f["pfad"] for f in manifest["dateien"]}
    assert backups.last_backup(tmp_path / "rec")["kettenende_aenderungen"] == before[3]
    wipe(any_store, demo_dir)
    lines = backups.restore(target, any_store)
    assert state(any_store) == before
    assert any("Kennzahlen gleich" in line for line in lines)


def test_a_folder_backup_restores_into_postgis_and_back(demo_store, postgis_empty_store, tmp_path):
    before = state(demo_store)
    backups.backup(demo_store, tmp_path / "aus-ordner")
    backups.restore(tmp_path / "aus-ordner", postgis_empty_store)
    assert state(postgis_empty_store) == before
    backups.backup(postgis_empty_store, tmp_path / "aus-postgis.zip")
    folder = GeoPackageStore(tmp_path / "neu")
    backups.restore(tmp_path / "aus-postgis.zip", folder)
    assert state(folder) == before


@pytest.fixture
def changed_target(demo_dir: Path, tmp_path: Path) -> tuple[Path, GeoPackageStore]:
    """A folder backup of the demo, then the live store changed after it (a new layer version)."""
    store = GeoPackageStore(demo_dir)
    backups.backup(store, tmp_path / "sicherung")
    put_layer(store, WURZEN, schema.POOL_AREAS,
              pool_frame([{"pool_id": "WUR-NEU-1", "value_points": 10.0, "geometry": square(341000, 5693000, 50)}]))
    return tmp_path / "sicherung", store


def _flip_byte(path: Path, at: int = 5000) -> None:
    body = bytearray(path.read_bytes())
    body[at] ^= 0x01
    path.write_bytes(bytes(body))


def _rezip(folder: Path, target: Path, change: str | None = None, drop: str | None = None) -> None:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name != drop:
                body = bytearray(path.read_bytes())
                if name == change:
                    body[5000] ^= 0x01
                archive.writestr(name, bytes(body))


@pytest.mark.parametrize("damage", ["byte", "missing", "zip-byte", "zip-missing", "manifest", "extra", "no-backup"])
def test_a_damaged_backup_is_refused_and_nothing_is_overwritten(changed_target, tmp_path, damage):
    backup, store = changed_target
    source = backup
    if damage == "byte":
        _flip_byte(backup / "daten" / "pool.gpkg")
    elif damage == "missing":
        (backup / "daten" / "leipzig.gpkg").unlink()
    elif damage.startswith("zip"):
        source = tmp_path / "kaputt.zip"
        _rezip(backup, source, change="daten/wurzen.gpkg" if damage == "zip-byte" else None,
               drop="daten/versions/wurzen" if damage == "zip-byte" else "daten/pool.gpkg")
    elif damage == "manifest":
        (backup / "manifest.json").write_text("{kaputt", encoding="utf-8")
    elif damage == "extra":
        (backup / "daten" / "eingeschmuggelt.gpkg").write_bytes(b"x")
    else:
        source = REPO / "data" / "valuation"
    before, before_state = fingerprint(store._dir), snapshot(store)
    with pytest.raises(DataError, match="wird nicht eingespielt") as refused:
        backups.restore(source, store, replace=True)
    assert "Es wurde nichts verändert" in str(refused.value)
    assert fingerprint(store._dir) == before and snapshot(store) == before_state
    empty = GeoPackageStore(tmp_path / "leer")
    with pytest.raises(DataError):
        backups.restore(source, empty)
    assert not (tmp_path / "leer").exists() or not any((tmp_path / "leer").iterdir())


def test_a_backup_whose_content_does_not_match_its_manifest_is_refused(demo_store, tmp_path):
    backups.backup(demo_store, tmp_path / "s")
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))
    manifest["kennzahlen"]["free_points"] += 1
    (tmp_path / "s" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DataError, match="passt nicht zum Manifest"):
        backups.restore(tmp_path / "s", GeoPackageStore(tmp_path / "neu"))


def test_a_store_with_data_is_replaced_only_when_asked(changed_target):
    backup, store = changed_target
    changed = snapshot(store)
    with pytest.raises(StoreError, match="--ersetzen"):
        backups.restore(backup, store)
    assert snapshot(store) == changed
    backups.restore(backup, store, replace=True)
    assert "WUR-NEU-1" not in set(store.read_layer(schema.POOL_AREAS)["pool_id"])
    assert audit.verify(store).ok
    assert len(store.list_versions()) == len(GeoPackageStore(backup / "daten").list_versions())


def test_a_backup_never_overwrites_its_target(demo_store, tmp_path):
    (tmp_path / "da.zip").write_bytes(b"alt")
    with pytest.raises(DataError, match="überschreibt nichts"):
        backups.backup(demo_store, tmp_path / "da.zip")
    assert (tmp_path / "da.zip").read_bytes() == b"alt"


def test_the_command_line_backs_up_and_restores_in_german(demo_dir, tmp_path):
    done = geo("--daten", str(demo_dir), "backup", str(tmp_path / "s.zip"))
    assert done.returncode == 0, done.stderr
    assert "Sicherung geschrieben" in done.stdout and "keine Befunde" in done.stdout
    refused = geo("restore", str(tmp_path / "s.zip"), "--nach", str(demo_dir))
    assert refused.returncode == 1 and "--ersetzen" in refused.stderr
    restored = geo("restore", str(tmp_path / "s.zip"), "--nach", str(tmp_path / "neu"))
    assert restored.returncode == 0, restored.stderr
    assert "Prüfung (verify): keine Befunde" in restored.stdout
    for done in (refused, restored):
        assert_german(done)


def test_the_app_version_is_the_projects():
    assert f'version = "{__version__}"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_postgis_backup_is_consistent_when_a_write_comes_in_between(postgis_store, tmp_path, monkeypatch):
    """A write between the reads makes the copy read again (the data version changed)."""
    calls = {"n": 0}
    original = PostGISStore.read_all

    def read_all_and_write_once(self):
        data = original(self)
        if calls["n"] == 0:
            put_layer(self, WURZEN, schema.POOL_AREAS, pool_frame([
                {"pool_id": "WUR-NEU-2", "value_points": 10.0, "geometry": square(341000, 5693000, 50)}]))
        calls["n"] += 1
        return data

    monkeypatch.setattr(PostGISStore, "read_all", read_all_and_write_once)
    manifest = backups.backup(postgis_store, tmp_path / "s")
    monkeypatch.undo()
    assert calls["n"] == 2, "the reads were repeated after the write"
    live = audit.verify(postgis_store)
    assert (manifest["pruefung_ok"], manifest["kettenende_aenderungen"]) == (live.ok, live.history_head)
    assert manifest["anzahl"][schema.POOL_AREAS] == len(postgis_store.read_layer(schema.POOL_AREAS))
