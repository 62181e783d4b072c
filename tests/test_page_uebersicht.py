"""AppTest of "Übersicht & Berichte": figures follow the filters, downloads arrive, presentation mode."""

from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from geo.accounting import summary
from geo.reports import charts, content
from geo.store.gpkg import GeoPackageStore
from tests.conftest import LEIPZIG, REPO, WURZEN

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


def open_page() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/uebersicht.py").run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(demo_dir, scope: summary.Scope) -> dict[str, str]:
    report = summary.report(summary.pool_view(GeoPackageStore(demo_dir).read_all()), scope)
    return {f.label: f.value for f in content.key_figures(report.headline)}


def test_filters_change_the_figures(demo_dir):
    at = open_page()
    first, last = summary.year_bounds(summary.pool_view(GeoPackageStore(demo_dir).read_all()))
    assert shown(at) == expected(demo_dir, summary.Scope(years=(first, last)))
    at.multiselect(key="uebersicht_gemeinden").set_value(["Wurzen", "Leipzig"])
    at.slider(key="uebersicht_jahre").set_value((2020, 2026)).run()
    assert not at.exception, at.exception
    chosen = expected(demo_dir, summary.Scope(ags=(LEIPZIG, WURZEN), years=(2020, 2026)))
    assert shown(at) == chosen
    assert chosen["Poolflächen"] != expected(demo_dir, summary.Scope(years=(first, last)))["Poolflächen"]
    assert at.header[0].value == "Leipzig und Wurzen, 2020–2026"
    assert at.dataframe[0].value["Gemeinde"].tolist() == ["Leipzig", "Wurzen", "Gesamt"]


def test_downloads_are_offered_and_not_empty(demo_dir, deferred):
    at = open_page()
    at.multiselect(key="uebersicht_gemeinden").set_value(["Wurzen", "Leipzig"]).run()
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
    at.multiselect(key="uebersicht_gemeinden").set_value(["Wurzen", "Leipzig"]).run()
    at.selectbox[0].set_value(WURZEN).run()
    assert not at.exception, at.exception
    assert any(name.startswith("flaechenpool_wurzen_") and name.endswith(".pdf") for name in deferred)


def test_presentation_mode_shows_one_statement_per_block(demo_dir):
    at = open_page()
    at.toggle(key="uebersicht_praesentation").set_value(True).run()
    assert not at.exception, at.exception
    assert list(shown(at)) == [f.label for f in content.key_figures(summary.headline(
        summary.pool_view(GeoPackageStore(demo_dir).read_all())))]
    assert len(at.dataframe) == 0 and len(at.get("download_button")) == 0
    assert len(at.get("vega_lite_chart")) == 6
    # The page no longer stops early: the sidebar footer still carries the attribution.
    assert any("GeoBasis-DE / BKG" in c.value for c in at.sidebar.caption)


def test_a_selection_without_areas_says_so_and_still_offers_the_files(demo_dir, deferred):
    at = open_page()
    at.multiselect(key="uebersicht_gemeinden").set_value(["Borsdorf"])
    at.slider(key="uebersicht_jahre").set_value((2030, 2030)).run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Borsdorf, 2030"
    assert shown(at)["Poolflächen"] == "0"
    infos = [i.value for i in at.info]
    assert "**Poolfläche nach Gemeinde und Status**: " + charts.EMPTY_NOTE in infos
    assert len(at.get("vega_lite_chart")) == 6 - len(infos)
    assert at.dataframe[0].value["Gemeinde"].tolist() == ["Borsdorf", "Gesamt"]
    name = next(n for n in deferred if n.startswith("flaechenpool_borsdorf_2030-2030") and n.endswith(".pptx"))
    assert deferred[name]().startswith(MAGIC["pptx"])
