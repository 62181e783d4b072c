"""Structured logs: one JSON line per write with who, what, counts and duration, never owners' names."""

from __future__ import annotations

import json
import logging

import pytest

from geo import logs, schema
from geo.access.permissions import User
from geo.accounting import booking
from geo.store.gpkg import GeoPackageStore
from tests.conftest import WURZEN
from tests.storetools import put_layer


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    path = tmp_path / "flaechenpool.log"
    monkeypatch.setenv(logs.LOG_ENV, str(path))
    root = logging.getLogger()
    earlier = [h for h in root.handlers if getattr(h, logs._MARK, False)]  # an AppTest of app.py configured them
    for handler in earlier:
        root.removeHandler(handler)
    handler = logs.configure(default=None)
    assert handler is not None and logs.configure() is handler  # once per process
    yield path
    root.removeHandler(handler)
    handler.close()
    for handler in earlier:
        root.addHandler(handler)


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_write_is_one_json_line_without_personal_data(demo_dir, log_file):
    store = GeoPackageStore(demo_dir)
    pool = store.read_layer(schema.POOL_AREAS, [WURZEN])
    owners = {str(o) for o in pool["owner"].dropna() if str(o).strip()}
    assert owners
    put_layer(store, WURZEN, schema.POOL_AREAS, pool)
    writes = [entry for entry in lines(log_file) if entry.get("event") == "write"]
    assert len(writes) == 1
    entry = writes[0]
    assert entry["user"] == "test" and entry["kind"] == "upload" and entry["ags"] == WURZEN
    assert entry["features"] == len(pool) and entry["duration_ms"] >= 0 and entry["store"] == "gpkg"
    assert entry["ts"].endswith(("+01:00", "+02:00"))
    text = log_file.read_text(encoding="utf-8")
    assert not [owner for owner in owners if owner in text]


def test_a_booking_logs_its_rows_and_points(demo_dir, log_file):
    store = GeoPackageStore(demo_dir)
    booking.book(store, User("wurzen.gis", "gis", WURZEN), pool_id="WUR-2018-008", intervention_id="GEW-WUR-01",
                 points=1500.0, kind="reserviert")
    entry = [e for e in lines(log_file) if e.get("event") == "write"][-1]
    assert entry["ledger_rows"] == 1 and entry["points"] == 1500.0 and entry["user"] == "wurzen.gis"
    assert entry["action"] == "Buchung" and entry["kind"] == "booking" and entry["change_id"].startswith("C-")
