"""AppTest of the shell and the start page: the shown figures are geo's figures."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import fmt
from geo.accounting import summary
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.storetools import put_layer


def run_app() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_start_page_shows_geo_totals_in_german(demo_dir):
    at = run_app()
    head = summary.headline(summary.pool_view(GeoPackageStore(demo_dir).read_all()))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Poolflächen"] == fmt.number(head.pool_count)
    assert metrics["Fläche"] == fmt.hectares(head.pool_area_m2)
    assert metrics["Freie Wertpunkte"] == fmt.points_short(head.free_points)
    assert metrics["Offener Bedarf"] == fmt.points_short(head.open_points)
    assert metrics["Bilanz"] == fmt.points_short(head.balance)
    assert metrics["Freie Wertpunkte"].endswith("Mio.\u00a0WP")


def test_start_page_table_per_municipality(demo_dir):
    at = run_app()
    table = at.dataframe[0].value
    expected = summary.by_municipality(summary.pool_view(GeoPackageStore(demo_dir).read_all()))
    assert table["Gemeinde"].tolist() == expected["municipality"].tolist()
    assert table["Bilanz"].tolist() == [fmt.points(v) for v in expected["balance"]]
    assert table["Fläche"].iloc[-1] == fmt.hectares(expected["area_m2"].iloc[-1])


def test_start_page_follows_new_data(demo_dir):
    at = run_app()
    before = {m.label: m.value for m in at.metric}["Poolflächen"]
    store = GeoPackageStore(demo_dir)
    pool = store.read_layer("pool_areas", ["borsdorf"])
    put_layer(store, "borsdorf", "pool_areas", pool.iloc[:-1])
    at.run()
    after = {m.label: m.value for m in at.metric}["Poolflächen"]
    assert int(after.replace(".", "")) == int(before.replace(".", "")) - 1


def test_sidebar_shows_attribution_and_demo_notice(demo_dir):
    at = run_app()
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "© GeoBasis-DE / BKG" in captions
    assert "Demodaten" in captions


def test_valuation_page_shows_each_model_with_its_partners(demo_dir):
    at = run_app()
    at.switch_page("views/bewertung.py").run()
    assert not at.exception
    headers = [s.value for s in at.header]
    assert headers.index("Leipziger Bewertungsmodell (Demotabelle)") + 1 == headers.index(
        "Handlungsempfehlung Sachsen (Demotabelle)")
    assert "Angewendet in: Leipzig" in [t.value for t in at.text]
    saxon = [f.value for f in at.dataframe if "Entwicklungsfaktor" in f.value.columns][1]  # Leipzig's, then this
    assert len(saxon) >= 40
    assert saxon.loc[saxon["Code"] == "WLB", "Wert (WP/m²)"].iloc[0] == "27,0"
