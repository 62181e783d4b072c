"""AppTest of "Verrechnung": the settlement of a partner and year, prices set by administrators, documents."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from geo import fmt
from geo.access.permissions import User
from geo.accounting import booking, prices, settlement, summary
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO, WURZEN

ADMIN = User("admin", "admin")


def open_page(user: User | None, **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    at.switch_page("views/verrechnung.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _allocate(demo_dir) -> None:
    store = GeoPackageStore(demo_dir)
    prices.set_price(store, ADMIN, ags=WURZEN, eur_per_point=0.75, valid_from=dt.date(2026, 1, 1))
    booking.book(store, ADMIN, pool_id="WUR-2018-001", intervention_id="STR-LEI-02", points=50_000,
                 kind="zugeordnet")


def test_wurzen_sees_what_leipzig_owes_booking_by_booking(demo_dir):
    _allocate(demo_dir)
    at = open_page(User("wurzen.gis", "gis", WURZEN))
    assert [t.label for t in at.tabs] == ["Abrechnung", "Preise", "Buchungsbestätigung", "Flächenkontoauszug"]
    assert "**Leipzig schuldet Wurzen 37.500,00\u00a0€.**" in [m.value for m in at.markdown]
    entries = next(df.value for df in at.dataframe if "Buchung" in df.value.columns and "Betrag" in df.value.columns)
    assert entries[["Buchung", "Partner", "Wertpunkte", "Preis (€/WP)", "Betrag"]].values.tolist() == [
        ["B-2026-00128", "Leipzig", "50.000", "0,75\u00a0€", "37.500,00\u00a0€"]]
    assert {b.label for b in at.get("download_button")} >= {"Verrechnung (PDF)", "Verrechnung (Excel)",
                                                              "Buchungsbestätigung (PDF)", "Flächenkontoauszug (PDF)"}
    assert not any(b.label == "Preis speichern" for b in at.button)  # only administrators set prices


def test_an_administrator_sets_a_price_and_a_wrong_one_is_refused(demo_dir):
    at = open_page(ADMIN)
    listed = next(df.value for df in at.dataframe if "€/WP" in df.value.columns)
    assert len(listed) == 10 and set(listed["Bemerkung"]) == {"Demopreis, frei erfunden (nur zur Veranschaulichung)"}
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Preis (€ je Wertpunkt)"].input("teuer")
    next(b for b in at.button if b.label == "Preis speichern").click()
    at.run()
    assert any("„teuer“ ist kein Preis" in e.value for e in at.error)
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Preis (€ je Wertpunkt)"].input("0,80")
    next(b for b in at.button if b.label == "Preis speichern").click()
    at.run()
    assert "Preis P-000011 gespeichert: 0,80\u00a0€ je WP." in [s.value for s in at.success]
    stored = GeoPackageStore(demo_dir).read_all().prices
    assert stored[["ags", "eur_per_point", "set_by"]].values.tolist()[-1] == ["14713000", 0.80, "admin"]


def test_the_certificate_and_the_account_follow_the_link(demo_dir):
    _allocate(demo_dir)
    at = open_page(None, buchung="B-2026-00128", flaeche="WUR-2018-001")
    certificate = next(t.value for t in at.table if "Buchungsbestätigung" in t.value.columns)
    lines = dict(certificate.values.tolist())  # st.table cells are escaped Markdown (geo.fmt.literal)
    assert lines["Wertpunkte"] == fmt.literal("50.000\u00a0WP") and lines["Preis"].startswith(fmt.literal("0,75"))
    account = next(df.value for df in at.dataframe if "Saldo (WP)" in df.value.columns)
    assert account["Buchung"].iloc[-1] == "B-2026-00128"


def test_the_first_statement_a_partner_sees_is_its_latest_year_with_entries(demo_dir):
    """Wurzen's cross-border allocations of the demo are older than this year: the page opens on the
    newest year Wurzen has, not on an empty statement, and offers only Wurzen's years."""
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    own = settlement.years(view, WURZEN)
    assert own and own != settlement.years(view)
    at = open_page(User("wurzen.gis", "gis", WURZEN))
    year = at.selectbox(key=f"verrechnung_jahr_{WURZEN}")
    assert year.options == [str(y) for y in own] and year.value == own[0]
    assert not any("keine Zuordnungen" in m.value for m in at.markdown)
