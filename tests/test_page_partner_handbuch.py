"""AppTests of "Partner" (contacts, figures, requests, price, changes) and "Prozesshandbuch" (steps, next step)."""

from __future__ import annotations

import pandas as pd

from geo.access.permissions import User
from geo.accounting import consent, summary
from geo.display import handbook
from geo.store.gpkg import GeoPackageStore
from tests.conftest import LEIPZIG, REPO
from tests.signin import open_as as open_page

THALLWITZ_GIS = User("thallwitz.gis", "gis", "14729380")


def test_a_newcomer_from_thallwitz_finds_whom_to_call_in_leipzig(demo_dir):
    at = open_page("views/partner.py", THALLWITZ_GIS)
    assert at.selectbox(key="partner_gemeinde").value == "thallwitz"  # starts with one's own municipality
    at.selectbox(key="partner_gemeinde").set_value("leipzig")
    at.run()
    assert at.query_params["gemeinde"] == "leipzig"
    assert at.header[0].value == "Leipzig: Ansprechpartner"
    contacts = at.dataframe[0].value
    assert contacts["Name"].tolist() == ["Erika Beispiel (fiktiv)", "Max Muster (fiktiv)"]
    assert contacts["Telefon"].tolist() == ["0341 000000-1", "0341 000000-2"]
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    expected = summary.by_municipality(summary.select(view, [LEIPZIG]), [LEIPZIG]).loc[LEIPZIG]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Poolflächen"] == str(int(expected["pool_count"]))
    assert metrics["Preis je Wertpunkt heute"] == "1,20\u00a0€"  # the demo's (made-up) price


def test_the_partner_page_lists_open_requests_and_latest_changes(demo_dir):
    consent.ask(GeoPackageStore(demo_dir), User("leipzig.gis", "gis", LEIPZIG), intervention_id="STR-LEI-01",
                pool_id="WUR-2018-001", points=50_000, kind="reserviert", message="Ortsumgehung")
    at = open_page("views/partner.py", None, gemeinde="wurzen")
    asked = next(df.value for df in at.dataframe if "Anfrage" in df.value.columns)
    assert asked[["Anfrage", "Von", "Angefragt"]].values.tolist() == [["A-2026-00001", "Leipzig", "50.000\u00a0WP"]]
    changes = next(df.value for df in at.dataframe if "Was" in df.value.columns)
    assert (changes["Gemeinde"] == "Wurzen").all() and len(changes) >= 2


def test_the_handbook_links_every_step_and_says_what_comes_next(demo_dir):
    at = open_page("views/handbuch.py", None, eingriff="STR-LEI-02")
    assert [s.value.split(" · ")[0] for s in at.subheader] == [f"{i}. {name}" for i, name in
                                                               enumerate(handbook.STEPS, start=1)]
    links = [link.proto.page for link in at.get("page_link")]
    assert {"eingriffe", "anfragen", "hochladen", "karte"} <= set(links)  # the pages' url paths
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    row = view.interventions.set_index("intervention_id").loc["STR-LEI-02"]
    assert row["status"] == "umgesetzt" and row["open_points"] > 0  # approved, demand still open
    assert at.success[0].value.startswith("Nächster Schritt: **Zuordnung** · wer: Leipzig (Gemeinde des Eingriffs)")
    assert "5. Zuordnung · nächster Schritt" in [s.value for s in at.subheader]
    assert ("**Kontrolle durch Partner:** Wurzen kontrolliert laut Prozesshandbuch auch für Bennewitz, Thallwitz, "
            "Lossatal, Machern, Brandis, Borsdorf und Trebsen/Mulde.") in [m.value for m in at.markdown]
    assert not at.warning


def test_the_handbook_page_warns_of_an_unknown_municipality_in_the_delegation(demo_dir):
    path = demo_dir / handbook.FILE_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("Thallwitz, Trebsen/Mulde", "Thalwitz, Trebsen"),
                    encoding="utf-8")
    at = open_page("views/handbuch.py", None)
    assert [w.value for w in at.warning] == [
        "Prozesshandbuch, Schritt „Kontrolle“, Zeile „- Kontrolle durch: Wurzen für Bennewitz, Borsdorf, Brandis, "
        "Lossatal, Machern, Thalwitz, Trebsen“: „Thalwitz“ ist keine Gemeinde des Flächenpools (bekannt sind Leipzig, "
        "Wurzen, Bennewitz, Thallwitz, Lossatal, Machern, Brandis, Borsdorf, Trebsen/Mulde); für „Thalwitz“ gilt die "
        "Zeile nicht, für die übrigen Gemeinden schon."]
    assert any(m.value.startswith("**Kontrolle durch Partner:** Wurzen kontrolliert laut Prozesshandbuch auch für "
                                  "Bennewitz, Lossatal, Machern, Brandis, Borsdorf und Trebsen/Mulde.")
               for m in at.markdown)


def test_next_step_of_a_request_and_of_an_intervention():
    request = pd.Series({"state": "offen", "from_ags": LEIPZIG, "to_ags": "14729410", "request_id": "A-1"})
    assert handbook.next_for_request(request, None) == handbook.Next(
        "Zusage", "14729410", "Die Anfrage wartet auf Zusage oder Ablehnung.")
    declined = handbook.next_for_request(request.replace("offen", "abgelehnt"), None)
    assert (declined.step, declined.municipality) == ("Anfrage", "Leipzig")
    itv = pd.Series({"ags": LEIPZIG, "status": "im Verfahren", "open_points": 0.0, "reserved_points": 5.0})
    assert handbook.next_for_intervention(itv, pd.DataFrame()).step == "Genehmigung"
    assert handbook.next_for_intervention(itv.replace("im Verfahren", "genehmigt"), pd.DataFrame()).step == "Zuordnung"
    done = itv.replace({"im Verfahren": "umgesetzt"}).copy()
    done["reserved_points"] = 0.0
    assert handbook.next_for_intervention(done, pd.DataFrame()) == handbook.Next(
        "Kontrolle", None, "Umgesetzt und zugeordnet: die Flächen werden kontrolliert.")


def test_the_handbook_file_is_parsed_into_the_known_steps():
    book = handbook.parse((REPO / "data" / "handbuch.md").read_text(encoding="utf-8"))
    assert tuple(s.name for s in book.steps) == handbook.STEPS
    assert book.step("kontrolle").who.startswith("Wurzen für alle Partner")
    assert [s.page for s in book.steps] == ["eingriffe", "anfragen", "eingriffe", "hochladen", "eingriffe", "karte",
                                            "monitoring"]
    assert book.step("kontrolle").inspections == ("Wurzen für Bennewitz, Borsdorf, Brandis, Lossatal, Machern, "
                                                  "Thallwitz, Trebsen/Mulde",)
    assert "Kontrolle durch" not in book.step("kontrolle").text  # read by the app, not shown as free text
    assert book.rest.startswith("# Aufgabenteilung der Partner")


def test_the_handbook_says_who_answers_an_open_request(demo_dir):
    consent.ask(GeoPackageStore(demo_dir), User("leipzig.gis", "gis", LEIPZIG), intervention_id="STR-LEI-01",
                pool_id="WUR-2018-001", points=50_000, kind="reserviert")
    at = open_page("views/handbuch.py", None, anfrage="A-2026-00001")
    assert at.success[0].value.startswith("Nächster Schritt: **Zusage** · wer: Wurzen (Gemeinde der Poolfläche")
    assert "2. Zusage · nächster Schritt" in [s.value for s in at.subheader]
