"""AppTest of "Bewertungsmodelle": formulas, the worked example, balances per model, search."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo import fmt
from geo.accounting import summary, valuation, versions
from geo.config import ValuationModels
from geo.display import valuation as shown
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.signin import by_label, make_accounts, signed_in


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
    biotope_lists = [f.value for f in at.dataframe[2:] if "Biotoptyp" in f.value.columns]
    assert len(biotope_lists) == 2
    for frame in biotope_lists:
        assert frame["Biotoptyp"].str.contains("rünland").all()
    climate = next(f.value for f in at.dataframe if "t CO₂ je ha und Jahr" in f.value.columns)
    assert climate.set_index("Maßnahmentyp / Eingriffsart").loc["Aufforstung", "t CO₂ je ha und Jahr"] == "8,0"


def test_an_administrator_previews_and_switches_a_new_table_version(demo_dir, tmp_path, monkeypatch):
    make_accounts(tmp_path, monkeypatch)
    store = GeoPackageStore(demo_dir)
    table = valuation.parse_table(store.read_valuation_sources()["sachsen"]).biotopes.reset_index()
    table["value_per_m2"] = table["value_per_m2"] * 1.1
    at = signed_in("admin", "views/bewertung.py")
    by_label(at.selectbox, "Modell").set_value("sachsen")
    at.get("file_uploader")[0].set_value(("sachsen-2026.csv", table.to_csv(index=False).encode(), "text/csv"))
    at.button[0].click().run()  # the form's submit without provenance: refused
    assert "Herkunft fehlt: Titel, Quelle, Version, Stand." in at.error[0].value
    for label, value in (("Titel", "Sachsen 2026"), ("Quelle", "SMUL 2026"), ("Version", "2026"),
                         ("Stand", "2026-06-01")):
        by_label(at.text_input, label).set_value(value)
    next(b for b in at.button if b.label == "Prüfen und Auswirkung zeigen").click().run()
    assert not at.error
    preview = at.dataframe[-1].value
    assert "Bilanz neu (WP)" in preview.columns
    next(b for b in at.button if b.label == "Jetzt übernehmen").click().run()
    assert "die bisherige Fassung bleibt erhalten" in at.success[0].value
    assert valuation.parse_table(store.read_valuation_sources()["sachsen"]).version == "2026"
    assert list(store.read_valuation_versions()["model"]) == ["sachsen"]
    after = versions.balances(store.read_all(), "sachsen", ValuationModels())
    shown_after = preview.set_index("Gemeinde")["Bilanz neu (WP)"]
    assert shown_after["Leipzig"] == fmt.number(round(after.set_index("municipality").loc["Leipzig", "balance"]))


def test_readers_see_no_upload(demo_dir):
    at = open_page()
    assert not at.get("file_uploader")
