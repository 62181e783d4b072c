"""AppTest of "Bewertungsmodelle": formulas, the worked example, balances per model, search."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import fmt
from geo.accounting import summary, valuation
from geo.display import valuation as shown
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO


def open_page() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/bewertung.py").run()
    assert not at.exception, at.exception
    return at


def test_page_shows_example_balances_under_both_models_and_searches(demo_dir):
    at = open_page()
    store = GeoPackageStore(demo_dir)
    view, tables = summary.pool_view(store.read_all()), valuation.read_tables(store)
    area = shown.example_area(view, tables)
    assert area is not None
    texts = [t.value for t in at.text]
    assert any(t.startswith(f"Poolfläche {area['pool_id']}") for t in texts)
    assert any(t.startswith("Leipziger Modell") for t in texts) and any(t.startswith("Sächsisches Modell")
                                                                          for t in texts)
    balances = at.dataframe[0].value
    leipzig = balances[balances["Gemeinde"] == "Leipzig"].iloc[0]
    by_model = summary.by_model(view).set_index(("", "municipality"))
    # Leipzig's deficit under the Saxon model, as the council asks for it.
    saxon = by_model.loc["Leipzig", ("sachsen", "balance")]
    assert leipzig["Bilanz Sächsisches Modell (WP)"] == fmt.number(round(saxon))
    assert leipzig["Bilanz Leipziger Modell (WP)"] != leipzig["Bilanz Sächsisches Modell (WP)"]

    at.text_input(key="bewertung_suche").set_value("grünland").run()
    compared = at.dataframe[1].value
    assert len(compared) and compared["Biotoptyp"].str.contains("rünland").all()
    assert {"Leipziger Modell (WP/m²)", "Sächsisches Modell (WP/m²)", "Unterschied (WP/m²)"} <= set(compared.columns)
    for frame in at.dataframe[2:]:
        assert frame.value["Biotoptyp"].str.contains("rünland").all()
