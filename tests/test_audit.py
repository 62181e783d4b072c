"""``verify`` finds what was changed behind the store's back, and passes on what the store wrote."""

from __future__ import annotations

import dataclasses
import sqlite3

import pandas as pd
import pyogrio
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import audit, booking
from geo.store import history_entry
from tests.storetools import put_layer

WURZEN = "14729410"
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)


def _messages(store) -> list[str]:
    return [f.message for f in audit.verify(store).findings]


def _sql(demo_dir, statement: str, *args) -> None:
    with sqlite3.connect(demo_dir / "pool.gpkg") as db:
        db.execute(statement, args)


def test_the_demo_store_verifies(demo_store):
    report = audit.verify(demo_store)
    assert report.ok, report.lines()
    assert report.ledger_rows == len(demo_store.read_allocations()) and len(report.ledger_head) == 64
    assert report.lines()[-3].startswith("Kettenende Buchungen: ")


def test_a_booking_a_cancellation_and_a_publish_still_verify(demo_store):
    booked = booking.book(demo_store, WURZEN_GIS, pool_id="WUR-2018-001", intervention_id="BPL-WUR-01",
                          points=1000, kind="reserviert")
    booking.cancel(demo_store, WURZEN_GIS, allocation_id=booked["allocation_id"].iloc[0])
    pool = demo_store.read_layer(schema.POOL_AREAS, [WURZEN])
    put_layer(demo_store, WURZEN, schema.POOL_AREAS, pool.assign(notes="geprüft"))
    assert audit.verify(demo_store).ok


def test_an_edited_ledger_row_is_reported(demo_store, demo_dir):
    target = demo_store.read_allocations()["allocation_id"].iloc[5]
    _sql(demo_dir, "UPDATE allocations SET points = points + 1000 WHERE allocation_id = ?", target)
    found = _messages(demo_store)
    assert any(m.startswith(f"Buchung {target} (Zeile 6): Prüfwert passt nicht") for m in found), found


def test_a_deleted_ledger_row_is_reported(demo_store, demo_dir):
    ledger = demo_store.read_allocations()
    _sql(demo_dir, "DELETE FROM allocations WHERE allocation_id = ?", ledger["allocation_id"].iloc[10])
    found = _messages(demo_store)
    assert any(m.startswith(f"Buchung {ledger['allocation_id'].iloc[11]} (Zeile 11)") for m in found), found
    assert any("Die Historie verzeichnet 127 Buchungszeilen, das Journal enthält 126" in m for m in found)


def test_the_last_ledger_row_deleted_is_reported_by_the_history(demo_store, demo_dir):
    last = demo_store.read_allocations()["allocation_id"].iloc[-1]
    _sql(demo_dir, "DELETE FROM allocations WHERE allocation_id = ?", last)
    assert any("Zeilen fehlen" in m for m in _messages(demo_store))


def test_an_edited_history_row_is_reported(demo_store, demo_dir):
    _sql(demo_dir, "UPDATE history SET user = 'jemand' WHERE change_id = 'C-000003'")
    assert any(m.startswith("Änderung C-000003 (Zeile 3)") for m in _messages(demo_store))


def test_a_layer_changed_behind_the_stores_back_is_reported(demo_store, demo_dir):
    pool = demo_store.read_layer(schema.POOL_AREAS, [WURZEN])
    pool.loc[0, "value_points"] = pool.loc[0, "value_points"] * 2
    pyogrio.write_dataframe(schema.dates_as_text(pool), demo_dir / "wurzen.gpkg", layer=schema.POOL_AREAS,
                            promote_to_multi=True)
    assert any(m.startswith("Poolflächen Wurzen: der gespeicherte Stand passt nicht zur Prüfsumme")
               for m in _messages(demo_store))


def test_a_missing_earlier_version_is_reported(demo_store, demo_dir):
    lost = demo_dir / "versions" / "wurzen" / "C-000003-pool_areas.gpkg"
    lost.unlink()
    assert "Änderung C-000003 (Poolflächen Wurzen): der frühere Stand fehlt, sie lässt sich nicht zurücknehmen." \
        in _messages(demo_store)


def _with_ledger(store, rows: pd.DataFrame):
    """The store rewritten with *rows* appended to its ledger as one booking change (resealed)."""
    data = store.read_all()
    number = len(data.history) + 1
    change_id = f"C-{number:06d}"
    history = pd.concat([data.history, history_entry(user="x", layer=schema.ALLOCATIONS, action="booking",
                                                     added=len(rows)).assign(change_id=change_id)],
                        ignore_index=True).assign(hash=None)
    ledger = pd.concat([data.allocations, rows.assign(change_id=change_id)], ignore_index=True).assign(hash=None)
    store.replace_all(dataclasses.replace(data, allocations=ledger, history=history),
                      versions={ref: store.read_version(*ref) for ref in store.list_versions()},
                      valuation=store.read_valuation_sources())


def _entry(**fields) -> pd.DataFrame:
    base = {"allocation_id": "B-2026-90001", "intervention_id": "BPL-WUR-01", "pool_id": "BEN-2024-016",
            "kind": "reserviert", "points": 10.0, "date": "2026-11-29", "booked_by": "x", "notes": "",
            "reverses": None, "created_at": "2026-11-29T10:00:00"}
    return pd.DataFrame([{**base, **fields}])


def test_an_overdrawn_area_is_reported_even_with_an_intact_chain(demo_store):
    _with_ledger(demo_store, _entry(points=50_000_000.0))
    found = _messages(demo_store)
    assert any(m.startswith("Fläche BEN-2024-016 ist überbucht") for m in found), found


def test_a_reversal_of_nothing_and_a_double_reversal_are_reported(demo_store):
    first = demo_store.read_allocations().query("points > 0 and reverses.isna()", engine="python").iloc[0]
    _with_ledger(demo_store, pd.concat([
        _entry(allocation_id="B-2026-90001", points=-5.0, reverses="B-0000-00000"),
        _entry(allocation_id="B-2026-90002", pool_id=first["pool_id"], intervention_id=first["intervention_id"],
               kind=first["kind"], points=-first["points"], reverses=first["allocation_id"]),
        _entry(allocation_id="B-2026-90003", pool_id=first["pool_id"], intervention_id=first["intervention_id"],
               kind=first["kind"], points=-first["points"], reverses=first["allocation_id"]),
    ], ignore_index=True))
    found = _messages(demo_store)
    assert "Storno B-2026-90001 nennt B-0000-00000, das es davor nicht gibt." in found
    assert f"{first['allocation_id']} ist mehr als einmal storniert." in found


@pytest.mark.parametrize("status", ["gesperrt", "geplant"])
def test_a_booking_on_an_area_withdrawn_at_the_time_is_reported(status, demo_store):
    """Withdrawn at the booking, available again today: judged by the layer as it was then."""
    pool = demo_store.read_layer(schema.POOL_AREAS, [WURZEN])
    free = pool.loc[pool["status"] == "verfügbar", "pool_id"].iloc[0]
    put_layer(demo_store, WURZEN, schema.POOL_AREAS, pool.assign(
        status=pool["status"].mask(pool["pool_id"] == free, status)))
    _with_ledger(demo_store, _entry(pool_id=free))
    put_layer(demo_store, WURZEN, schema.POOL_AREAS, pool)  # back to available afterwards
    found = _messages(demo_store)
    assert f"Buchung B-2026-90001: die Fläche {free} war zur Buchungszeit „{status}“ und durfte nicht gebucht " \
           "werden." in found
