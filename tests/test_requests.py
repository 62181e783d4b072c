"""Requests across borders: states, expiry with an injected clock, approval under the ledger rules, permissions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import ledger, requests
from geo.errors import BookingError, PermissionDenied, RequestError
from tests.conftest import LEIPZIG, MACHERN, WURZEN, intervention_frame, pool_frame, square

NOW = dt.datetime(2026, 11, 2, 9, 30)
POOL = pool_frame([
    {"pool_id": "W1", "geometry": square(0, 0, 100), "value_points": 1_000.0},
    {"pool_id": "L1", "geometry": square(200, 0, 100), "value_points": 500.0, "ags": LEIPZIG},
])
ITV = intervention_frame([
    {"intervention_id": "EL", "geometry": square(0, 500, 50), "demand_points": 900.0, "ags": LEIPZIG},
    {"intervention_id": "EL2", "geometry": square(0, 600, 50), "demand_points": 900.0, "ags": LEIPZIG},
    {"intervention_id": "EW", "geometry": square(0, 700, 50), "demand_points": 800.0},
])
LEIPZIG_GIS = User("leipzig.gis", "gis", LEIPZIG)
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)
MACHERN_GIS = User("machern.gis", "gis", MACHERN)
ADMIN = User("admin", "admin")


class Pool:
    """A tiny pool with its ledger and request events, growing by the plans' rows."""

    def __init__(self) -> None:
        self.ledger = ledger.empty_ledger()
        self.events = schema.empty_table(schema.REQUEST_EVENTS)

    def ask(self, points: float = 600.0, *, user: User = LEIPZIG_GIS, pool_id: str = "W1", intervention_id: str = "EL",
            now: dt.datetime = NOW, message: str = "Bitte um Zusage") -> str:
        event = requests.plan_request(POOL, ITV, self.ledger, self.events, user=user, intervention_id=intervention_id,
                                      pool_id=pool_id, points=points, kind="zugeordnet", message=message, now=now)
        self.events = pd.concat([self.events, event], ignore_index=True)
        return str(event["request_id"].iloc[0])

    def approve(self, request_id: str, *, user: User = WURZEN_GIS, now: dt.datetime = NOW, **kw) -> pd.DataFrame:
        event, rows = requests.plan_approval(POOL, ITV, self.ledger, self.events, user=user, request_id=request_id,
                                             now=now, **kw)
        self.events = pd.concat([self.events, event], ignore_index=True)
        self.ledger = pd.concat([self.ledger, rows], ignore_index=True)
        return rows

    def state(self, request_id: str, now: dt.datetime = NOW) -> str:
        return str(requests.one(self.events, request_id, now)["state"])


def test_a_request_is_open_names_both_parties_and_takes_its_points_out_of_the_free_ones():
    pool = Pool()
    request_id = pool.ask(600)
    assert request_id == "A-2026-00001"
    row = requests.one(pool.events, request_id, NOW)
    assert (row["state"], row["from_ags"], row["to_ags"], row["points"]) == ("offen", LEIPZIG, WURZEN, 600)
    assert row["expires"] == pd.Timestamp(2026, 12, 2) and row["message"] == "Bitte um Zusage"
    free = ledger.enrich_pool(POOL, pool.ledger, requests.pending(pool.events, NOW)).set_index("pool_id")
    assert (free.loc["W1", "requested_points"], free.loc["W1", "free_points"], free.loc["W1", "status"]) == (
        600, 400, "verfügbar")


def test_requested_points_are_not_free_to_others():
    pool = Pool()
    pool.ask(600)
    with pytest.raises(BookingError, match=r"W1 hat nur noch 400\sWP frei \(600\sWP sind angefragt\)"):
        pool.ask(500, intervention_id="EL2")
    with pytest.raises(BookingError, match=r"W1 hat nur noch 400\sWP frei"):
        ledger.plan_booking(POOL, ITV, pool.ledger, pool_id="W1", intervention_id="EW", points=401,
                            kind="zugeordnet", user="wurzen.gis", pending=requests.pending(pool.events, NOW))
    with pytest.raises(BookingError, match=r"EL braucht nur noch 300\sWP \(weitere 600\sWP sind angefragt\)"):
        pool.ask(301, pool_id="W1", intervention_id="EL")


def test_within_the_own_municipality_there_is_no_request_and_only_its_staff_ask():
    with pytest.raises(RequestError, match="innerhalb der eigenen Gemeinde wird direkt gebucht"):
        Pool().ask(100, pool_id="L1")
    with pytest.raises(PermissionDenied, match="Wertpunkte anfragen für Leipzig"):
        Pool().ask(100, user=MACHERN_GIS)


def test_a_request_expires_after_its_period_on_the_clock_of_the_reader():
    pool = Pool()
    request_id = pool.ask(600)
    last_day = NOW + dt.timedelta(days=30)
    assert pool.state(request_id, last_day.replace(hour=23, minute=59)) == "offen"
    day_after = NOW + dt.timedelta(days=31)
    assert pool.state(request_id, day_after) == "abgelaufen"
    assert requests.pending(pool.events, day_after).empty
    with pytest.raises(RequestError, match="ist „abgelaufen“"):
        pool.approve(request_id, now=day_after)
    assert requests.one(pool.events, request_id, day_after)["age_days"] == 31


def test_an_approval_for_fewer_points_with_a_condition_books_exactly_that():
    pool = Pool()
    request_id = pool.ask(600)
    rows = pool.approve(request_id, points=450, condition="Pflege durch Wurzen")
    assert len(rows) == 1
    entry = rows.iloc[0]
    assert (entry["pool_id"], entry["intervention_id"], entry["kind"], entry["points"], entry["booked_by"]) == (
        "W1", "EL", "zugeordnet", 450, "wurzen.gis")
    assert "Anfrage A-2026-00001 von leipzig.gis; Auflage: Pflege durch Wurzen" in entry["notes"]
    state = requests.one(pool.events, request_id, NOW)
    assert (state["state"], state["granted_points"], state["answer"], state["allocation_id"]) == (
        "zugesagt", 450, "Pflege durch Wurzen", entry["allocation_id"])
    assert requests.pending(pool.events, NOW).empty
    assert ledger.enrich_pool(POOL, pool.ledger).set_index("pool_id").loc["W1", "free_points"] == 550


def test_an_approval_is_judged_by_the_ledger_rules_at_that_moment():
    pool = Pool()
    request_id = pool.ask(600)
    withdrawn = POOL.assign(status=POOL["status"].where(POOL["pool_id"] != "W1", "gesperrt"))
    with pytest.raises(BookingError, match="W1 ist „gesperrt“"):
        requests.plan_approval(withdrawn, ITV, pool.ledger, pool.events, user=WURZEN_GIS, request_id=request_id,
                               now=NOW)
    with pytest.raises(RequestError, match=r"höchstens so viel, nicht 601\sWP"):
        pool.approve(request_id, points=601)


def test_only_the_area_municipality_decides_and_only_the_requester_withdraws():
    pool = Pool()
    request_id = pool.ask(600)
    with pytest.raises(PermissionDenied, match="Anfrage zusagen für Wurzen"):
        pool.approve(request_id, user=LEIPZIG_GIS)
    with pytest.raises(PermissionDenied, match="Anfrage ablehnen für Wurzen"):
        requests.plan_decline(pool.events, user=MACHERN_GIS, request_id=request_id, now=NOW, reason="nein")
    with pytest.raises(PermissionDenied, match="Anfrage zurückziehen für Leipzig"):
        requests.plan_withdrawal(pool.events, user=WURZEN_GIS, request_id=request_id, now=NOW)
    with pytest.raises(RequestError, match="Grund"):
        requests.plan_decline(pool.events, user=WURZEN_GIS, request_id=request_id, now=NOW, reason="  ")
    assert len(pool.approve(request_id, user=ADMIN)) == 1


@pytest.mark.parametrize("final", ["abgelehnt", "zurückgezogen"])
def test_a_decided_request_takes_no_further_step(final):
    pool = Pool()
    request_id = pool.ask(600)
    if final == "abgelehnt":
        event = requests.plan_decline(pool.events, user=WURZEN_GIS, request_id=request_id, now=NOW,
                                      reason="Fläche für eigene Vorhaben vorgesehen")
    else:
        event = requests.plan_withdrawal(pool.events, user=LEIPZIG_GIS, request_id=request_id, now=NOW)
    pool.events = pd.concat([pool.events, event], ignore_index=True)
    assert pool.state(request_id) == final
    with pytest.raises(RequestError, match=f"ist „{final}“"):
        pool.approve(request_id)
    assert requests.pending(pool.events, NOW).empty


def test_notifications_go_to_the_other_party():
    pool = Pool()
    request_id = pool.ask(600)
    asked = requests.notification(pool.events.tail(1)).iloc[0]
    assert asked["recipient_ags"] == WURZEN and asked["notification_id"] == "N-A-2026-00001-1"
    assert asked["subject"] == "Neue Anfrage A-2026-00001: 600\u00a0WP aus W1 für EL"
    assert "Bitte bis 02.12.2026" in asked["body"] and "Von: Leipzig (leipzig.gis)" in asked["body"]
    pool.approve(request_id, condition="Pflege")
    approved = requests.notification(pool.events.tail(1)).iloc[0]
    assert approved["recipient_ags"] == LEIPZIG and "Auflage: Pflege" in approved["body"]


def test_the_inbox_splits_to_and_from_a_municipality():
    pool = Pool()
    pool.ask(300)
    pool.ask(200, intervention_id="EL2")
    to_wurzen, from_wurzen = requests.inbox(pool.events, WURZEN, NOW)
    assert list(to_wurzen["request_id"]) == ["A-2026-00002", "A-2026-00001"] and from_wurzen.empty
    assert requests.inbox(pool.events, LEIPZIG, NOW)[1]["request_id"].tolist() == ["A-2026-00002", "A-2026-00001"]
