"""Hypothesis: requests and bookings together never overdraw an area, nor book points others asked for.

A state machine asks for points across the border, approves (sometimes for fewer points),
declines, withdraws, books directly, cancels, lets time pass and withdraws areas. Refused
steps must raise :class:`BookingError` (or :class:`PermissionDenied`) and change nothing.
After every step: booked plus openly requested points stay within every area's value, each
approval has exactly its ledger entry for no more than was asked, and nothing was approved
after its request expired.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from geo import schema
from geo.access.permissions import User
from geo.accounting import ledger, requests
from geo.errors import BookingError, PermissionDenied
from tests.conftest import LEIPZIG, WURZEN, intervention_frame, pool_frame, square

START = dt.datetime(2026, 1, 5, 8, 0)
POOL_IDS = ("W1", "W2", "L1")
ITV_IDS = ("EL", "EW")
USERS = {"leipzig": User("leipzig.gis", "gis", LEIPZIG), "wurzen": User("wurzen.gis", "gis", WURZEN),
         "admin": User("admin", "admin")}
POINTS = st.integers(min_value=-10, max_value=1_200).map(float)


class RequestMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.pool = pool_frame([
            {"pool_id": "W1", "geometry": square(0, 0, 100), "value_points": 1_000.0},
            {"pool_id": "W2", "geometry": square(200, 0, 100), "value_points": 400.0},
            {"pool_id": "L1", "geometry": square(400, 0, 100), "value_points": 700.0, "ags": LEIPZIG},
        ])
        self.itv = intervention_frame([
            {"intervention_id": "EL", "geometry": square(0, 500, 50), "demand_points": 1_500.0, "ags": LEIPZIG,
             "status": "im Verfahren"},
            {"intervention_id": "EW", "geometry": square(0, 700, 50), "demand_points": 900.0},
        ])
        self.entries = ledger.empty_ledger()
        self.events = schema.empty_table(schema.REQUEST_EVENTS)
        self.now = START

    def _apply(self, plan) -> None:
        before = self.entries.copy(), self.events.copy()
        try:
            events, rows = plan()
        except (BookingError, PermissionDenied):
            pd.testing.assert_frame_equal(self.entries, before[0])
            pd.testing.assert_frame_equal(self.events, before[1])
            return
        self.events = pd.concat([self.events, events], ignore_index=True)
        self.entries = pd.concat([self.entries, rows], ignore_index=True)

    def _request_id(self, pick: int) -> str | None:
        ids = self.events["request_id"].drop_duplicates()
        return str(ids.iloc[pick % len(ids)]) if len(ids) else None

    @rule(user=st.sampled_from(list(USERS)), pool_id=st.sampled_from(POOL_IDS),
          intervention_id=st.sampled_from(ITV_IDS), points=POINTS)
    def ask(self, user: str, pool_id: str, intervention_id: str, points: float) -> None:
        self._apply(lambda: (requests.plan_request(
            self.pool, self.itv, self.entries, self.events, user=USERS[user], intervention_id=intervention_id,
            pool_id=pool_id, points=points, kind="reserviert", now=self.now, days=10), ledger.empty_ledger()))

    @rule(user=st.sampled_from(list(USERS)), pick=st.integers(0, 20), share=st.sampled_from([None, 0.5, 1.0, 1.5]))
    def approve(self, user: str, pick: int, share: float | None) -> None:
        request_id = self._request_id(pick)
        if request_id is None:
            return
        asked = float(self.events.loc[self.events["request_id"] == request_id, "points"].iloc[0])
        self._apply(lambda: requests.plan_approval(
            self.pool, self.itv, self.entries, self.events, user=USERS[user], request_id=request_id, now=self.now,
            points=None if share is None else asked * share, condition="Auflage"))

    @rule(user=st.sampled_from(list(USERS)), pick=st.integers(0, 20), decline=st.booleans())
    def decide_otherwise(self, user: str, pick: int, decline: bool) -> None:
        request_id = self._request_id(pick)
        if request_id is None:
            return
        if decline:
            self._apply(lambda: (requests.plan_decline(self.events, user=USERS[user], request_id=request_id,
                                                       now=self.now, reason="nein"), ledger.empty_ledger()))
        else:
            self._apply(lambda: (requests.plan_withdrawal(self.events, user=USERS[user], request_id=request_id,
                                                          now=self.now), ledger.empty_ledger()))

    @rule(pool_id=st.sampled_from(POOL_IDS), intervention_id=st.sampled_from(ITV_IDS), points=POINTS)
    def book_directly(self, pool_id: str, intervention_id: str, points: float) -> None:
        self._apply(lambda: (schema.empty_table(schema.REQUEST_EVENTS), ledger.plan_booking(
            self.pool, self.itv, self.entries, pool_id=pool_id, intervention_id=intervention_id, points=points,
            kind="reserviert", user="admin", on=self.now.date(), pending=requests.pending(self.events, self.now))))

    @rule(pick=st.integers(0, 40))
    def cancel(self, pick: int) -> None:
        if len(self.entries):
            allocation_id = self.entries["allocation_id"].iloc[pick % len(self.entries)]
            self._apply(lambda: (schema.empty_table(schema.REQUEST_EVENTS),
                                 ledger.plan_cancel(self.entries, allocation_id=allocation_id, user="admin")))

    @rule(days=st.integers(1, 12))
    def time_passes(self, days: int) -> None:
        self.now += dt.timedelta(days=days)

    @rule(pool_id=st.sampled_from(POOL_IDS), status=st.sampled_from(["verfügbar", "gesperrt"]))
    def set_area_status(self, pool_id: str, status: str) -> None:
        self.pool.loc[self.pool["pool_id"] == pool_id, "status"] = status

    @invariant()
    def booked_and_requested_points_stay_within_the_value(self) -> None:
        booked = self.entries.groupby("pool_id")["points"].sum().reindex(list(POOL_IDS), fill_value=0.0)
        asked = requests.pending(self.events, self.now).groupby("pool_id")["points"].sum()
        asked = asked.reindex(list(POOL_IDS), fill_value=0.0)
        values = self.pool.set_index("pool_id")["value_points"]
        assert (booked <= values + ledger.EPS).all()
        assert (booked + asked <= values + ledger.EPS).all()
        enriched = ledger.enrich_pool(self.pool, self.entries, requests.pending(self.events, self.now))
        assert (enriched["free_points"] >= 0).all()

    @invariant()
    def every_approval_has_exactly_its_entry_and_was_in_time(self) -> None:
        overview = requests.overview(self.events, self.now)
        approved = overview[overview["state"] == "zugesagt"]
        assert approved["allocation_id"].is_unique
        entries = self.entries.set_index("allocation_id")
        for _, row in approved.iterrows():
            entry = entries.loc[row["allocation_id"]]
            assert entry["pool_id"] == row["pool_id"] and entry["intervention_id"] == row["intervention_id"]
            assert entry["points"] == row["granted_points"] <= row["points"] + ledger.EPS
            assert row["decided_at"].date() <= row["expires"].date()
        assert (overview["from_ags"] != overview["to_ags"]).all()
        assert self.events.groupby("request_id").size().max() <= 2 if len(self.events) else True


RequestMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
TestRequestProperties = RequestMachine.TestCase
