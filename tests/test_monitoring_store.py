"""Monitoring records and their files go through the store on both backends and survive a restart,
a backup and a migration; refused writes leave nothing behind."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from geo import schema
from geo.access.permissions import User
from geo.errors import DataError, PermissionDenied, StoreError
from geo.monitoring import files, records
from geo.ops import backup as backups
from geo.store import open_location
from geo.store.gpkg import FILES_DB, GeoPackageStore
from geo.store.migrate import migrate
from tests.conftest import LEIPZIG, WURZEN
from tests.monitoringtools import PDF, photo
from tests.storetools import snapshot

WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)
LEIPZIG_GIS = User("leipzig.gis", "gis", LEIPZIG)
ADMIN = User("admin", "admin")
ON = dt.date(2026, 5, 4)


def _wurzen_area(store) -> str:
    pool = store.read_layer(schema.POOL_AREAS, [WURZEN])
    return str(pool["pool_id"].iloc[0])


def _reopen(store):
    """A new store object on the same data (what a restart of the app opens)."""
    return GeoPackageStore(store._dir) if isinstance(store, GeoPackageStore) else open_location(
        store._pool.conninfo)


def test_an_inspection_with_photos_is_stored_and_read_after_a_restart(any_store):
    pool_id = _wurzen_area(any_store)
    before = len(any_store.read_history())
    shots = [files.check("kontrolle-1.jpg", photo(color="red")), files.check("kontrolle-2.png", photo(fmt="PNG"))]
    change = records.record_inspection(any_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K. Lehmann",
                                       result="mit Mängeln", note="Zaun offen, Verbiss", attachments=shots)
    again = _reopen(any_store)
    stored = again.read_monitoring()
    inspection = stored.inspections.iloc[-1]
    assert (inspection["pool_id"], inspection["result"], inspection["inspector"]) == (pool_id, "mit Mängeln",
                                                                                       "K. Lehmann")
    assert stored.events.iloc[-1]["state"] == "Funktionskontrolle mit Mängeln"
    assert stored.events.iloc[-1]["inspection_id"] == inspection["inspection_id"]
    docs = stored.documents[stored.documents["target_id"] == inspection["inspection_id"]]
    assert list(docs["file_name"]) == ["kontrolle-1.jpg", "kontrolle-2.png"]
    assert list(docs["media_type"]) == ["image/jpeg", "image/png"]
    assert [again.read_file(sha) for sha in docs["sha256"]] == [s.content for s in shots]
    history = again.read_history()
    assert len(history) == before + 1 and history.iloc[-1]["action"] == "monitoring"
    assert set(change.documents["change_id"]) == {history.iloc[-1]["change_id"]}


def test_a_refused_inspection_writes_nothing(any_store):
    pool_id = _wurzen_area(any_store)
    before = snapshot(any_store), any_store.read_monitoring().inspections.to_csv(), any_store.read_files()
    with pytest.raises(PermissionDenied, match="Kontrolle erfassen für Wurzen"):
        records.record_inspection(any_store, LEIPZIG_GIS, pool_id=pool_id, on=ON, inspector="X", result="bestanden",
                                  attachments=[files.check("a.jpg", photo())])
    with pytest.raises(DataError, match="Mängeln bitte"):
        records.record_inspection(any_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="X", result="mit Mängeln")
    assert (snapshot(any_store), any_store.read_monitoring().inspections.to_csv(), any_store.read_files()) == before


def test_states_documents_and_lock(any_store):
    pool_id = _wurzen_area(any_store)
    records.record_state(any_store, WURZEN_GIS, pool_id=pool_id, state="in Umsetzung", on=ON)
    records.attach(any_store, WURZEN_GIS, target="pool_area", target_id=pool_id, kind="Pachtvertrag",
                   attachments=[files.check("pacht.pdf", PDF)])
    stored = any_store.read_monitoring()
    assert stored.events.iloc[-1][["pool_id", "state"]].tolist() == [pool_id, "in Umsetzung"]
    assert stored.documents.iloc[-1][["kind", "media_type", "user"]].tolist() == ["Pachtvertrag", "application/pdf",
                                                                                  "wurzen.gis"]
    ledger = any_store.read_allocations()
    with pytest.raises(PermissionDenied, match="nur die Administration"):
        records.lock_area(any_store, WURZEN_GIS, pool_id=pool_id, reason="Mängel")
    entry = records.lock_area(any_store, ADMIN, pool_id=pool_id, reason="Maßnahme nicht umgesetzt")
    pool = any_store.read_layer(schema.POOL_AREAS, [WURZEN]).set_index("pool_id")
    assert pool.at[pool_id, "status"] == "gesperrt"
    assert entry.iloc[0]["action"] == "lock"
    assert any_store.read_allocations().equals(ledger)
    assert (WURZEN, entry.iloc[0]["change_id"], schema.POOL_AREAS) in {tuple(r) for r in any_store.list_versions()}


def test_a_file_whose_hash_does_not_match_is_refused(any_store):
    stored = any_store.read_files()
    good = files.check("a.pdf", PDF)
    forged = files.Attachment("a.pdf", "application/pdf", PDF + b"x")
    with pytest.raises(StoreError, match="Prüfsumme"):
        any_store.record_monitoring(lambda data, stored: records.MonitoringChange(
            stored.events.iloc[:0], stored.inspections.iloc[:0], stored.documents.iloc[:0],
            records.history_entry(user="t", layer=schema.DOCUMENTS, action="monitoring"),
            {good.sha256: forged.content}))
    assert any_store.read_files() == stored


def test_migration_and_backup_carry_records_and_files(demo_store, postgis_empty_store, tmp_path: Path):
    pool_id = _wurzen_area(demo_store)
    shot = files.check("foto.jpg", photo())
    records.record_inspection(demo_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K", result="bestanden",
                              attachments=[shot])
    lines = migrate(demo_store, postgis_empty_store)
    assert any("Dateien zu Dokumenten: " in line for line in lines)
    assert postgis_empty_store.read_file(shot.sha256) == shot.content
    back = GeoPackageStore(tmp_path / "zurueck")
    migrate(postgis_empty_store, back)
    assert back.read_monitoring().inspections.iloc[-1]["pool_id"] == pool_id
    assert back.read_file(shot.sha256) == shot.content


def test_files_of_a_write_that_died_before_its_commit_are_removed(demo_store, monkeypatch):
    pool_id = _wurzen_area(demo_store)
    shot = files.check("foto.jpg", photo())
    stored, checks = demo_store.read_files(), len(demo_store.read_monitoring().inspections)

    def die(staged):
        raise KeyboardInterrupt  # the process is killed between the file insert and the commit

    monkeypatch.setattr(demo_store, "_commit", die)
    with pytest.raises(KeyboardInterrupt):
        records.record_inspection(demo_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K", result="bestanden",
                                  attachments=[shot])
    monkeypatch.undo()
    with contextlib.closing(sqlite3.connect(demo_store._dir / FILES_DB)) as db:  # inserted before the commit point
        assert db.execute("SELECT count(*) FROM files WHERE sha256 = ?", [shot.sha256]).fetchone() == (1,)
    fresh = GeoPackageStore(demo_store._dir)
    assert len(fresh.read_monitoring().inspections) == checks  # not committed; the read recovered the store
    assert fresh.read_files() == stored


def test_documents_on_a_booking_and_who_may_open_them(demo_store):
    ledger = demo_store.read_allocations()
    booking = ledger[(ledger["intervention_id"] == "STR-LEI-05") & (ledger["pool_id"] == "LOS-2018-011")]
    allocation_id = str(booking["allocation_id"].iloc[0])
    lease = files.check("bescheid.pdf", PDF)
    with pytest.raises(PermissionDenied, match="Dokument hinzufügen für Lossatal"):
        records.attach(demo_store, WURZEN_GIS, target="allocation", target_id=allocation_id,
                       kind="Genehmigungsbescheid", attachments=[lease])
    records.attach(demo_store, LEIPZIG_GIS, target="allocation", target_id=allocation_id,
                   kind="Genehmigungsbescheid", attachments=[lease])  # the intervention's municipality may
    document = demo_store.read_monitoring().documents.iloc[-1]
    assert document[["target", "target_id", "pool_id", "ags", "user"]].tolist() == [
        "allocation", allocation_id, "LOS-2018-011", schema.municipality("lossatal").ags, "leipzig.gis"]
    pool = demo_store.read_layer(schema.POOL_AREAS)
    private = pool.assign(owner="Erika Mustermann", owner_type="privat")
    public = pool.assign(owner="Stadt", owner_type="öffentlich")
    lossatal_gis = User("lossatal.gis", "gis", schema.municipality("lossatal").ags)
    assert records.may_open(None, document, public) and records.may_open(lossatal_gis, document, private)
    assert not records.may_open(LEIPZIG_GIS, document, private)
    with pytest.raises(PermissionDenied, match="privaten Eigentümern"):
        records.open_document(demo_store, LEIPZIG_GIS, document, private)
    assert records.open_document(demo_store, ADMIN, document, private) == PDF
    photo_doc = demo_store.read_monitoring().documents.iloc[0]  # the demo's photo of the failed check
    assert photo_doc["kind"] == "Foto" and records.may_open(None, photo_doc, private)


def test_a_backup_restores_records_and_files(any_store, demo_dir, tmp_path: Path):
    pool_id = _wurzen_area(any_store)
    records.record_inspection(any_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K", result="bestanden",
                              attachments=[files.check("foto.jpg", photo(color="blue"))])
    stored, blobs = any_store.read_monitoring(), any_store.read_files()
    manifest = backups.backup(any_store, tmp_path / "sicherung.zip", users_file=demo_dir / "users.json")
    assert "daten/files.sqlite" in {f["pfad"] for f in manifest["dateien"]}
    empty = GeoPackageStore(tmp_path / "leer")
    backups.restore(tmp_path / "sicherung.zip", empty)
    for table, before, after in zip(schema.MONITORING_TABLES, stored, empty.read_monitoring(), strict=True):
        assert before.to_csv() == after.to_csv(), table
    assert empty.read_files() == blobs


def test_an_interventions_approval_notice_is_kept_by_its_municipality_only(any_store):
    """Documents on an intervention itself: no pool area, its municipality's GIS staff add them, they are
    read back after a restart, and only who may see that municipality's personal data opens them."""
    target = "STR-LEI-05"
    notice = files.check("genehmigung.pdf", PDF)
    before = snapshot(any_store)
    with pytest.raises(PermissionDenied, match="Dokument hinzufügen für Leipzig"):
        records.attach(any_store, WURZEN_GIS, target="intervention", target_id=target,
                       kind="Genehmigungsbescheid", attachments=[notice])
    with pytest.raises(DataError, match="Zu einem Eingriff gehören"):
        records.attach(any_store, LEIPZIG_GIS, target="intervention", target_id=target, kind="Pachtvertrag",
                       attachments=[notice])
    with pytest.raises(DataError, match="Den Eingriff „GIBT-ES-NICHT“ gibt es nicht"):
        records.attach(any_store, ADMIN, target="intervention", target_id="GIBT-ES-NICHT",
                       kind="Planunterlagen", attachments=[notice])
    assert snapshot(any_store) == before
    records.attach(any_store, LEIPZIG_GIS, target="intervention", target_id=target, kind="Genehmigungsbescheid",
                   attachments=[notice])
    document = _reopen(any_store).read_monitoring().documents.iloc[-1]
    assert document[["target", "target_id", "ags", "kind", "user"]].tolist() == [
        "intervention", target, LEIPZIG, "Genehmigungsbescheid", "leipzig.gis"]
    assert document["pool_id"] is None or document["pool_id"] != document["pool_id"]  # no area: missing
    pool = any_store.read_layer(schema.POOL_AREAS)
    assert records.may_open(LEIPZIG_GIS, document, pool) and records.may_open(ADMIN, document, pool)
    assert not records.may_open(None, document, pool) and not records.may_open(WURZEN_GIS, document, pool)
    assert records.open_document(_reopen(any_store), LEIPZIG_GIS, document, pool) == PDF
