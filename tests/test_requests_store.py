"""Requests through the store, on both backends: one transaction each, refusals write nothing, races."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import audit, consent, requests, summary
from geo.errors import FlaechenpoolError, PermissionDenied, RequestError
from geo.store import Change, Store, history_entry, open_location
from tests.conftest import LEIPZIG, WURZEN
from tests.storetools import snapshot

LEIPZIG_GIS = User("leipzig.gis", "gis", LEIPZIG)
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)


def _pick(store: Store) -> tuple[str, str]:
    """A Leipzig intervention in procedure and a Wurzen area, both with room for 50.000 WP."""
    view = summary.pool_view(store.read_all())
    itv, pool = view.interventions, view.pool_areas
    target = itv[(itv["ags"] == LEIPZIG) & (itv["status"] == "im Verfahren") & (itv["open_points"] > 60_000)]
    area = pool[(pool["ags"] == WURZEN) & (pool["free_points"] > 60_000)]
    return str(target["intervention_id"].iloc[0]), str(area["pool_id"].iloc[0])


def _ask(store: Store, points: float = 50_000) -> str:
    intervention_id, pool_id = _pick(store)
    change = consent.ask(store, LEIPZIG_GIS, intervention_id=intervention_id, pool_id=pool_id, points=points,
                         kind="reserviert", message="Für die Ortsumgehung")
    return str(change.requests["request_id"].iloc[0])


def test_a_request_and_its_approval_are_each_one_change_with_their_notification(any_store):
    before = any_store.read_all()
    request_id = _ask(any_store)
    asked = any_store.read_all()
    assert len(asked.requests) == 1 and len(asked.history) == len(before.history) + 1
    assert asked.history["action"].iloc[-1] == "request" and len(asked.allocations) == len(before.allocations)
    assert asked.outbox["recipient_ags"].tolist() == [WURZEN]

    change = consent.approve(any_store, WURZEN_GIS, request_id=request_id, points=40_000, condition="Pflege 25 Jahre")
    after = any_store.read_all()
    entry = after.allocations.iloc[-1]
    event = after.requests.iloc[-1]
    assert (entry["points"], entry["kind"], entry["booked_by"]) == (40_000, "reserviert", "wurzen.gis")
    assert event["event"] == "zugesagt" and event["allocation_id"] == entry["allocation_id"]
    assert entry["change_id"] == event["change_id"] == after.history["change_id"].iloc[-1]
    assert change.ledger["hash"].iloc[0] == entry["hash"]
    assert after.outbox["recipient_ags"].tolist() == [WURZEN, LEIPZIG]
    assert requests.one(after.requests, request_id, dt.datetime.now())["state"] == "zugesagt"
    assert audit.verify(any_store).ok, audit.verify(any_store).lines()


def test_a_refused_approval_writes_nothing(any_store):
    request_id = _ask(any_store)
    before = snapshot(any_store), any_store.read_all().requests.to_csv()
    with pytest.raises(PermissionDenied):
        consent.approve(any_store, LEIPZIG_GIS, request_id=request_id)
    with pytest.raises(RequestError, match="höchstens so viel"):
        consent.approve(any_store, WURZEN_GIS, request_id=request_id, points=60_000)
    assert (snapshot(any_store), any_store.read_all().requests.to_csv()) == before


def test_decline_and_withdrawal_are_stored_and_end_the_request(any_store):
    first, second = _ask(any_store, 10_000), _ask(any_store, 10_000)
    consent.decline(any_store, WURZEN_GIS, request_id=first, reason="Fläche ist für Wurzen vorgesehen")
    consent.withdraw(any_store, LEIPZIG_GIS, request_id=second)
    states = requests.overview(any_store.read_all().requests, dt.datetime.now()).set_index("request_id")["state"]
    assert states.to_dict() == {first: "abgelehnt", second: "zurückgezogen"}
    with pytest.raises(RequestError, match="ist „abgelehnt“"):
        consent.approve(any_store, WURZEN_GIS, request_id=first)


def test_outbox_delivery_is_recorded(any_store):
    _ask(any_store)
    notification_id = any_store.read_all().outbox["notification_id"].iloc[0]
    any_store.record_delivery(notification_id, sent_at=None, error="SMTP nicht erreichbar")
    any_store.record_delivery(notification_id, sent_at="2026-11-02T10:00:00", error=None)
    row = any_store.read_all().outbox.iloc[0]
    assert (row["sent_at"], row["error"]) == ("2026-11-02T10:00:00", None)


def test_two_approvals_racing_for_the_same_request_exactly_one_wins(any_store):
    request_id = _ask(any_store)
    on_gpkg = any_store.key.startswith("gpkg:")
    location = any_store.key.removeprefix("gpkg:") if on_gpkg else os.environ["FLAECHENPOOL_DATABASE_URL"]
    barrier, outcomes = threading.Barrier(2), []

    def approve() -> None:
        store = open_location(location)
        barrier.wait(timeout=60)
        try:
            consent.approve(store, WURZEN_GIS, request_id=request_id)
            outcomes.append("ok")
        except FlaechenpoolError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcomes.count("ok") == 1, outcomes
    assert any("ist „zugesagt“" in o for o in outcomes)
    data = any_store.read_all()
    assert (data.requests["event"] == "zugesagt").sum() == 1
    assert data.allocations["notes"].str.contains(request_id).sum() == 1
    assert audit.verify(any_store).ok


def test_the_database_refuses_a_second_decision_written_past_the_rules(postgis_store):
    """Belt and braces: rows that bypass the rules still cannot decide a request twice (unique index)."""
    request_id = _ask(postgis_store)
    consent.withdraw(postgis_store, LEIPZIG_GIS, request_id=request_id)
    second = postgis_store.read_all().requests.tail(1).assign(event_id=f"{request_id}-3", change_id=None, hash=None)
    history = history_entry(user="test", layer=schema.REQUEST_EVENTS, action="request")
    with pytest.raises(FlaechenpoolError, match="schon vergeben"):
        postgis_store.transact(lambda state: Change(state.allocations.iloc[:0], history, second,
                                                    schema.empty_table(schema.OUTBOX)))
