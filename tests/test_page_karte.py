"""AppTest of the map page: filters drive counts and tables, a link restores filters and selection."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from geo import fmt, schema
from geo.accounting import summary, valuation
from geo.map import mapfilter, selection
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO

DONE_LINK = {"gemeinde": "wurzen,machern", "status": "verfügbar", "massnahme": "Aufforstung", "min_wp": "10000"}


def open_karte(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/karte.py")
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, at.exception
    return at


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def tables(at: AppTest) -> dict[str, list[str]]:
    """First column of the pool and intervention tables below the map."""
    out: dict[str, list[str]] = {}
    for df in at.dataframe:
        for key in ("Flächen-ID", "Eingriffs-ID"):
            if df.value.columns[0] == key and df.value.columns[1] != "Eingriffs-ID":
                out[key] = df.value[key].tolist()
    return out


def map_args(at: AppTest) -> dict:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def test_without_a_link_everything_is_shown(demo_dir):
    at = open_karte()
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    n_pool, n_itv = fmt.number(len(view.pool_areas)), fmt.number(len(view.interventions))
    assert tab_labels(at) == [f"Poolflächen ({n_pool} von {n_pool})", f"Eingriffe ({n_itv} von {n_itv})"]
    assert len(tables(at)["Flächen-ID"]) == len(view.pool_areas)
    assert at.info[0].value.startswith("Eine Poolfläche oder einen Eingriff")
    assert dict(at.query_params) == {}


def test_the_planners_link_restores_filters_selection_and_details(demo_dir):
    at = open_karte({**DONE_LINK, "flaeche": "MAC-2023-006"})
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    expected = mapfilter.apply(view, mapfilter.decode(DONE_LINK).filter)
    assert len(expected.pool_areas) == 10
    assert tables(at)["Flächen-ID"] == expected.pool_areas["pool_id"].tolist()
    assert tab_labels(at)[0] == f"Poolflächen (10 von {fmt.number(len(view.pool_areas))})"
    assert at.multiselect(key="karte_gemeinden").value == ["14729410", "14729250"]
    assert at.multiselect(key="karte_status").value == ["verfügbar"]
    assert at.text_input(key="karte_min_wp").value == "10.000"
    details = selection.details(view, mapfilter.Selection("pool_areas", "MAC-2023-006"),
                                valuation.read_tables(GeoPackageStore(demo_dir)))
    assert at.subheader[0].value == "Poolfläche MAC-2023-006"
    fields, bookings = (t.value.reset_index(drop=True).map(lambda v: v.replace("\\", "")) for t in at.table)
    assert fields.equals(details.fields)
    assert "Gemarkung Püchau" in fields.set_index("Merkmal").loc["Flurstücke", "Wert"]
    biotope = fields.set_index("Merkmal").loc[schema.label("biotope_before", schema.POOL_AREAS), "Wert"]
    assert re.fullmatch(r"\S+ – \S.*", biotope), biotope  # "AIN – Intensivacker": the code with its name
    assert len(bookings) == details.booking_count == 2
    assert [re.fullmatch(r"\[(.+)\]\(eingriffe\?eingriff=(.+)\)", v).groups() for v in bookings["Eingriffs-ID"]] == [
        (i, i) for i in details.bookings["Eingriffs-ID"]]  # each intervention id links to its booking page
    assert {m.label: m.value for m in at.metric}["Frei (WP)"] == dict(details.figures)["Frei (WP)"]
    assert dict(at.query_params) == {**DONE_LINK, "flaeche": "MAC-2023-006"}  # the link stays as sent


def test_filters_change_counts_table_and_link(demo_dir):
    at = open_karte()
    at.multiselect(key="karte_gemeinden").set_value(["14729250"]).run()
    at.multiselect(key="karte_massnahmen").set_value(["Aufforstung"]).run()
    view = summary.pool_view(GeoPackageStore(demo_dir).read_all())
    flt = mapfilter.MapFilter(municipalities=("14729250",), measure_types=("Aufforstung",))
    expected = mapfilter.apply(view, flt)
    assert tables(at)["Flächen-ID"] == expected.pool_areas["pool_id"].tolist()
    assert tables(at)["Eingriffs-ID"] == expected.interventions["intervention_id"].tolist()
    assert tab_labels(at)[1].startswith(f"Eingriffe ({fmt.number(len(expected.interventions))} von")
    assert dict(at.query_params) == {"gemeinde": "machern", "massnahme": "Aufforstung"}
    at.text_input(key="karte_suche").set_value(expected.pool_areas["pool_id"].iloc[0]).run()
    assert tables(at)["Flächen-ID"] == [expected.pool_areas["pool_id"].iloc[0]]
    assert tables(at)["Eingriffs-ID"] == []


def test_bad_input_gives_german_messages_not_tracebacks(demo_dir):
    at = open_karte({"gemeinde": "wurzen,gotham", "flaeche": "GIBT-ES-NICHT"})
    assert [w.value for w in at.warning] == ["Im Link: Gemeinde: „gotham“ unbekannt, ignoriert.",
                                             "Poolfläche „GIBT-ES-NICHT“ gibt es nicht (mehr). "
                                             "Bitte auf der Karte neu wählen."]
    at.text_input(key="karte_min_wp").set_value("viele").run()
    assert not at.exception
    assert at.sidebar.error[0].value == "„viele“ ist keine Zahl ≥ 0. Bitte z. B. 10.000 eingeben."


def test_clearing_the_selection_removes_it_from_the_link(demo_dir):
    at = open_karte({"eingriff": "BPL-WUR-01"})
    assert at.subheader[0].value.startswith("Eingriff BPL")
    assert any("eingriffe?eingriff=BPL-WUR-01" in str(b.proto) for b in at.get("link_button"))
    at.button[0].click().run()
    assert dict(at.query_params) == {}
    assert at.info[0].value.startswith("Eine Poolfläche oder einen Eingriff")


def test_the_map_loads_leaflet_from_the_app_and_no_base_maps_offline(demo_dir, monkeypatch):
    monkeypatch.setenv("FLAECHENPOOL_OFFLINE", "1")
    args = map_args(open_karte())
    assert args["js_links"] == ["/app/static/vendor/leaflet/leaflet.js"]
    assert args["css_links"] == ["/app/static/vendor/leaflet/leaflet.css"]
    assert args["returned_objects"] == ["last_active_drawing", "last_object_clicked"]
    assert "L.tileLayer" not in args["script"]
    monkeypatch.setenv("FLAECHENPOOL_OFFLINE", "0")
    assert "sgx.geodatenzentrum.de" in map_args(open_karte())["script"]


def test_filters_that_match_nothing_say_so(demo_dir):
    at = open_karte({"suche": "gibt-es-nicht-xyz"})
    assert any("passt zu den Filtern" in i.value for i in at.info)
    at = open_karte(DONE_LINK)
    assert not any("passt zu den Filtern" in i.value for i in at.info)
