"""AppTest of "Übersicht & Berichte": figures follow the filters, the selection lives in the URL, downloads
arrive, presentation mode pages through one statement per screen."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from geo import fmt, schema
from geo.accounting import flows, settlement, summary
from geo.reports import charts, content, slides
from geo.store.gpkg import GeoPackageStore
from tests.conftest import LEIPZIG, REPO, WURZEN

BORSDORF = schema.municipality("borsdorf").ags

MAGIC = {"pptx": b"PK", "pdf": b"%PDF", "xlsx": b"PK", "gpkg": b"SQLite format 3", "geojson.zip": b"PK",
         "shp.zip": b"PK"}


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The callables the page hands to its download buttons, by file name."""
    found: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, **kw):
        found[file_name] = data
        return original(self, data, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/uebersicht.py")
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(demo_dir, scope: summary.Scope) -> dict[str, str]:
    report = summary.report(summary.pool_view(GeoPackageStore(demo_dir).read_all()), scope)
    return {f.label: f.value for f in [*content.key_figures(report.headline), *content.climate_figures(report),
                                       *content.flow_figures(report)]}


def test_filters_change_the_figures_and_the_link(demo_dir):
    at = open_page()
    first, last = summary.year_bounds(summary.pool_view(GeoPackageStore(demo_dir).read_all()))
    assert shown(at) == expected(demo_dir, summary.Scope(years=(first, last)))
    assert dict(at.query_params) == {}
    at.multiselect(key="uebersicht_gemeinden").set_value([WURZEN, LEIPZIG])
    at.slider(key="uebersicht_jahre").set_value((2020, 2026)).run()
    assert not at.exception, at.exception
    chosen = expected(demo_dir, summary.Scope(ags=(LEIPZIG, WURZEN), years=(2020, 2026)))
    assert shown(at) == chosen
    assert chosen["Poolflächen"] != expected(demo_dir, summary.Scope(years=(first, last)))["Poolflächen"]
    assert [h.value for h in at.header[:2]] == ["Heute: Leipzig und Wurzen", "Im Zeitraum 2020–2026"]
    assert at.dataframe[0].value["Gemeinde"].tolist() == ["Leipzig", "Wurzen", "Gesamt"]
    assert dict(at.query_params) == {"gemeinde": "leipzig,wurzen", "von": "2020", "bis": "2026"}


def test_a_link_opens_the_same_selection(demo_dir):
    at = open_page({"gemeinde": "wurzen,leipzig", "von": "2020", "bis": "2026"})
    assert at.multiselect(key="uebersicht_gemeinden").value == [LEIPZIG, WURZEN]
    assert at.slider(key="uebersicht_jahre").value == (2020, 2026)
    assert shown(at) == expected(demo_dir, summary.Scope(ags=(LEIPZIG, WURZEN), years=(2020, 2026)))
    assert not at.warning


def test_measure_types_narrow_the_page_and_stay_in_the_link(demo_dir):
    at = open_page({"gemeinde": "wurzen", "massnahme": "Aufforstung"})
    assert at.multiselect(key="uebersicht_massnahmen").value == ["Aufforstung"]
    scope = summary.Scope(ags=(WURZEN,), measure_types=("Aufforstung",))
    assert shown(at) == expected(demo_dir, scope) != expected(demo_dir, summary.Scope(ags=(WURZEN,)))
    assert at.header[0].value == "Heute: Wurzen · Aufforstung"
    at.multiselect(key="uebersicht_massnahmen").set_value(["Aufforstung", "Waldumbau"]).run()
    assert dict(at.query_params) == {"gemeinde": "wurzen", "massnahme": "Aufforstung,Waldumbau"}


def test_a_broken_link_says_what_it_ignored(demo_dir):
    at = open_page({"gemeinde": "wurzen,atlantis", "von": "zwanzig", "seit": "gestern"})
    assert at.multiselect(key="uebersicht_gemeinden").value == [WURZEN]
    warnings = " ".join(w.value for w in at.warning)
    assert "Atlantis" not in warnings and "atlantis" in warnings and "zwanzig" in warnings and "gestern" in warnings


def test_year_range_leaves_todays_figures_alone(demo_dir):
    """Borsdorf in 2030 has no measures, but its free points and balance are those of today."""
    at = open_page({"gemeinde": "borsdorf", "von": "2030", "bis": "2030"})
    today = expected(demo_dir, summary.Scope(ags=(BORSDORF,)))
    assert shown(at) == today and today["Poolflächen"] != "0"
    assert "unabhängig vom Zeitraum" in at.caption[0].value
    assert at.header[1].value == "Im Zeitraum 2030"
    assert any(c.value.startswith("Im Zeitraum 2030: 0 Poolflächen") for c in at.caption)


def test_change_since_an_earlier_day(demo_dir):
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    since = dt.date(2026, 1, 1)
    at = open_page({"seit": since.isoformat()})
    assert at.date_input(key="uebersicht_seit").value == since
    report = summary.report(view, summary.Scope(years=summary.year_bounds(view), since=since))
    diff = summary.change(report.headline, summary.headline(summary.as_of(view, since)))
    deltas = {m.label: m.proto.delta for m in at.metric if m.proto.delta}
    assert deltas == {"Freie Wertpunkte": f"{content.signed_points(diff.free_points)} seit 01.01.2026",
                      "Offener Bedarf": f"{content.signed_points(diff.open_points)} seit 01.01.2026",
                      "Bilanz": f"{content.signed_points(diff.balance)} seit 01.01.2026"}
    assert diff.free_points != 0  # the demo ledger booked points in 2026


def test_downloads_are_offered_and_not_empty(demo_dir, deferred):
    at = open_page()
    at.multiselect(key="uebersicht_gemeinden").set_value([WURZEN, LEIPZIG]).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Foliensatz (PowerPoint)", "Bericht (PDF)", "Tabellen (Excel)", "Geodaten (GeoPackage)",
                      "Geodaten (GeoJSON, ZIP)", "Geodaten (Shapefile, ZIP)"]
    names = {name.split(".", 1)[1]: name for name in deferred if "leipzig-wurzen" in name}
    assert set(names) == set(MAGIC)
    for kind, name in names.items():
        data = deferred[name]()
        assert len(data) > 1000 and data.startswith(MAGIC[kind]), kind


def test_pdf_for_one_municipality_of_the_selection(demo_dir, deferred):
    at = open_page()
    at.multiselect(key="uebersicht_gemeinden").set_value([WURZEN, LEIPZIG]).run()
    at.selectbox[0].set_value(WURZEN).run()
    assert not at.exception, at.exception
    assert any(name.startswith("flaechenpool_wurzen_") and name.endswith(".pdf") for name in deferred)
    sheet = next(name for name in deferred if name.startswith("faktenblatt_wurzen_"))
    data = deferred[sheet]()
    assert data.startswith(MAGIC["pdf"]) and len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    assert "Faktenblatt Wurzen (PDF, 1 Seite)" in [b.proto.label for b in at.get("download_button")]


def test_presentation_pages_through_one_statement_per_screen(demo_dir):
    at = open_page({"gemeinde": "wurzen"})
    at.button(key="uebersicht_praesentation").click().run()
    assert dict(at.query_params) == {"gemeinde": "wurzen", "folie": "1"}
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    deck = slides.deck(summary.report(view, summary.Scope(ags=(WURZEN,), years=summary.year_bounds(view))))
    assert at.title[0].value == deck[0].title == "Der Pool heute"
    assert list(shown(at)) == ["Poolflächen", "Fläche", "Wertpunkte"]
    assert len(at.dataframe) == 0 and len(at.get("download_button")) == 0 and not at.multiselect
    at.button(key="folie_weiter").click().run()
    assert at.query_params["folie"] == "2" and list(shown(at)) == ["Freie Wertpunkte", "Offener Bedarf", "Bilanz"]
    at.button(key="folie_weiter").click().run()
    assert at.title[0].value == "Angebot und Bedarf" and len(at.get("vega_lite_chart")) == 1
    assert at.button(key="folie_weiter").proto.shortcut == "right"
    at.button(key="folie_zurueck").click().run()
    assert at.query_params["folie"] == "2"
    # The speaker notes are the slide's notes.
    assert any(deck[1].notes.split(":")[0] in m.value for m in at.markdown)
    # The page no longer stops early: the sidebar footer still carries the attribution.
    assert any("GeoBasis-DE / BKG" in c.value for c in at.sidebar.caption)
    at.button(key="folie_ende").click().run()
    assert dict(at.query_params) == {"gemeinde": "wurzen"}
    assert at.multiselect(key="uebersicht_gemeinden").value == [WURZEN]


def test_the_last_slide_is_the_map(demo_dir):
    at = open_page({"folie": "99"})
    assert at.title[0].value == slides.MAP_TITLE
    assert at.button(key="folie_weiter").proto.disabled
    assert len(at.get("image")) == 1


def test_a_selection_without_areas_says_so_and_still_offers_the_files(demo_dir, deferred):
    at = open_page()
    at.multiselect(key="uebersicht_gemeinden").set_value([BORSDORF])
    at.slider(key="uebersicht_jahre").set_value((2030, 2030)).run()
    assert not at.exception, at.exception
    assert at.header[1].value == "Im Zeitraum 2030"
    infos = [i.value for i in at.info]
    assert "**Poolfläche nach Gemeinde und Status**: " + charts.EMPTY_NOTE in infos
    empty = [i for i in infos if i.endswith(charts.EMPTY_NOTE)]
    assert len(at.get("vega_lite_chart")) == 6 - len(empty) + 1  # the report's charts that have data, the flows
    assert at.dataframe[0].value["Gemeinde"].tolist() == ["Borsdorf", "Gesamt"]
    name = next(n for n in deferred if n.startswith("flaechenpool_borsdorf_2030-2030") and n.endswith(".pptx"))
    assert deferred[name]().startswith(MAGIC["pptx"])


def test_the_flows_of_a_partner_show_points_and_money_with_every_other_partner(demo_dir):
    at = open_page({"gemeinde": "wurzen"})
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    header = [h.value for h in at.header]
    assert "Ausgleich über Gemeindegrenzen (heute)" in header
    assert "Eingriffe mit dem größten offenen Bedarf (heute)" in header
    points = next(d.value for d in at.dataframe if d.value.columns[0] == "Eingriffe in").set_index("Eingriffe in")
    expected = flows.matrix(flows.involving(flows.flows(view), (WURZEN,)))
    assert points.index.tolist() == expected.index.tolist() and len(points) > 2  # Wurzen and its partners
    assert points["Gesamt"].tolist() == [fmt.number(round(v)) for v in expected["Gesamt"]]
    money = flows.involving(settlement.money_flows(view), (WURZEN,))
    euros = [d.value for d in at.dataframe if d.value.columns[0] == "Eingriffe in"][1].set_index("Eingriffe in")
    assert euros.loc["Gesamt", "Gesamt"] == fmt.euro(flows.matrix(money, "amount_eur").loc["Gesamt", "Gesamt"], 0)
    assert len(money) > 1 and ((money["from_name"] == "Wurzen") | (money["to_name"] == "Wurzen")).all()
