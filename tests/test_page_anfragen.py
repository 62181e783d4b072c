"""AppTest of "Anfragen": the inbox per municipality, withdrawing, and the outbox for administrators."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.access.permissions import User
from geo.accounting import consent
from geo.store.gpkg import GeoPackageStore
from tests.conftest import LEIPZIG, WURZEN
from tests.signin import open_as

LEIPZIG_GIS = User("leipzig.gis", "gis", LEIPZIG)


def open_page(user: User | None) -> AppTest:
    return open_as("views/anfragen.py", user)


def _ask(demo_dir) -> None:
    consent.ask(GeoPackageStore(demo_dir), LEIPZIG_GIS, intervention_id="STR-LEI-01", pool_id="WUR-2018-001",
                points=50_000, kind="reserviert", message="Ortsumgehung")


def test_the_requester_sees_its_request_and_withdraws_it(demo_dir):
    _ask(demo_dir)
    at = open_page(LEIPZIG_GIS)
    assert [t.label for t in at.tabs] == ["An Leipzig (0 offen)", "Von Leipzig (1 offen)"]
    table = next(df.value for df in at.dataframe if "An" in df.value.columns)
    assert table[["Anfrage", "Status", "An", "Angefragt"]].values.tolist() == [
        ["A-2026-00001", "offen", "Wurzen", "50.000\u00a0WP"]]
    next(b for b in at.button if b.label == "Anfrage zurückziehen").click()
    at.run()
    assert "Anfrage A-2026-00001 zurückgezogen." in [s.value for s in at.success]
    assert [t.label for t in at.tabs][1] == "Von Leipzig (0 offen)"
    assert GeoPackageStore(demo_dir).read_all().requests["event"].tolist() == ["gestellt", "zurückgezogen"]


def test_a_decline_needs_a_reason(demo_dir):
    _ask(demo_dir)
    at = open_page(User("wurzen.gis", "gis", WURZEN))
    next(b for b in at.button if b.label == "Ablehnen").click()
    at.run()
    assert any("Bitte einen Grund" in e.value for e in at.error)
    assert len(GeoPackageStore(demo_dir).read_all().requests) == 1


def test_administrators_see_every_request_and_the_outbox(demo_dir):
    _ask(demo_dir)
    at = open_page(User("admin", "admin"))
    assert [h.value for h in at.subheader] == ["Alle Anfragen", "Benachrichtigungen"]
    outbox = next(df.value for df in at.dataframe if "Betreff" in df.value.columns)
    assert outbox[["An", "Anfrage", "Versand"]].values.tolist() == [
        ["Wurzen", "A-2026-00001", "nicht versendet (kein SMTP eingerichtet)"]]


def test_readers_see_the_requests_but_cannot_answer(demo_dir):
    _ask(demo_dir)
    at = open_page(None)
    assert "Bitte in der Seitenleiste anmelden" in at.info[0].value
    assert not [b for b in at.button if b.label in ("Zusagen", "Ablehnen")]
