"""Hypothesis: the ledger's invariants hold after any sequence of operations.

A state machine reserves, allocates, confirms and cancels on three pool areas and three
interventions, and now and then withdraws an area or approves an intervention (what an
upload does). Refused operations must raise :class:`BookingError` and change nothing;
after every step the ledger's sums, the derived free points and the statuses agree.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from geo.accounting import ledger
from geo.errors import BookingError
from tests.conftest import intervention_frame, pool_frame, square

POOL_IDS = ("P1", "P2", "P3")
ITV_IDS = ("E1", "E2", "E3")
POINTS = st.one_of(st.integers(min_value=-5, max_value=1_300).map(float),
                   st.floats(min_value=0.1, max_value=700.0), st.just(math.nan))


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.pool = pool_frame([
            {"pool_id": "P1", "geometry": square(0, 0, 100), "value_points": 1_000.0},
            {"pool_id": "P2", "geometry": square(200, 0, 100), "value_points": 450.5},
            {"pool_id": "P3", "geometry": square(400, 0, 100), "value_points": 800.0, "status": "geplant"},
        ])
        self.itv = intervention_frame([
            {"intervention_id": "E1", "geometry": square(0, 500, 50), "demand_points": 900.0},
            {"intervention_id": "E2", "geometry": square(0, 700, 50), "demand_points": 1_500.0,
             "status": "im Verfahren"},
            {"intervention_id": "E3", "geometry": square(0, 900, 50), "demand_points": 300.0, "status": "geplant"},
        ])
        self.entries = ledger.empty_ledger()

    def _apply(self, plan) -> None:
        before = self.entries.copy()
        try:
            rows = plan()
        except BookingError:
            pd.testing.assert_frame_equal(self.entries, before)
            return
        assert not set(rows["allocation_id"]) & set(self.entries["allocation_id"])
        self.entries = pd.concat([self.entries, rows], ignore_index=True)

    @rule(kind=st.sampled_from(["reserviert", "zugeordnet"]), pool_id=st.sampled_from(POOL_IDS),
          intervention_id=st.sampled_from(ITV_IDS), points=POINTS)
    def book(self, kind: ledger.BookingKind, pool_id: str, intervention_id: str, points: float) -> None:
        self._apply(lambda: ledger.plan_booking(self.pool, self.itv, self.entries, pool_id=pool_id,
                                                intervention_id=intervention_id, points=points, kind=kind,
                                                user="hyp"))

    @rule(pick=st.integers(min_value=0, max_value=40))
    def cancel(self, pick: int) -> None:
        if len(self.entries):
            allocation_id = self.entries["allocation_id"].iloc[pick % len(self.entries)]
            self._apply(lambda: ledger.plan_cancel(self.entries, allocation_id=allocation_id, user="hyp"))

    @rule(pick=st.integers(min_value=0, max_value=40))
    def confirm(self, pick: int) -> None:
        if len(self.entries):
            allocation_id = self.entries["allocation_id"].iloc[pick % len(self.entries)]
            self._apply(lambda: ledger.plan_confirm(self.pool, self.itv, self.entries, allocation_id=allocation_id,
                                                    user="hyp"))

    @rule(pool_id=st.sampled_from(POOL_IDS), status=st.sampled_from(["verfügbar", "gesperrt", "geplant"]))
    def set_area_status(self, pool_id: str, status: str) -> None:
        self.pool.loc[self.pool["pool_id"] == pool_id, "status"] = status

    @rule(intervention_id=st.sampled_from(ITV_IDS))
    def approve(self, intervention_id: str) -> None:
        self.itv.loc[self.itv["intervention_id"] == intervention_id, "status"] = "genehmigt"

    @invariant()
    def booked_points_stay_within_value_points(self) -> None:
        per_area = self.entries.groupby("pool_id")["points"].sum().reindex(list(POOL_IDS), fill_value=0.0)
        values = self.pool.set_index("pool_id")["value_points"]
        assert (per_area <= values + ledger.EPS).all()
        assert (per_area >= -ledger.EPS).all()

    @invariant()
    def ledger_sums_equal_the_derived_free_points(self) -> None:
        enriched = ledger.enrich_pool(self.pool, self.entries).set_index("pool_id")
        per_area = self.entries.groupby("pool_id")["points"].sum().reindex(enriched.index, fill_value=0.0)
        assert ((enriched["value_points"] - per_area - enriched["unbooked_points"]).abs() < 1e-6).all()
        bookable = enriched["status"].isin(ledger.BOOKABLE_POOL_STATUS)
        assert (enriched["free_points"] == enriched["unbooked_points"].where(bookable, 0.0)).all()
        assert ((enriched["reserved_points"] + enriched["allocated_points"] - per_area).abs() < 1e-6).all()

    @invariant()
    def status_follows_the_ledger(self) -> None:
        enriched = ledger.enrich_pool(self.pool, self.entries)
        for stored, (_, row) in zip(self.pool["status"], enriched.iterrows(), strict=True):
            if stored in ("geplant", "gesperrt"):
                expected = stored
            elif row["unbooked_points"] > ledger.EPS:
                expected = "verfügbar"
            else:
                expected = "reserviert" if row["reserved_points"] > ledger.EPS else "zugeordnet"
            assert row["status"] == expected

    @invariant()
    def interventions_are_never_over_covered(self) -> None:
        enriched = ledger.enrich_interventions(self.itv, self.entries)
        assert (enriched["covered_points"] <= enriched["demand_points"] + ledger.EPS).all()
        assert (enriched["reserved_points"] >= -ledger.EPS).all()
        assert (enriched["allocated_points"] >= -ledger.EPS).all()

    @invariant()
    def every_reversal_cancels_one_active_entry_exactly(self) -> None:
        reversals = self.entries[self.entries["reverses"].notna()]
        assert reversals["reverses"].is_unique
        assert self.entries["allocation_id"].is_unique
        original = self.entries.set_index("allocation_id").loc[reversals["reverses"]]
        assert (original["points"] > 0).all()
        assert (original["points"].to_numpy() == -reversals["points"].to_numpy()).all()
        assert (original["pool_id"].to_numpy() == reversals["pool_id"].to_numpy()).all()
        assert (original["kind"].to_numpy() == reversals["kind"].to_numpy()).all()
        assert self.entries["booked_by"].notna().all() and self.entries["created_at"].notna().all()


LedgerMachine.TestCase.settings = settings(max_examples=50, stateful_step_count=20, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestLedgerProperties = LedgerMachine.TestCase


def test_a_reservation_on_a_withdrawn_area_can_only_be_cancelled():
    machine = LedgerMachine()
    machine.book("reserviert", "P1", "E2", 100.0)
    machine.approve("E2")
    machine.set_area_status("P1", "gesperrt")
    allocation_id = machine.entries["allocation_id"].iloc[0]
    with pytest.raises(BookingError, match="P1 ist „gesperrt“: die Reservierung kann nicht zugeordnet"):
        ledger.plan_confirm(machine.pool, machine.itv, machine.entries, allocation_id=allocation_id, user="t")
    assert len(ledger.plan_cancel(machine.entries, allocation_id=allocation_id, user="t")) == 1
